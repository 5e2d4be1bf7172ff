// A process frozen and thawed (a suspended machine, a Lambda environment between invocations, a
// stopped process) finds its pooled sockets suspect: they are dropped before use, so the first call
// after the thaw opens a fresh connection and does not fail. Simulated with the pools' clocks.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startMockOpenAIServer } from "../testing/mock-openai-server.ts";
import { ConnectionPools, type PoolClock } from "./connection-pools.ts";
import { OpenAIChatCompletionClient } from "./openai/openai-client.ts";

const hello = { messages: [{ role: "user" as const, content: "hello" }] };

/** Real clocks, each of which a test can push forward. */
function adjustableClock() {
  const ahead = { monotonic: 0, wall: 0 };
  const clock: PoolClock = {
    monotonic: () => performance.now() + ahead.monotonic,
    wall: () => Date.now() + ahead.wall,
  };
  return { clock, ahead };
}

/** A warmed client (one idle socket in its pool) with no retries of its own: what succeeds below succeeds the first time. */
async function warmClient(clock: PoolClock) {
  const mock = await startMockOpenAIServer({ idleTimeoutMs: 120_000 });
  const pools = new ConnectionPools({ clock, idleTimeoutMs: 30_000 });
  const client = new OpenAIChatCompletionClient({
    model: "m",
    baseURL: mock.url,
    apiKey: "k",
    maxRetries: 0,
    connectionPools: pools,
  });
  await client.warmup();
  return {
    mock,
    pools,
    client,
    close: async () => {
      pools.close();
      await mock.close();
    },
  };
}

test("a suspended machine (wall clock jumps, monotonic does not): the idle socket is dropped and the call opens a fresh one", async () => {
  const { clock, ahead } = adjustableClock();
  const { mock, pools, client, close } = await warmClient(clock);
  try {
    assert.equal((await client.create(hello)).content, "You said: hello");
    const connections = mock.connectionCount;
    ahead.wall += 15 * 60_000;
    assert.equal((await client.create(hello)).content, "You said: hello");
    assert.equal(mock.connectionCount, connections + 1, "a fresh connection, not the one from before the freeze");
    assert.equal(pools.staleSocketsDropped, 1);
    assert.equal(mock.requests.filter((request) => request.path.endsWith("/chat/completions")).length, 2);
  } finally {
    await close();
  }
});

test("a stopped process (idle past the pool's own timeout, its timers never ran): the idle socket is dropped", async () => {
  const { clock, ahead } = adjustableClock();
  const { mock, pools, client, close } = await warmClient(clock);
  try {
    const connections = mock.connectionCount;
    ahead.monotonic += 31_000;
    ahead.wall += 31_000;
    assert.equal((await client.create(hello)).content, "You said: hello");
    assert.equal(mock.connectionCount, connections + 1);
    assert.equal(pools.staleSocketsDropped, 1);
  } finally {
    await close();
  }
});

test("no freeze, no drop: a socket idle for less than the pool keeps one is reused, whatever small drift the clocks show", async () => {
  const { clock, ahead } = adjustableClock();
  const { mock, pools, client, close } = await warmClient(clock);
  try {
    const connections = mock.connectionCount;
    ahead.monotonic += 10_000;
    ahead.wall += 10_400;
    assert.equal((await client.create(hello)).content, "You said: hello");
    assert.equal(mock.connectionCount, connections, "the warm connection served it");
    assert.equal(pools.staleSocketsDropped, 0);
  } finally {
    await close();
  }
});
