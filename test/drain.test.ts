// SIGTERM during a turn: the turn completes, new requests get 503, /readyz fails, and the
// process exits within the drain deadline. And `--workers 2` serves from a warm cluster.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { spawnServer } from "./support/spawn-server.ts";

let mock: MockOpenAIServer;
before(async () => {
  mock = await startMockOpenAIServer({ latencyMs: 400 });
});
after(() => mock.close());

const startServer = (flags: string[] = []) => spawnServer(mock.url, flags);

const chat = (url: string, message: string) =>
  fetch(`${url}/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message }),
  });

test("SIGTERM drains: the turn in flight completes, new work and readiness get 503, the process exits in time", async () => {
  const { child, url, exited: exit } = await startServer(["--drain-deadline", "5000"]);
  const exited = exit.then((code) => ({ code, at: performance.now() }));
  mock.requests.length = 0;
  const inFlight = chat(url, "finish me");
  while (!mock.requests.some((request) => request.path.endsWith("/chat/completions")))
    await new Promise((resolve) => setTimeout(resolve, 5));
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
  const { child, url, exited } = await startServer(["--drain-deadline", "60000"]);
  mock.requests.length = 0;
  mock.enqueue({ fault: "delay", ms: 30_000 });
  const inFlight = chat(url, "slow").then(
    (response) => `answered ${response.status}`,
    (error: Error) => `failed: ${String((error.cause as { code?: string } | undefined)?.code ?? error.message)}`,
  );
  while (!mock.requests.some((request) => request.path.endsWith("/chat/completions")))
    await new Promise((resolve) => setTimeout(resolve, 5));
  child.kill("SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill("SIGTERM");
  assert.equal(await exited, 1);
  // The process exited under the turn: its client sees the connection go, never an answer.
  assert.match(await inFlight, /^failed: (ECONNRESET|UND_ERR_SOCKET|other side closed|fetch failed)/);
});

test("--workers 2 serves from two warm processes and drains both on SIGTERM", async () => {
  const { child, url, stderr, exited } = await startServer(["--workers", "2"]);
  // Both workers report ready; requests are answered.
  while ((stderr().match(/ready on/g) ?? []).length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  const responses = await Promise.all(Array.from({ length: 4 }, (_, index) => chat(url, `hi ${index}`)));
  assert.deepEqual(
    responses.map((response) => response.status),
    [200, 200, 200, 200],
  );
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
});
