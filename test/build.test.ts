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

test("the bundled entry points export the same names as the sources, and the bundle runs", async () => {
  await run(
    join(root, "node_modules/.bin/esbuild"),
    [
      "src/index.ts",
      "src/testing/index.ts",
      "--bundle",
      "--splitting",
      "--format=esm",
      "--platform=node",
      "--target=node22",
      "--outbase=src",
      `--outdir=${outdir}`,
      "--packages=external",
      "--log-level=warning",
    ],
    { cwd: root },
  );
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
