// `hearth build`: the support example bundled with hearth into one folder, its compile cache primed,
// then moved where no node_modules can be found and run with plain `node` against the mock model.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { supportModel } from "../examples/support/support-model.ts";
import { runNode } from "./support/run-node.ts";
import { chatOn, spawnUntilReady } from "./support/spawn-server.ts";

const cli = new URL("../src/cli/main.ts", import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), "hearth-built-"));
let mock: MockOpenAIServer;

before(async () => {
  mock = await startMockOpenAIServer({ respond: supportModel });
});
after(async () => {
  await mock?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** `node server.mjs` of a build, until it is ready; answers one chat, then stops. */
async function ask(server: string, message: string, args: string[] = []): Promise<string> {
  const running = await spawnUntilReady([server, "--port", "0", "--store", "memory", ...args], {
    cwd: scratch,
    env: { ...process.env, OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: "sk-built", HEARTH_LOG_LEVEL: "error" },
  });
  try {
    const answer = await chatOn(running.url, message);
    assert.equal(answer.status, 200);
    return answer.body.reply ?? "";
  } finally {
    running.child.kill("SIGTERM");
    assert.equal(await running.exited, 0, "it drains and exits 0 on SIGTERM");
  }
}

test("hearth build bundles the app and hearth; the build answers a chat with no node_modules anywhere above it", async () => {
  const out = join(scratch, "build");
  const built = await runNode(["--conditions=@hearth/source", cli, "build", "examples/support", "--out", out]);
  assert.equal(built.code, 0);
  // The app's files, named with new URL(…, import.meta.url), are copied beside the bundle.
  assert.ok(existsSync(join(out, "assets/orders.json")) && existsSync(join(out, "assets/policy.md")));
  // Primed: Node's compile cache holds the bundle's compiled code.
  assert.ok(readdirSync(join(out, "compile-cache"), { recursive: true }).length > 0);

  // Moved to a folder whose every parent lacks node_modules: only the build itself can be loaded.
  const moved = join(scratch, "elsewhere", "app");
  mkdirSync(join(scratch, "elsewhere"));
  cpSync(out, moved, { recursive: true });
  rmSync(out, { recursive: true });
  for (let at = moved; at !== "/"; at = join(at, "..")) assert.ok(!existsSync(join(at, "node_modules")), at);
  assert.match(await ask(join(moved, "server.mjs"), "Where is order A123?"), /Order A123 has shipped with DHL/);
  assert.match(await ask(join(moved, "server.mjs"), "Where is order B201?", ["--no-compile-cache"]), /B201/);
});

test("the built app takes hearth serve's flags and refuses anything else in one line", async () => {
  const out = join(scratch, "flags");
  assert.equal(
    (await runNode(["--conditions=@hearth/source", cli, "build", "examples/support", "--out", out, "--no-prime"])).code,
    0,
  );
  assert.ok(!existsSync(join(out, "compile-cache")), "--no-prime starts nothing");
  const wrong = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(out, "server.mjs"), "app.ts"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("exit", (code) => resolve({ code, stderr }));
  });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /^hearth: the built app serves the app it was built from: it takes flags only/);
  assert.equal(wrong.stderr.trim().split("\n").length, 1);
});

test("hearth build empties only a folder a build wrote, and copies no folder that holds the app", async () => {
  const out = join(scratch, "theirs");
  mkdirSync(out);
  writeFileSync(join(out, "notes.txt"), "someone's notes");
  const refused = await runNode(["--conditions=@hearth/source", cli, "build", "examples/support", "--out", out]);
  assert.equal(refused.code, 2);
  assert.ok(existsSync(join(out, "notes.txt")), "left as it was");
  // A folder an earlier build wrote is built over.
  const own = join(scratch, "again");
  for (let round = 0; round < 2; round++)
    assert.equal(
      (await runNode(["--conditions=@hearth/source", cli, "build", "examples/support", "--out", own, "--no-prime"]))
        .code,
      0,
    );
  // An app that names its own folder as a file beside it: refused, not copied whole.
  const app = join(scratch, "selfish");
  mkdirSync(join(app, "node_modules"), { recursive: true });
  symlinkSync(new URL("../", import.meta.url).pathname, join(app, "node_modules/hearth"));
  writeFileSync(
    join(app, "app.ts"),
    [
      'import { defineApp } from "hearth";',
      'export const here = new URL("./", import.meta.url);',
      'export default defineApp({ name: "selfish", agents: {} });',
      "",
    ].join("\n"),
  );
  const selfish = await runNode([
    "--conditions=@hearth/source",
    cli,
    "build",
    app,
    "--out",
    join(scratch, "selfish-build"),
  ]);
  assert.equal(selfish.code, 2);
});

test("hearth build will not empty a folder that holds the app", async () => {
  const app = join(scratch, "own");
  mkdirSync(app);
  writeFileSync(join(app, "app.ts"), "export {};\n");
  const refused = await runNode(["--conditions=@hearth/source", cli, "build", app, "--out", scratch]);
  assert.equal(refused.code, 2);
  assert.ok(existsSync(join(app, "app.ts")));
});
