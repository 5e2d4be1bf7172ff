// The mock model server behaves like a provider where cold starts come from: TLS with a
// certificate the client is told to trust, a cost for each new connection, and quiet connections
// closed by the server.
import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import { ConnectionPools } from "../models/connection-pools.ts";
import { OpenAIChatCompletionClient } from "../models/openai/openai-client.ts";
import { type MockOpenAIServer, startMockOpenAIServer } from "./mock-openai-server.ts";

const hello = { messages: [{ role: "user" as const, content: "hello" }] };

/** A client of the mock on the given pools; `maxRetries: 0` where a failure must show at once. */
const clientOf = (mock: MockOpenAIServer, pools: ConnectionPools, maxRetries?: number) =>
  new OpenAIChatCompletionClient({
    model: "m",
    baseURL: mock.url,
    apiKey: "k",
    connectionPools: pools,
    ...(maxRetries === undefined ? {} : { maxRetries }),
  });

test("with tls, the mock serves HTTPS: a client that trusts its certificate gets answers, one that does not is refused", async () => {
  const mock = await startMockOpenAIServer({ tls: true });
  const pools = new ConnectionPools({ ca: mock.certificate ?? [] });
  const untrusting = new ConnectionPools();
  try {
    assert.match(mock.url, /^https:\/\/127\.0\.0\.1:\d+\/v1$/);
    assert.match(mock.certificate ?? "", /^-----BEGIN CERTIFICATE-----/);
    const client = clientOf(mock, pools);
    assert.equal((await client.create(hello)).content, "You said: hello");
    await client.warmup();
    const refused = clientOf(mock, untrusting, 0);
    await assert.rejects(refused.create(hello), (error) => HearthError.is(error, "HEARTH_MODEL_CONNECTION"));
  } finally {
    pools.close();
    untrusting.close();
    await mock.close();
  }
});

test("connectionDelayMs is paid once per connection: a pooled connection answers without it", async () => {
  const mock = await startMockOpenAIServer({ connectionDelayMs: 400 });
  const pools = new ConnectionPools();
  try {
    const client = clientOf(mock, pools);
    const timed = async () => {
      const started = performance.now();
      await client.create(hello);
      return performance.now() - started;
    };
    const first = await timed();
    const second = await timed();
    assert.ok(first >= 390, `the first request on a new connection waited (${first.toFixed(1)} ms)`);
    assert.ok(second < 390, `the second, on the same connection, did not (${second.toFixed(1)} ms)`);
    assert.equal(mock.connectionCount, 1);
  } finally {
    pools.close();
    await mock.close();
  }
});

test("idleTimeoutMs: the server closes a connection quiet that long; a client's next request opens a new one and succeeds", async () => {
  const mock = await startMockOpenAIServer({ idleTimeoutMs: 300 });
  const pools = new ConnectionPools();
  try {
    // A raw connection, so nothing on the client side closes it: the server does, once quiet.
    const { connect } = await import("node:net");
    const socket = connect(mock.port, "127.0.0.1");
    const closedAfter = await new Promise<number>((resolve, reject) => {
      let answeredAt = 0;
      socket.once("error", reject);
      socket.on("data", () => (answeredAt ||= performance.now()));
      socket.once("close", () => resolve(performance.now() - answeredAt));
      socket.write("GET /v1/models HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: keep-alive\r\n\r\n");
    });
    assert.ok(closedAfter >= 250 && closedAfter < 2_000, `closed ${closedAfter.toFixed(0)} ms after its answer`);
    // Node's own client closes an idle socket a second before the server's advertised timeout;
    // either way the next request finds a fresh connection and succeeds.
    const client = clientOf(mock, pools);
    await client.create(hello);
    const before = mock.connectionCount;
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(mock.openConnections, 0);
    assert.equal((await client.create(hello)).content, "You said: hello");
    assert.equal(mock.connectionCount, before + 1, "a new connection was opened for it");
  } finally {
    pools.close();
    await mock.close();
  }
});

test("a reconnect resumes the TLS session instead of a full handshake, and the mock counts it", async () => {
  const mock = await startMockOpenAIServer({ tls: true, idleTimeoutMs: 200 });
  const pools = new ConnectionPools({ ca: mock.certificate ?? [] });
  try {
    const client = clientOf(mock, pools);
    await client.warmup();
    assert.equal(mock.resumedSessions, 0, "the first connection makes a full handshake");
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(mock.openConnections, 0, "the server closed the quiet connection");
    assert.equal((await client.create(hello)).content, "You said: hello");
    assert.equal(mock.connectionCount, 2);
    assert.equal(mock.resumedSessions, 1, "the second resumed the first one's session");
  } finally {
    pools.close();
    await mock.close();
  }
});

test("maxConcurrent: a provider's capacity; requests past it wait for a place, in arrival order", async () => {
  const mock = await startMockOpenAIServer({ latencyMs: 40, maxConcurrent: 1 });
  const pools = new ConnectionPools();
  try {
    const client = clientOf(mock, pools);
    const started = performance.now();
    const finished: number[] = [];
    await Promise.all(
      [0, 1, 2].map((index) =>
        client.create({ messages: [{ role: "user", content: `request ${index}` }] }).then(() => finished.push(index)),
      ),
    );
    // One at a time: three 40 ms answers take at least 120 ms (timers never fire early), where three at once take 40.
    assert.ok(performance.now() - started >= 120, `${performance.now() - started} ms`);
    assert.deepEqual(finished, [0, 1, 2]);
  } finally {
    await mock.close();
    await pools.close();
  }
});
