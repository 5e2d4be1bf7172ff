// The package as npm would publish it, checked by the tools its users' tooling trusts: publint (the
// exports map, the files each condition names) and are-the-types-wrong (types that resolve, for ESM
// consumers: hearth is ESM only, for Node 22 and later); then used as a new user would, installed
// from the tarball in a fresh folder. Packed from a copy, so the checkout's dist/ is left alone
// while other tests run.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { spawnUntilReady } from "./support/spawn-server.ts";

const run = promisify(execFile);
const root = new URL("../", import.meta.url).pathname;
const copy = mkdtempSync(join(tmpdir(), "hearth-package-"));
let tarball = "";

before(async () => {
  for (const entry of ["src", "examples", "package.json", "tsconfig.json", "tsconfig.build.json", "README.md"])
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
    "hearth/autogen",
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

/** A fresh folder with the tarball installed by npm, as a user's project would have it. */
async function freshProject(): Promise<{ directory: string; env: NodeJS.ProcessEnv }> {
  const directory = mkdtempSync(join(tmpdir(), "hearth-fresh-"));
  after(() => rmSync(directory, { recursive: true, force: true }));
  writeFileSync(join(directory, "package.json"), JSON.stringify({ name: "fresh", private: true, type: "module" }));
  const { NODE_TEST_CONTEXT: _runner, ...inherited } = process.env;
  // `npx hearth` runs on the first `node` of the PATH: this Node 24, as a user's Node 22 or later.
  const env = { ...inherited, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, OPENAI_API_KEY: "" };
  await run("npm", ["install", "--no-audit", "--no-fund", tarball], { cwd: directory, env, timeout: 180_000 });
  return { directory, env };
}

/** `npx hearth <args>` in the folder until `pattern` shows in its output; then it is stopped. */
async function untilPrinted(
  project: { directory: string; env: NodeJS.ProcessEnv },
  args: readonly string[],
  pattern: RegExp,
  use: (match: RegExpExecArray) => Promise<void>,
): Promise<void> {
  const child = spawn("npx", ["hearth", ...args], {
    cwd: project.directory,
    env: project.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nothing like ${pattern} within 60 s:\n${output}`)), 60_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const found = pattern.exec(output);
        if (found !== null) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      child.stdout.on("data", read);
      child.stderr.on("data", read);
      void exited.then((code) => reject(new Error(`hearth ${args.join(" ")} exited (${code}):\n${output}`)));
    });
    await use(match);
  } finally {
    process.kill(-(child.pid as number), "SIGTERM");
    await exited;
  }
}

const ask = async (url: string, message: string) => {
  const response = await fetch(`${url}/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message }),
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { reply: string }).reply;
};

test("from the tarball in a fresh folder: npx hearth demo serves the support app and answers", async () => {
  const project = await freshProject();
  await untilPrinted(project, ["demo"], /listening on (http:\/\/\S+)/, async ([, url]) => {
    assert.match(await ask(url as string, "Where is order B201?"), /Order B201 was delivered/);
  });
});

test("from the tarball: npx hearth build, then the built app answers a chat with no node_modules", async () => {
  const project = await freshProject();
  // esbuild, as the user's devDependency: this checkout's, with its platform binary.
  for (const name of ["esbuild", "@esbuild"])
    symlinkSync(join(root, "node_modules", name), join(project.directory, "node_modules", name));
  writeFileSync(join(project.directory, "greeting.txt"), "Hello from an asset.");
  writeFileSync(
    join(project.directory, "app.ts"),
    [
      'import { AssistantAgent, asset, defineApp } from "hearth";',
      'import { ScriptedModelClient } from "hearth/testing";',
      "export default defineApp({",
      '  name: "fresh",',
      '  assets: { greeting: asset.text(new URL("./greeting.txt", import.meta.url)) },',
      '  models: { default: () => new ScriptedModelClient({ replies: Array.from({ length: 50 }, () => "built") }) },',
      "  agents: {",
      "    helper: ({ models, assets }) =>",
      '      new AssistantAgent({ name: "helper", modelClient: models.default, systemMessage: assets.greeting }),',
      "  },",
      "});",
      "",
    ].join("\n"),
  );
  await run("npx", ["hearth", "build", "app.ts", "--out", "build"], { cwd: project.directory, env: project.env });
  // Away from the project: nothing but the build and Node.
  const away = mkdtempSync(join(tmpdir(), "hearth-away-"));
  after(() => rmSync(away, { recursive: true, force: true }));
  cpSync(join(project.directory, "build"), join(away, "build"), { recursive: true });
  for (let at = away; at !== "/"; at = dirname(at)) assert.ok(!existsSync(join(at, "node_modules")), at);
  const running = await spawnUntilReady([join(away, "build/server.mjs"), "--port", "0", "--store", "memory"], {
    cwd: away,
  });
  try {
    assert.equal(await ask(running.url, "hello"), "built");
  } finally {
    running.child.kill("SIGTERM");
    await running.exited;
  }
});

test("from the tarball: npx hearth init scaffolds an app whose npm install && npm test pass", async () => {
  const project = await freshProject();
  const init = await run("npx", ["hearth", "init", "my-agent"], { cwd: project.directory, env: project.env });
  assert.match(init.stdout, /a new app in my-agent\//);
  const app = join(project.directory, "my-agent");
  for (const file of ["app.ts", "app.test.ts", "package.json", "hearth.budget.json", "Dockerfile", "README.md"])
    assert.ok(existsSync(join(app, file)), file);
  // The scaffold depends on hearth as published; here, on this tarball. esbuild comes from npm's cache.
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], {
    cwd: app,
    env: project.env,
    timeout: 180_000,
  });
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], {
    cwd: app,
    env: project.env,
    timeout: 180_000,
  });
  const tested = await run("npm", ["test"], { cwd: app, env: project.env, timeout: 120_000 }).catch(
    (error: { stdout?: string; stderr?: string }) => assert.fail(`npm test failed:\n${error.stdout}\n${error.stderr}`),
  );
  assert.match(tested.stdout, /[#ℹ] pass 2\n/);
  assert.match(tested.stdout, /[#ℹ] fail 0\n/);
  // And its build runs.
  await run("npm", ["run", "build"], { cwd: app, env: project.env, timeout: 120_000 });
  assert.ok(existsSync(join(app, "build/server.mjs")) && existsSync(join(app, "build/assets/faq.md")));
  // A folder with files in it is left alone.
  const again = await run("npx", ["hearth", "init", "my-agent"], { cwd: project.directory, env: project.env }).then(
    () => assert.fail("init wrote into a folder with files"),
    (error: { code?: number; stderr?: string }) => error,
  );
  assert.equal(again.code, 2);
  assert.match(again.stderr ?? "", /is not empty/);
});

test("from the tarball: npx hearth serve takes app.ts, app.js or a folder, and says what it wants of anything else", async () => {
  const project = await freshProject();
  const app = (reply: string) =>
    [
      'import { AssistantAgent, defineApp } from "hearth";',
      'import { ScriptedModelClient } from "hearth/testing";',
      "export default defineApp({",
      '  name: "fresh",',
      `  models: { default: () => new ScriptedModelClient({ replies: Array.from({ length: 50 }, () => ${JSON.stringify(reply)}) }) },`,
      '  agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },',
      "});",
      "",
    ].join("\n");
  writeFileSync(join(project.directory, "app.ts"), app("from TypeScript"));
  mkdirSync(join(project.directory, "js"));
  writeFileSync(join(project.directory, "js/app.js"), app("from JavaScript"));
  writeFileSync(join(project.directory, "notes.txt"), "not an app");
  for (const [target, reply] of [
    ["app.ts", "from TypeScript"],
    ["js/app.js", "from JavaScript"],
    [".", "from TypeScript"],
    ["js", "from JavaScript"],
  ] as const) {
    await untilPrinted(
      project,
      ["serve", target, "--port", "0", "--store", "memory"],
      /ready on (http:\/\/\S+)/,
      async ([, url]) => assert.equal(await ask(url as string, "hello"), reply, target),
    );
  }
  for (const target of ["notes.txt", "missing.ts"]) {
    const failed = await run("npx", ["hearth", "serve", target], { cwd: project.directory, env: project.env }).then(
      () => assert.fail(`hearth serve ${target} succeeded`),
      (error: { code?: number; stderr?: string }) => error,
    );
    assert.equal(failed.code, 2, target);
    const lines = (failed.stderr ?? "").trim().split("\n");
    assert.equal(lines.length, 1, `one line for ${target}: ${failed.stderr}`);
    assert.match(lines[0] ?? "", /app module/, target);
  }
});
