// The README's quick start, as written, on a fresh clone: the run command serves and answers a
// chat request, and the test command passes.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = new URL("../", import.meta.url).pathname;
const inside = process.env.HEARTH_QUICKSTART_CLONE === "1";
const directory = inside ? "" : mkdtempSync(join(tmpdir(), "hearth-quickstart-"));
after(() => {
  if (!inside) rmSync(directory, { recursive: true, force: true });
});

/** The quick start block's commands, without their comments. */
function quickStartCommands(): string[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const block = /## Quick start\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  return block
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "");
}

test("the README's two quick-start commands work on a fresh clone", {
  skip: inside ? "running inside the clone this test made" : false,
}, async () => {
  const commands = quickStartCommands();
  assert.deepEqual(commands, ["npm install && npm start", "npm test"]);
  const [runCommand, testCommand] = commands as [string, string];
  await run("git", ["clone", "--quiet", root, directory]);
  // NODE_TEST_CONTEXT would make the inner test runner report to this one instead of printing.
  const { NODE_TEST_CONTEXT: _parentRunner, ...outer } = process.env;
  const env = { ...outer, OPENAI_API_KEY: "", PORT: "0", HEARTH_QUICKSTART_CLONE: "1" };
  // The run command keeps serving: start it in its own process group, use it, stop it.
  const server = spawn("bash", ["-c", runCommand], {
    cwd: directory,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => server.on("exit", (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening on" within 240 s:\n${output}`)), 240_000);
      server.stdout.setEncoding("utf8");
      server.stdout.on("data", (chunk: string) => {
        output += chunk;
        const found = /listening on (http:\/\/\S+)/.exec(output)?.[1];
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        }
      });
      server.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      void exited.then((code) => reject(new Error(`the run command exited (${code}):\n${output}`)));
    });
    const response = await fetch(`${url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "Where is order A123?" }),
    });
    assert.equal(response.status, 200);
    assert.match(((await response.json()) as { reply: string }).reply, /Order A123 has shipped/);
    // It prints the playground's URL, and serves it.
    assert.match(output, new RegExp(`playground: ${url}/playground`));
    assert.equal((await fetch(`${url}/playground`)).status, 200);
  } finally {
    process.kill(-(server.pid as number), "SIGTERM");
    await exited;
  }
  try {
    const tested = await run("bash", ["-c", testCommand], {
      cwd: directory,
      env,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 900_000,
    });
    assert.match(tested.stdout, /ℹ fail 0/);
  } catch (error) {
    const stdout = String((error as { stdout?: string }).stdout ?? "");
    const failures = stdout.slice(stdout.indexOf("✖ failing tests:"));
    assert.fail(`the test command failed:\n${failures.slice(0, 4000)}`);
  }
});
