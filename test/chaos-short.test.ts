// The short version of `npm run chaos`, as CI runs it: each scenario briefly, held to its promises
// (each scenario checks its own and prints HELD or BROKEN; the run exits 1 when any broke).
import assert from "node:assert/strict";
import { test } from "node:test";
import { runNode } from "./support/run-node.ts";

const scenarios = [
  "provider-faults",
  "redis-restart",
  "sqlite-faults",
  "overload",
  "hostile-clients",
  "reload",
  "soak",
];

test("npm run chaos, short: every scenario keeps its promises", { timeout: 180_000 }, async () => {
  const { code, stdout } = await runNode(
    ["--conditions=@hearth/source", new URL("../chaos/run.ts", import.meta.url).pathname],
    { CHAOS_SHORT: "1" },
  );
  assert.equal(code, 0, stdout);
  for (const name of scenarios) assert.match(stdout, new RegExp(`^HELD ${name}$`, "m"), stdout);
  assert.doesNotMatch(stdout, /^BROKEN/m);
});
