// The published build is a bundle (see docs/architecture.md): it must export exactly what the
// sources export, and work.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = new URL("../", import.meta.url).pathname;
const outdir = mkdtempSync(join(tmpdir(), "hearth-build-"));
after(() => rmSync(outdir, { recursive: true, force: true }));

/** Bundles entry points as `npm run build` does. */
function bundle(entries: string[], into: string) {
  return run(
    join(root, "node_modules/.bin/esbuild"),
    [
      ...entries,
      "--bundle",
      "--splitting",
      "--format=esm",
      "--platform=node",
      "--target=node22",
      "--outbase=src",
      `--outdir=${into}`,
      "--packages=external",
      "--log-level=warning",
    ],
    { cwd: root },
  );
}

test("the bundled entry points export the same names as the sources, and the bundle runs", async () => {
  await bundle(["src/index.ts", "src/testing/index.ts"], outdir);
  for (const entry of ["index", "testing/index"]) {
    const built = await import(join(outdir, `${entry}.js`));
    const source = await import(new URL(`../src/${entry}.ts`, import.meta.url).href);
    assert.deepEqual(Object.keys(built).sort(), Object.keys(source).sort(), entry);
  }
  const hearth = await import(join(outdir, "index.js"));
  const testing = await import(join(outdir, "testing/index.js"));
  const agent = new hearth.AssistantAgent({
    name: "bundled",
    modelClient: new testing.ScriptedModelClient({ replies: ["from the bundle"] }),
  });
  const result = await agent.run({ task: "hi" });
  assert.equal(result.messages.at(-1).content, "from the bundle");
});

test("the built hearth command, run by a Node older than 22, says which Node it needs instead of failing on a .ts file", async (t) => {
  // Debian's own Node (20) stands in for a user's older Node.
  const old = "/usr/bin/node";
  const version = await run(old, ["--version"]).then(
    ({ stdout }) => stdout.trim(),
    () => undefined,
  );
  if (version === undefined || Number(/^v(\d+)/.exec(version)?.[1]) >= 22) {
    t.skip(`no Node older than 22 at ${old}`);
    return;
  }
  const cliOut = join(outdir, "cli");
  await bundle(["src/cli/main.ts"], cliOut);
  await assert.rejects(
    run(old, [join(cliOut, "cli/main.js"), "serve", "app.ts"], { cwd: root }),
    (error: { code?: number; stderr?: string }) =>
      error.code === 1 &&
      error.stderr ===
        `hearth needs Node 22 or later (for TypeScript apps, 22.18 or later); this is Node ${version.slice(1)}.\n`,
  );
});
