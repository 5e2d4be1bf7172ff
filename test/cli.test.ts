// The `hearth` command: the demo (the README's run command) serves and answers; version; errors.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { startMockOpenAIServer } from "../src/testing/mock-openai-server.ts";
import { parseDuration } from "../src/cli/commands.ts";
import { chatOn, spawnServer } from "./support/spawn-server.ts";
import { promisify } from "node:util";

const run = promisify(execFile);
const cli = new URL("../src/cli/main.ts", import.meta.url).pathname;
// `hearth serve` keeps a compile cache in ./.hearth by default: these runs keep theirs out of the checkout.
const cacheRoot = mkdtempSync(join(tmpdir(), "hearth-cli-cache-"));
after(() => rmSync(cacheRoot, { recursive: true, force: true }));
const node = (args: string[]) =>
  run(process.execPath, ["--conditions=@hearth/source", cli, ...args], {
    env: { ...process.env, OPENAI_API_KEY: "", HEARTH_COMPILE_CACHE: join(cacheRoot, "errors") },
    timeout: 30_000,
  });

/** Starts `hearth demo`, waits until it listens, and returns its output so far and its URL. */
function startDemo(args: string[] = []): Promise<{ stdout: string; url: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, ["--conditions=@hearth/source", cli, "demo", ...args], {
    env: { ...process.env, OPENAI_API_KEY: "", PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      // The playground's URL is the demo's last line before it waits.
      const url = /listening on (http:\/\/\S+)[\s\S]*\nplayground: /.exec(stdout)?.[1];
      if (url !== undefined) {
        resolve({
          stdout,
          url,
          stop: () => {
            child.kill("SIGTERM");
            return exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`the demo exited (${code}) before listening: ${stdout}`)));
  });
}

test("hearth demo serves the support app, shows its startup trace and one exchange, and answers chat requests", async () => {
  const demo = await startDemo();
  try {
    assert.match(demo.stdout, /startup: ready [\d.]+ ms after the process started/);
    assert.match(demo.stdout, /warmup:model:default\s+[\d.]+ ms\s+ok/);
    assert.match(demo.stdout, /tool call\s+lookup_order\(\{"order_id":"A123"\}\)/);
    assert.match(demo.stdout, /reply\s+Order A123 has shipped with DHL \(tracking JD014600006281\)/);
    const response = await fetch(`${demo.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "Where is order B201?" }),
    });
    assert.equal(response.status, 200);
    assert.match(((await response.json()) as { reply: string }).reply, /Order B201 was delivered/);
    assert.match(demo.stdout, new RegExp(`\nplayground: ${demo.url}/playground\n`));
    const playground = await fetch(`${demo.url}/playground`);
    assert.equal(playground.status, 200);
    assert.match(await playground.text(), /<title>hearth playground<\/title>/);
  } finally {
    assert.equal(await demo.stop(), 0);
  }
});

test("hearth demo takes the question as an argument", async () => {
  const demo = await startDemo(["Where is order A124?"]);
  await demo.stop();
  assert.match(demo.stdout, /Order A124 is being prepared/);
});

test("hearth version prints the package version; bad commands and flags exit 2 with a message", async () => {
  const { stdout } = await node(["version"]);
  assert.match(stdout, /^\d+\.\d+\.\d+\n$/);
  await assert.rejects(
    node(["nope"]),
    (error: { code?: number; stderr?: string }) =>
      error.code === 2 && /unknown command "nope"/.test(error.stderr ?? ""),
  );
  await assert.rejects(
    node(["serve"]),
    (error: { code?: number; stderr?: string }) => error.code === 2 && /which app\?/.test(error.stderr ?? ""),
  );
  await assert.rejects(
    node(["serve", "app.ts", "--workers", "zero"]),
    (error: { code?: number; stderr?: string }) =>
      error.code === 2 && /--workers must be a whole number/.test(error.stderr ?? ""),
  );
  await assert.rejects(
    node(["serve", "no-such-app.ts"]),
    (error: { code?: number; stderr?: string }) => error.code === 2 && /no app module/.test(error.stderr ?? ""),
  );
});

/** Starts `hearth mock` with `args` in `cwd`; resolves once it prints the OPENAI_BASE_URL to use. */
async function startMockCommand(args: string[], cwd: string) {
  const child = spawn(process.execPath, ["--conditions=@hearth/source", cli, "mock", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    cwd,
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  let stdout = "";
  child.stdout.setEncoding("utf8");
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      const found = /OPENAI_BASE_URL=(\S+)/.exec(stdout)?.[1];
      if (found !== undefined) resolve(found);
    });
    void exited.then((code) => reject(new Error(`hearth mock exited (${code}): ${stdout}`)));
  });
  return { child, exited, stdout, url };
}

test("hearth mock serves the mock model server, prints the OPENAI_BASE_URL to serve an app against, and stops on SIGTERM", async () => {
  const { child, exited, stdout, url } = await startMockCommand(
    ["examples/support/support-model.ts#supportModel"],
    new URL("../", import.meta.url).pathname,
  );
  try {
    assert.match(stdout, /hearth serve app\.ts/);
    const response = await fetch(`${url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-mock" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hello" }] }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    assert.match(body.choices[0]?.message.content ?? "", /tell me the order number/, "the responder it was given");
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(await exited, 0);
});

test("hearth mock --tls serves HTTPS and writes the certificate a client is to trust", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "hearth-mock-tls-"));
  const { child, exited, stdout, url } = await startMockCommand(["--tls", "--idle-timeout", "2000"], cwd);
  const { ConnectionPools, OpenAIChatCompletionClient } = await import("../src/index.ts");
  const pools = new ConnectionPools({ ca: readFileSync(join(cwd, ".hearth/mock-cert.pem"), "utf8") });
  try {
    assert.match(url, /^https:/);
    assert.match(stdout, /NODE_EXTRA_CA_CERTS=\.hearth\/mock-cert\.pem OPENAI_BASE_URL=/);
    const client = new OpenAIChatCompletionClient({
      model: "m",
      baseURL: url,
      apiKey: "sk-mock",
      connectionPools: pools,
    });
    const reply = await client.create({ messages: [{ role: "user", content: "over TLS" }] });
    assert.equal(reply.content, "You said: over TLS");
  } finally {
    pools.close();
    child.kill("SIGTERM");
    await exited;
    rmSync(cwd, { recursive: true, force: true });
  }
});

