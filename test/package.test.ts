// The package as npm would publish it, checked by the tools its users' tooling trusts: publint (the
// exports map, the files each condition names) and are-the-types-wrong (types that resolve, for ESM
// consumers: hearth is ESM only, for Node 22 and later). Packed from a copy, so the checkout's dist/
// is left alone while other tests run.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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
  for (const entry of [
    "hearth",
    "hearth/testing",
    "hearth/node",
    "hearth/fetch",
    "hearth/lambda",
    "hearth/cli",
    "hearth/mcp",
    "hearth/otel",
  ]) {
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

test("the published types compile with skipLibCheck off in an app that has not installed the optional peers", async () => {
  // Outside the copy, whose node_modules (the checkout's) has every peer installed.
  const app = mkdtempSync(join(tmpdir(), "hearth-strict-app-"));
  after(() => rmSync(app, { recursive: true, force: true }));
  mkdirSync(join(app, "node_modules/@types"), { recursive: true });
  await run("tar", ["-xzf", tarball, "-C", join(app, "node_modules")]);
  renameSync(join(app, "node_modules/package"), join(app, "node_modules/hearth"));
  // Node's own types, as any Node app has them; not ioredis, not the OpenTelemetry or MCP packages.
  symlinkSync(join(root, "node_modules/@types/node"), join(app, "node_modules/@types/node"));
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        skipLibCheck: false,
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2023",
        noEmit: true,
        types: ["node"],
      },
      include: ["app.ts"],
    }),
  );
  writeFileSync(
    join(app, "app.ts"),
    [
      'import { AssistantAgent, defineApp, RedisSessionStore } from "hearth";',
      'import { serve } from "hearth/node";',
      'import { ScriptedModelClient } from "hearth/testing";',
      'import { mcpServer } from "hearth/mcp";',
      "export const app = defineApp({",
      '  name: "strict",',
      '  resources: { docs: mcpServer({ name: "docs", stdio: { command: "docs-server" } }) },',
      "  models: { default: () => new ScriptedModelClient() },",
      "  agents: {",
      "    helper: ({ models, resources }) =>",
      '      new AssistantAgent({ name: "helper", modelClient: models.default, workbench: resources.docs }),',
      "  },",
      "});",
      "export const start = () => serve(app, { port: 0 });",
      "export const store = () => RedisSessionStore.connect({ redis: { connectTimeout: 500 } });",
      "",
    ].join("\n"),
  );
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "strict-app", type: "module", private: true }));
  await run(join(root, "node_modules/.bin/tsc"), ["-p", app], { cwd: app, timeout: 120_000 }).catch(
    (error: { stdout?: string }) => assert.fail(`tsc failed:\n${error.stdout}`),
  );
});
