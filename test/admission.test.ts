// Admission control over HTTP: with one turn at a time and one waiting, a third concurrent chat is
// refused at once with 503 and Retry-After; the waiting one runs when the first ends.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AssistantAgent, defineApp, OpenAIChatCompletionClient } from "hearth";
import { type HearthServer, serve } from "hearth/node";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";

let mock: MockOpenAIServer;
let server: HearthServer;

before(async () => {
  mock = await startMockOpenAIServer();
  const app = defineApp({
    name: "admitted",
    models: { default: () => new OpenAIChatCompletionClient({ model: "m", baseURL: mock.url, apiKey: "sk-mock" }) },
    agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
  });
  server = await serve(app, {
    port: 0,
    log: () => undefined,
    store: { kind: "memory" },
    admission: { maxTurnsInFlight: 1, maxQueued: 1, queueTimeoutMs: 5_000 },
  });
});

after(async () => {
  await server?.close();
  await mock?.close();
});

const chat = (message: string) =>
  fetch(`${server.url}/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message }),
  });

test("past the turns in flight and the queue, a chat is a 503 with Retry-After; the queued one runs after", async () => {
  mock.enqueue({ fault: "delay", ms: 300 });
  const before = mock.requests.length;
  const first = chat("first");
  while (mock.requests.length === before) await new Promise((resolve) => setTimeout(resolve, 5));
  const second = chat("second");
  // The second waits in the queue (its model is not called yet); the third finds the queue full.
  while (server.app.admissionLoad?.queued !== 1) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(server.app.admissionLoad, { running: 1, queued: 1 });
  const third = await chat("third");
  assert.equal(third.status, 503);
  assert.equal(third.headers.get("retry-after"), "1");
  assert.equal(((await third.json()) as { code: string }).code, "HEARTH_OVERLOADED");
  assert.equal((await first).status, 200);
  const queued = await second;
  assert.equal(queued.status, 200);
  assert.equal(((await queued.json()) as { reply: string }).reply, "You said: second");
  // Probes are not turns: answered whatever the load.
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});
