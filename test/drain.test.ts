// SIGTERM during a turn: the turn completes, new requests get 503, /readyz fails, and the
// process exits within the drain deadline. And `--workers 2` serves from a warm cluster.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { after, before, test } from "node:test";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";

let mock: MockOpenAIServer;
before(async () => {
  mock = await startMockOpenAIServer({ latencyMs: 400 });
});
after(() => mock.close());

const cli = new URL("../src/cli/main.ts", import.meta.url).pathname;
const appFile = new URL("./support/echo-app.ts", import.meta.url).pathname;

function startServer(extra: string[] = []): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, ["--conditions=development", cli, "serve", appFile, "--port", "0", ...extra], {
    env: { ...process.env, OPENAI_BASE_URL: mock.url, HEARTH_LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
      const url = /ready on (http:\/\/[^\s]+)/.exec(stderr)?.[1];
      if (url !== undefined) resolve({ child, url, stderr: () => stderr });
    });
    child.on("exit", (code) => reject(new Error(`the server exited (${code}) before it was ready: ${stderr}`)));
  });
}

const chat = (url: string, message: string) => fetch(`${url}/v1/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message }) });

test("SIGTERM drains: the turn in flight completes, new work and readiness get 503, the process exits in time", async () => {
  const { child, url } = await startServer(["--drain-deadline", "5000"]);
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on("exit", (code) => resolve({ code, at: performance.now() })));
  mock.requests.length = 0;
  const inFlight = chat(url, "finish me");
  while (!mock.requests.some((request) => request.path.endsWith("/chat/completions"))) await new Promise((resolve) => setTimeout(resolve, 5));
  const signalled = performance.now();
  child.kill("SIGTERM");
  let readiness = 200;
  for (let tries = 0; readiness === 200 && tries < 100; tries++) {
    readiness = (await fetch(`${url}/readyz`)).status;
    if (readiness === 200) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(readiness, 503, "readiness fails while draining");
  const refused = await chat(url, "too late");
  assert.equal(refused.status, 503);
  assert.equal(((await refused.json()) as { code: string }).code, "HEARTH_RUNTIME_CLOSED");
  const finished = await inFlight;
  assert.equal(finished.status, 200);
  assert.equal(((await finished.json()) as { reply: string }).reply, "You said: finish me");
  const { code, at } = await exited;
  assert.equal(code, 0);
  assert.ok(at - signalled < 5_000, `exited ${Math.round(at - signalled)} ms after SIGTERM`);
});

test("a second signal exits at once, without waiting for the turn in flight", async () => {
  const { child, url } = await startServer(["--drain-deadline", "60000"]);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  mock.requests.length = 0;
  mock.enqueue({ fault: "delay", ms: 30_000 });
  const inFlight = chat(url, "slow").catch(() => undefined);
  while (!mock.requests.some((request) => request.path.endsWith("/chat/completions"))) await new Promise((resolve) => setTimeout(resolve, 5));
  child.kill("SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill("SIGTERM");
  assert.equal(await exited, 1);
  await inFlight;
});

test("--workers 2 serves from two warm processes and drains both on SIGTERM", async () => {
  const { child, url, stderr } = await startServer(["--workers", "2"]);
  // Both workers report ready; requests are answered.
  while ((stderr().match(/ready on/g) ?? []).length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  const responses = await Promise.all(Array.from({ length: 4 }, (_, index) => chat(url, `hi ${index}`)));
  assert.deepEqual(responses.map((response) => response.status), [200, 200, 200, 200]);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
});
