// A pooled connection that died while idle: a request that fails on it before any answer is sent
// once more, at once, on a fresh connection; never when an answer had begun, and only once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import { startMockOpenAIServer } from "../testing/mock-openai-server.ts";
import { ConnectionPools } from "./connection-pools.ts";
import { OpenAIChatCompletionClient } from "./openai/openai-client.ts";

const hello = { messages: [{ role: "user" as const, content: "hello" }] };

/** A client of the mock with no retries of its own (what succeeds below succeeds by the resend alone), warmed or not. */
async function mockClient(warm = true) {
  const mock = await startMockOpenAIServer();
  const pools = new ConnectionPools();
  const client = new OpenAIChatCompletionClient({
    model: "m",
    baseURL: mock.url,
    apiKey: "k",
    maxRetries: 0,
    connectionPools: pools,
  });
  if (warm) await client.warmup();
  return {
    mock,
    client,
    close: async () => {
      pools.close();
      await mock.close();
    },
  };
}

test("a reset on a reused connection before any answer is sent again at once on a fresh one", async () => {
  const { mock, client, close } = await mockClient();
  try {
    const before = mock.connectionCount;
    mock.enqueue({ fault: "reset" });
    assert.equal((await client.create(hello)).content, "You said: hello");
    assert.equal(mock.connectionCount, before + 1, "on a fresh connection");
    assert.equal(mock.requests.filter((request) => request.path.endsWith("/chat/completions")).length, 2);
  } finally {
    await close();
  }
});

test("only once: a second reset on the fresh connection fails the call", async () => {
  const { mock, client, close } = await mockClient();
  try {
    mock.enqueue({ fault: "reset" }, { fault: "reset" });
    await assert.rejects(client.create(hello), (error) => HearthError.is(error, "HEARTH_MODEL_CONNECTION"));
  } finally {
    await close();
  }
});

test("a reset on a new connection, or after the answer began, is not sent again by this path", async () => {
  const { mock, client, close } = await mockClient(false);
  try {
    mock.enqueue({ fault: "reset" });
    await assert.rejects(client.create(hello), (error) => HearthError.is(error, "HEARTH_MODEL_CONNECTION"));
    await client.warmup();
    mock.enqueue({ fault: "reset-mid-stream", afterChunks: 1 });
    await assert.rejects(
      async () => {
        for await (const _chunk of client.createStream(hello)) {
          // read until it breaks
        }
      },
      (error) => HearthError.is(error, "HEARTH_MODEL_CONNECTION"),
    );
    assert.equal(mock.requests.filter((request) => request.path.endsWith("/chat/completions")).length, 2);
  } finally {
    await close();
  }
});
