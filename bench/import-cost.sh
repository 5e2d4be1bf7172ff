#!/usr/bin/env bash
# hearth's import cost over an empty ES module, on fresh processes, with the repo's pinned Node.
# Needs hyperfine (Debian: apt-get install hyperfine) and a build (npm run build).
set -euo pipefail
cd "$(dirname "$0")/.."
node=node_modules/.bin/node
[ -f dist/index.js ] || { echo "run npm run build first" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }
out=$(mktemp)
hyperfine -N --warmup 5 --runs "${RUNS:-60}" --export-json "$out" \
  -n empty "$node bench/import/empty.mjs" \
  -n hearth "$node bench/import/hearth.mjs" \
  -n hearth/testing "$node bench/import/hearth-testing.mjs" >/dev/null
"$node" -e '
const { results } = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
const median = (r) => r.median * 1000;
const base = median(results[0]);
console.log(`node ${process.version}, ${require("node:os").cpus().length} cores`);
for (const r of results) console.log(`${r.command.padEnd(16)} median ${median(r).toFixed(1)} ms  (+${(median(r) - base).toFixed(1)} ms over empty)`);
' "$out"
rm -f "$out"