test("hearth serve takes a folder and finds its app module; a folder without one is a message naming what it looks for", async () => {
  const { loadApp } = await import("../src/cli/load-app.ts");
  const app = await loadApp(new URL("../examples/support", import.meta.url).pathname);
  assert.equal(app.name, "support");
  const empty = mkdtempSync(join(tmpdir(), "hearth-empty-app-"));
  try {
    await assert.rejects(
      node(["serve", empty]),
      (error: { code?: number; stderr?: string }) =>
        error.code === 2 && /is a folder with no app module in it: hearth looks for app\.ts/.test(error.stderr ?? ""),
    );
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test("an unknown option or a missing value is one line naming it, not a stack; --help after a command prints the usage; a source run that would load two copies of hearth stops", async () => {
  const mistakes: [string[], RegExp][] = [
    [["profile", "app.ts", "--bogus"], /^hearth: profile: Unknown option '--bogus'\. See `hearth help`\.\n$/],
    [
      ["serve", "app.ts", "--port"],
      /^hearth: serve: Option '--port <value>' argument missing\. See `hearth help`\.\n$/,
    ],
    [
      ["check", "app.ts", "--runs"],
      /^hearth: check: Option '--runs <value>' argument missing\. See `hearth help`\.\n$/,
    ],
    [["serve", "app.ts", "--cors", "app.example.com"], /^hearth: .*cors\.origins.*"app\.example\.com" is not one\.\n$/],
  ];
  for (const [args, message] of mistakes) {
    await assert.rejects(
      node(args),
      (error: { code?: number; stderr?: string }) => error.code === 2 && message.test(error.stderr ?? ""),
      args.join(" "),
    );
  }
  // From source without the source condition (@hearth/source), the app would load the built copy of hearth.
  await assert.rejects(
    run(process.execPath, [cli, "version"], { timeout: 30_000 }),
    (error: { code?: number; stderr?: string }) => error.code === 2 && /npm run hearth --/.test(error.stderr ?? ""),
  );
  for (const command of ["serve", "profile", "check"]) {
    const { stdout } = await node([command, "--help"]);
    assert.match(stdout, /^Usage: hearth <command>/);
  }
});

test("hearth serve writes Node's compile cache once warm, and leaves it alone with --no-compile-cache", async () => {
  const mock = await startMockOpenAIServer();
  const files = (directory: string) =>
    readdirSync(directory, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;
  try {
    const cached = join(cacheRoot, "on");
    const server = await spawnServer(mock.url, [], { HEARTH_COMPILE_CACHE: cached });
    // Written before ready is announced: the modules of hearth and of the app, compiled.
    assert.ok(files(cached) > 1, "the compile cache holds entries");
    server.child.kill("SIGKILL");
    await server.exited;

    const off = join(cacheRoot, "off");
    const uncached = await spawnServer(mock.url, ["--no-compile-cache"], { HEARTH_COMPILE_CACHE: off });
    uncached.child.kill("SIGKILL");
    await uncached.exited;
    assert.throws(() => readdirSync(off), /ENOENT/);
  } finally {
    await mock.close();
  }
});

test("--session-ttl takes 30d, 12h, 45m, 90s, 500ms or never, and refuses anything else", () => {
  assert.equal(parseDuration(undefined, "--session-ttl", 7), 7);
  assert.equal(parseDuration("30d", "--session-ttl", 0), 30 * 24 * 3_600_000);
  assert.equal(parseDuration("12h", "--session-ttl", 0), 12 * 3_600_000);
  assert.equal(parseDuration("45m", "--session-ttl", 0), 45 * 60_000);
  assert.equal(parseDuration("1.5s", "--session-ttl", 0), 1_500);
  assert.equal(parseDuration("500", "--session-ttl", 0), 500);
  assert.equal(parseDuration("never", "--session-ttl", 0), Infinity);
  for (const bad of ["0", "-1d", "soon", "3w", ""])
    assert.throws(() => parseDuration(bad, "--session-ttl", 0), /--session-ttl must be a duration/, bad);
});

test("hearth serve --session-ttl expires sessions on the default store (SQLite)", async () => {
  const mock = await startMockOpenAIServer();
  const directory = mkdtempSync(join(tmpdir(), "hearth-ttl-"));
  try {
    const server = await spawnServer(mock.url, [
      "--session-ttl",
      "2s",
      "--sessions-db",
      join(directory, "sessions.db"),
    ]);
    try {
      const first = await chatOn(server.url, "hello");
      assert.equal(first.status, 200);
      assert.equal((await fetch(`${server.url}/v1/sessions/${first.body.sessionId}`)).status, 200, "stored");
      // Polled, not slept: on a loaded machine the expiry is what is tested, not its timing.
      let status = 200;
      for (let waited = 0; status === 200 && waited < 15_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await fetch(`${server.url}/v1/sessions/${first.body.sessionId}`)).status;
      }
      assert.equal(status, 404, "the session expired");
      assert.equal((await chatOn(server.url, "again", first.body.sessionId)).status, 404);
    } finally {
      server.child.kill("SIGKILL");
      await server.exited;
    }
  } finally {
    await mock.close();
    rmSync(directory, { recursive: true, force: true });
  }
});
