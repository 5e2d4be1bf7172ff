// The package as npm would publish it, checked by the tools its users' tooling trusts: publint (the
// exports map, the files each condition names) and are-the-types-wrong (types that resolve, for ESM
// consumers: hearth is ESM only, for Node 22 and later). Packed from a copy, so the checkout's dist/
// is left alone while other tests run.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = new URL("../", import.meta.url).pathname;
const copy = mkdtempSync(join(tmpdir(), "hearth-package-"));
let tarball = "";

before(async () => {
  for (const entry of ["src", "package.json", "tsconfig.json", "tsconfig.build.json", "README.md"])
    cpSync(join(root, entry), join(copy, entry), { recursive: true });
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"));
  const { NODE_TEST_CONTEXT: _runner, ...env } = process.env;
  await run("npm", ["pack", "--pack-destination", copy, "--silent"], { cwd: copy, env, timeout: 180_000 });
  tarball = join(copy, readdirSync(copy).find((name) => name.endsWith(".tgz")) ?? "");
});
after(() => rmSync(copy, { recursive: true, force: true }));

test("publint finds nothing wrong with the packed package", async () => {
  const { stdout } = await run(join(root, "node_modules/.bin/publint"), [tarball], { timeout: 60_000 });
  assert.match(stdout, /All good!/);
});

test("are-the-types-wrong finds the types of every entry point for ESM consumers", async () => {
  // It exits 1 on a problem; node10 and require() from CommonJS are out of scope for an ESM-only package.
  const { stdout } = await run(
    join(root, "node_modules/.bin/attw"),
    [tarball, "--profile", "esm-only", "--format", "table-flipped", "--no-color"],
    { timeout: 120_000 },
  );
  for (const entry of ["hearth", "hearth/testing", "hearth/node", "hearth/fetch", "hearth/lambda", "hearth/cli"]) {
    assert.match(stdout, new RegExp(`"${entry}"\\s*│\\s*🟢 \\(ESM\\)\\s*│\\s*🟢`), entry);
  }
});

test("the package publishes the built code and its types, not the sources", async () => {
  const { stdout } = await run("tar", ["-tzf", tarball]);
  const files = stdout.split("\n").filter(Boolean);
  assert.ok(files.includes("package/dist/index.js") && files.includes("package/dist/index.d.ts"));
  assert.ok(!files.some((file) => file.startsWith("package/src/")), "no source file");
  assert.ok(!files.some((file) => /\.test\.(js|d\.ts)$/.test(file)), "no test file");
});
