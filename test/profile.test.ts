// `hearth profile` and `hearth check` on the support example, against the mock model server.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = new URL("../", import.meta.url).pathname;
const cli = join(root, "src/cli/main.ts");
const directory = mkdtempSync(join(tmpdir(), "hearth-profile-test-"));
after(() => rmSync(directory, { recursive: true, force: true }));
const common = [
  "examples/support/app.ts",
  "--runs",
  "2",
  "--warm",
  "3",
  "--message",
  "Where is order A123?",
  "--mock",
  "examples/support/support-model.ts#supportModel",
];
// Where `hearth serve` would keep its compile cache: profile's runs are true cold starts and must not.
const compileCache = join(directory, "compile-cache");
const hearth = (args: string[]) =>
  run(process.execPath, ["--conditions=@hearth/source", cli, ...args], {
    cwd: root,
    timeout: 120_000,
    env: { ...process.env, HEARTH_COMPILE_CACHE: compileCache },
  });

test("hearth profile prints the waterfall and writes an HTML report with SVG charts, and JSON", async () => {
  const html = join(directory, "report.html");
  const json = join(directory, "report.json");
  const { stdout } = await hearth(["profile", ...common, "--no-tools", "--html", html, "--json", json]);
  assert.match(stdout, /hearth profile: support, 2 cold starts/);
  for (const row of [
    "spawn to listening",
    "spawn to ready",
    "spawn to first reply",
    "first request",
    "warm request \\(median\\)",
    "first / warm",
    "constructions after ready",
    "first-call errors",
  ]) {
    assert.match(stdout, new RegExp(`${row}\\s+[\\d.]+|${row}\\s+none`), row);
  }
  assert.match(stdout, /with tools\s+without tools/);
  assert.match(stdout, /startup waterfall/);
  for (const bar of [
    "node",
    "load",
    "init",
    "warm",
    "asset:orders",
    "agent:support_agent",
    "warmup:model:default",
    "synthetic:agent:support_agent",
  ])
    assert.match(stdout, new RegExp(`\\n  ${bar}\\s+[ █▒]+\\s+[\\d.]+ \\+[\\d.]+ ms`), bar);
  assert.match(stdout, /CPU time while loading, by package/);
  assert.match(stdout, /\n {2}hearth\s+[\d.]+ ms/);
  // Its largest line says what it is.
  assert.match(stdout, /\n {2}node \(built-in\)\s+[\d.]+ ms/);
  assert.match(stdout, /node \(built-in\): Node's own modules, the module loader/);
  const page = readFileSync(html, "utf8");
  assert.match(page, /^<!doctype html>/);
  assert.equal((page.match(/<svg /g) ?? []).length, 3, "a waterfall and two charts");
  assert.match(page, /synthetic:agent:support_agent/);
  assert.match(page, /node \(built-in\): Node&#39;s own modules|node \(built-in\): Node's own modules/);
  assert.doesNotMatch(page, /<script|https?:\/\/(?!www\.w3\.org)/, "self-contained: no script, nothing fetched");
  const report = JSON.parse(readFileSync(json, "utf8"));
  assert.equal(report.summary.runs, 2);
  assert.equal(report.noTools.noTools, true);
  assert.ok(
    report.summary.spawnToReadyMs.median > 0 &&
      report.summary.spawnToReadyMs.median <= report.summary.spawnToFirstReplyMs.median,
  );
  assert.equal(report.summary.constructionsAfterReady, 0);
  assert.ok(!existsSync(compileCache), "each run started cold, with no compile cache written for the next");
  assert.deepEqual(report.summary.firstCallErrors, {});
});

test("hearth check passes on the shipped budget and fails, with a table, on a tight one", async () => {
  // The shipped budget's ceilings are 10 to 20 times what the app takes (its $comment says why): a
  // loaded CI machine stays well inside them. The close figures are the bench's job.
  const shipped = await hearth(["check", ...common, "--budget", "hearth.budget.json"]);
  assert.match(shipped.stdout, /within budget/);
  assert.match(shipped.stdout, /ok\s+spawnToReadyMs/);

  const tight = join(directory, "tight.json");
  writeFileSync(tight, JSON.stringify({ spawnToReadyMs: 1, firstToWarmRatio: 0.5, imports: { hearth: 0 } }));
  await assert.rejects(hearth(["check", ...common, "--budget", tight]), (error: { code?: number; stdout?: string }) => {
    assert.equal(error.code, 1);
    assert.match(error.stdout ?? "", /OVER\s+spawnToReadyMs\s+[\d.]+\s+<= 1/);
    assert.match(error.stdout ?? "", /OVER\s+import hearth/);
    assert.match(error.stdout ?? "", /3 over budget/);
    return true;
  });

  const wrong = join(directory, "wrong.json");
  writeFileSync(wrong, JSON.stringify({ readyIn: 5 }));
  await assert.rejects(
    hearth(["check", ...common, "--budget", wrong]),
    (error: { code?: number; stderr?: string }) =>
      error.code === 2 && /unknown field "readyIn"/.test(error.stderr ?? ""),
  );
});

test("hearth profile profiles an app with API keys with the key in HEARTH_API_KEY, and says so without one", async () => {
  const json = join(directory, "keyed.json");
  const keyed = ["profile", "test/support/keyed-echo-app.ts", "--runs", "1", "--warm", "1", "--mock", "--json", json];
  const { HEARTH_API_KEY: _key, ...environment } = process.env;
  const profile = (key: string | undefined) =>
    run(process.execPath, ["--conditions=@hearth/source", cli, ...keyed], {
      cwd: root,
      timeout: 120_000,
      env: {
        ...environment,
        HEARTH_COMPILE_CACHE: compileCache,
        ...(key === undefined ? {} : { HEARTH_API_KEY: key }),
      },
    });
  await profile("hk-keyed-echo-0001");
  const report = JSON.parse(readFileSync(json, "utf8"));
  assert.equal(report.summary.app, "keyed_echo");
  assert.deepEqual(report.summary.firstCallErrors, {}, "the requests were answered, not refused");
  assert.equal(report.summary.constructionsAfterReady, 0);
  for (const [key, message] of [
    [undefined, /The app takes an API key: set HEARTH_API_KEY to one of its keys/],
    ["hk-keyed-echo-0002", /The app does not know the key in HEARTH_API_KEY/],
  ] as const)
    await assert.rejects(profile(key), (error: { code?: number; stderr?: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr ?? "", message);
      return true;
    });
});
