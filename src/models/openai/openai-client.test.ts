import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { HearthError } from "../../core/errors.ts";
import type { ModelRequest, ModelResponse, ModelStreamChunk } from "../../core/model-client.ts";
import { syntheticExchange } from "../../core/synthetic.ts";
import { startMockOpenAIServer, type MockOpenAIServer } from "../../testing/mock-openai-server.ts";
import { ConnectionPools } from "../connection-pools.ts";
import { AzureOpenAIChatCompletionClient } from "./azure-client.ts";
import { OpenAIChatCompletionClient, type OpenAIChatCompletionClientOptions } from "./openai-client.ts";

const hello: ModelRequest = { messages: [{ role: "user", content: "hello there" }] };
const fastRetry = { initialDelayMs: 5, maxDelayMs: 20 };

let mock: MockOpenAIServer;
let pools: ConnectionPools;

function client(options: Partial<OpenAIChatCompletionClientOptions> = {}): OpenAIChatCompletionClient {
  return new OpenAIChatCompletionClient({
    model: "mock-model",
    baseURL: mock.url,
    apiKey: "key-1",
    connectionPools: pools,
    retry: fastRetry,
    ...options,
  });
}

async function collect(stream: AsyncIterable<ModelStreamChunk>): Promise<ModelStreamChunk[]> {
  const chunks: ModelStreamChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const isCode = (code: string) => (error: unknown) => HearthError.is(error) && error.code === code;

describe("OpenAIChatCompletionClient against the mock server", () => {
  before(async () => {
    mock = await startMockOpenAIServer({ apiKeys: Array.from({ length: 100 }, (_, index) => `key-${index + 1}`) });
  });
  beforeEach(() => {
    pools?.close();
    pools = new ConnectionPools();
    mock.requests.length = 0;
  });
  after(async () => {
    pools.close();
    await mock.close();
  });

  test("create sends a Chat Completions request with the key and returns the reply with usage", async () => {
    const response = await client().create(hello);
    assert.equal(response.content, "You said: hello there");
    assert.equal(response.finishReason, "stop");
    assert.ok(response.usage.promptTokens > 0 && response.usage.completionTokens > 0);
    const [request] = mock.requests;
    assert.equal(request?.path, "/v1/chat/completions");
    assert.equal(request?.headers.authorization, "Bearer key-1");
    assert.equal(request?.body?.model, "mock-model");
    assert.equal(request?.body?.stream, undefined);
  });

  test("createStream yields text deltas, then the same response create gives, with the usage chunk", async () => {
    const chunks = await collect(client().createStream(hello));
    const deltas = chunks.filter((chunk) => chunk.type === "text-delta");
    assert.ok(deltas.length > 1);
    assert.equal(deltas.map((chunk) => chunk.delta).join(""), "You said: hello there");
    const last = chunks.at(-1);
    assert.equal(last?.type, "response");
    const response = last?.type === "response" ? last.response : undefined;
    assert.equal(response?.content, "You said: hello there");
    assert.ok((response?.usage.promptTokens ?? 0) > 0);
    assert.deepEqual(mock.requests[0]?.body?.stream_options, { include_usage: true });
    assert.equal(mock.requests[0]?.headers.accept, "text/event-stream");
  });

  test("parallel tool calls arrive whole, streamed or not", async () => {
    const toolCalls = [
      { id: "c1", name: "lookup_order", arguments: { order_id: "A123" } },
      { id: "c2", name: "lookup_order", arguments: { order_id: "B201" } },
    ];
    const expected = [
      { id: "c1", name: "lookup_order", arguments: '{"order_id":"A123"}' },
      { id: "c2", name: "lookup_order", arguments: '{"order_id":"B201"}' },
    ];
    mock.enqueue({ toolCalls }, { toolCalls });
    const created = await client().create(hello);
    assert.deepEqual(created.toolCalls, expected);
    const streamed = (await collect(client().createStream(hello))).at(-1);
    assert.deepEqual(streamed?.type === "response" ? streamed.response.toolCalls : undefined, expected);
    assert.equal(streamed?.type === "response" ? streamed.response.finishReason : undefined, "tool-calls");
  });

  test("429 with Retry-After is retried after the wait and then succeeds", async () => {
    mock.enqueue({ fault: "rate-limit", retryAfterMs: 30 });
    const response = await client().create(hello);
    assert.equal(response.content, "You said: hello there");
    assert.equal(mock.requests.length, 2);
    assert.ok((mock.requests[1]?.receivedAt ?? 0) - (mock.requests[0]?.receivedAt ?? 0) >= 25);
  });

  test("429 that outlasts the retries surfaces as HEARTH_MODEL_RATE_LIMITED with retryAfterMs", async () => {
    mock.enqueue({ fault: "rate-limit", retryAfterSeconds: 1 });
    await assert.rejects(
      client({ maxRetries: 0 }).create(hello),
      (error) => isCode("HEARTH_MODEL_RATE_LIMITED")(error) && (error as HearthError).retryAfterMs === 1000,
    );
  });

  test("5xx, a reset connection and malformed JSON are retried and then succeed", async () => {
    mock.enqueue({ fault: "server-error", status: 503 }, { fault: "reset" }, { fault: "malformed-json" });
    const response = await client({ maxRetries: 3 }).create(hello);
    assert.equal(response.content, "You said: hello there");
    assert.equal(mock.requests.length, 4);
  });

  test("each failure class surfaces as its documented error once retries are spent", async () => {
    const cases: [Parameters<MockOpenAIServer["enqueue"]>, string][] = [
      [[{ fault: "server-error" }], "HEARTH_MODEL_SERVER"],
      // Two: a reset on a reused connection before any answer is sent again once, at once (stale-socket.test.ts).
      [[{ fault: "reset" }, { fault: "reset" }], "HEARTH_MODEL_CONNECTION"],
      [[{ fault: "malformed-json" }], "HEARTH_MODEL_INVALID_RESPONSE"],
      [[{ fault: "status", status: 400 }], "HEARTH_MODEL_BAD_REQUEST"],
      [[{ fault: "status", status: 403 }], "HEARTH_MODEL_AUTH"],
    ];
    for (const [faults, code] of cases) {
      mock.enqueue(...faults);
      await assert.rejects(client({ maxRetries: 0 }).create(hello), isCode(code), code);
    }
  });

  test("401 and 400 are never retried", async () => {
    await assert.rejects(
      client({ apiKey: "wrong", maxRetries: 5 }).create(hello),
      (error) => isCode("HEARTH_MODEL_AUTH")(error) && (error as HearthError).attempts === 1,
    );
    mock.enqueue({ fault: "status", status: 400 });
    await assert.rejects(client({ maxRetries: 5 }).create(hello), isCode("HEARTH_MODEL_BAD_REQUEST"));
    assert.equal(mock.requests.length, 2);
  });

  test("a connection reset in the middle of a stream is a connection error after the deltas already seen", async () => {
    mock.enqueue({ fault: "reset-mid-stream", afterChunks: 3 });
    const seen: ModelStreamChunk[] = [];
    await assert.rejects(async () => {
      for await (const chunk of client().createStream(hello)) seen.push(chunk);
    }, isCode("HEARTH_MODEL_CONNECTION"));
    assert.ok(seen.length >= 1 && seen.every((chunk) => chunk.type === "text-delta"));
  });

  test("a provider slower than timeoutMs is HEARTH_MODEL_TIMEOUT, and its connection is closed", async () => {
    mock.enqueue({ fault: "delay", ms: 10_000 });
    await assert.rejects(
      client({ timeoutMs: 50, maxRetries: 0 }).create(hello),
      (error) => isCode("HEARTH_MODEL_TIMEOUT")(error) && (error as HearthError).timeoutMs === 50,
    );
    await mock.waitForEarlyClose(0);
  });

  test("nothing listening is a connection error", async () => {
    const closed = await startMockOpenAIServer();
    const url = closed.url;
    await closed.close();
    await assert.rejects(client({ baseURL: url, maxRetries: 0 }).create(hello), isCode("HEARTH_MODEL_CONNECTION"));
  });

  test("aborting a call closes its HTTP request at once", async () => {
    mock.enqueue({ fault: "delay", ms: 30_000 });
    const controller = new AbortController();
    const pending = client().create(hello, { signal: controller.signal });
    while (mock.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    controller.abort();
    await assert.rejects(pending, isCode("HEARTH_ABORTED"));
    await mock.waitForEarlyClose(0);
  });

  test("aborting a stream midway closes the connection", async () => {
    const slow = await startMockOpenAIServer({ chunkDelayMs: 200, chunkSize: 1 });
    try {
      const controller = new AbortController();
      const stream = client({ baseURL: slow.url }).createStream(hello, { signal: controller.signal });
      await assert.rejects(async () => {
        for await (const chunk of stream) if (chunk.type === "text-delta") controller.abort();
      }, isCode("HEARTH_ABORTED"));
      await slow.waitForEarlyClose(0);
    } finally {
      await slow.close();
    }
  });

  test("warmup proves the key with GET /models; a bad key fails at once, unretried", async () => {
    await client().warmup();
    assert.equal(mock.requests[0]?.method, "GET");
    assert.equal(mock.requests[0]?.path, "/v1/models");
    await assert.rejects(client({ apiKey: "bad", maxRetries: 3 }).warmup(), isCode("HEARTH_MODEL_AUTH"));
    assert.equal(mock.requests.length, 2);
  });

  test("clients for 100 different keys against one origin share one pool and its connections", async () => {
    const clients = Array.from({ length: 100 }, (_, index) => client({ apiKey: `key-${index + 1}` }));
    const before = mock.connectionCount;
    for (const each of clients) await each.warmup();
    assert.equal(pools.size, 1);
    assert.equal(mock.connectionCount - before, 1, "sequential calls reuse one keep-alive connection");
    const limited = new ConnectionPools({ maxSocketsPerOrigin: 8 });
    try {
      const burstStart = mock.connectionCount;
      mock.requests.length = 0;
      const replies = await Promise.all(
        Array.from({ length: 100 }, (_, index) =>
          client({ apiKey: `key-${index + 1}`, connectionPools: limited }).create({
            messages: [{ role: "user", content: `from ${index + 1}` }],
          }),
        ),
      );
      assert.equal(limited.size, 1);
      assert.ok(mock.connectionCount - burstStart <= 8, `opened ${mock.connectionCount - burstStart} connections`);
      for (const [index, reply] of replies.entries()) assert.equal(reply.content, `You said: from ${index + 1}`);
      for (const request of mock.requests) {
        const sender = String(request.body?.messages[0]?.content).replace("from ", "");
        assert.equal(request.headers.authorization, `Bearer key-${sender}`);
      }
    } finally {
      limited.close();
    }
  });

  test("a stream that stalls between chunks for longer than timeoutMs is HEARTH_MODEL_TIMEOUT", async () => {
    const stalling = await startMockOpenAIServer({ chunkDelayMs: 500 });
    try {
      await assert.rejects(
        collect(client({ baseURL: stalling.url, timeoutMs: 100, maxRetries: 0 }).createStream(hello)),
        isCode("HEARTH_MODEL_TIMEOUT"),
      );
      await stalling.waitForEarlyClose(0);
    } finally {
      await stalling.close();
    }
  });

  test("an answer that stalls midway, streamed or plain, times out and is retried; a slow stream within timeoutMs completes", async () => {
    const expected = (await client().create(hello)).content;
    // Before any delta was passed on, a stalled stream is retried; after, the caller has text and gets the timeout.
    mock.enqueue({ fault: "stall-mid-stream", afterChunks: 0 });
    assert.ok((await collect(client({ timeoutMs: 100, maxRetries: 1 }).createStream(hello))).length > 0);
    mock.enqueue({ fault: "stall-mid-stream" });
    assert.equal((await client({ timeoutMs: 100, maxRetries: 1 }).create(hello)).content, expected);
    mock.enqueue({ fault: "stall-mid-stream", afterChunks: 2 }, { fault: "stall-mid-stream" });
    await assert.rejects(
      collect(client({ timeoutMs: 100, maxRetries: 1 }).createStream(hello)),
      isCode("HEARTH_MODEL_TIMEOUT"),
    );
    await assert.rejects(client({ timeoutMs: 100, maxRetries: 0 }).create(hello), isCode("HEARTH_MODEL_TIMEOUT"));
    mock.enqueue({ fault: "slow-stream", chunkDelayMs: 30 });
    const started = performance.now();
    const chunks = await collect(client({ timeoutMs: 100, maxRetries: 0 }).createStream(hello));
    assert.ok(chunks.length > 0 && performance.now() - started >= 30);
  });

  test("Azure OpenAI: deployment in the path, api-version in the query, api-key header", async () => {
    const origin = new URL(mock.url).origin;
    const azure = new AzureOpenAIChatCompletionClient({
      model: "gpt-4o",
      azureEndpoint: origin,
      azureDeployment: "prod-4o",
      apiVersion: "2024-10-21",
      apiKey: "key-7",
      connectionPools: pools,
    });
    await azure.warmup();
    const response = await azure.create(hello);
    assert.equal(response.content, "You said: hello there");
    assert.deepEqual(
      mock.requests.map((request) => [
        request.method,
        request.path,
        request.headers["api-key"],
        request.headers.authorization,
      ]),
      [
        ["GET", "/openai/models?api-version=2024-10-21", "key-7", undefined],
        ["POST", "/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21", "key-7", undefined],
      ],
    );
    assert.throws(
      () =>
        new AzureOpenAIChatCompletionClient({
          model: "m",
          azureEndpoint: origin,
          azureDeployment: "",
          apiVersion: "v",
        }),
      isCode("HEARTH_CONFIG_INVALID"),
    );
  });

  test("bad options fail at construction with the field named", () => {
    for (const [options, field] of [
      [{ model: "" }, "model"],
      [{ model: "m", baseURL: "not a url" }, "baseURL"],
      [{ model: "m", baseURL: "ftp://x" }, "baseURL"],
      [{ model: "m", timeoutMs: -1 }, "timeoutMs"],
      [{ model: "m", maxRetries: 1.5 }, "maxRetries"],
    ] as const) {
      assert.throws(
        () => new OpenAIChatCompletionClient(options),
        (error) => isCode("HEARTH_CONFIG_INVALID")(error) && (error as HearthError).field === field,
        field,
      );
    }
  });
});

test("its synthetic exchange parses a stub answer with the code that parses real ones, streamed or not, and sends nothing", async () => {
  const client = new OpenAIChatCompletionClient({ model: "m", baseURL: "http://127.0.0.1:9/v1", apiKey: "k" });
  const exchange = client[syntheticExchange];
  const request = {
    messages: [{ role: "user" as const, content: "hi" }],
    tools: [{ name: "lookup", description: "d", parameters: { type: "object" } }],
  };
  const call: ModelResponse = {
    finishReason: "tool-calls",
    content: "",
    toolCalls: [{ id: "c1", name: "lookup", arguments: "{}" }],
    usage: { promptTokens: 0, completionTokens: 0 },
  };
  const text: ModelResponse = {
    finishReason: "stop",
    content: "ok",
    toolCalls: [],
    usage: { promptTokens: 0, completionTokens: 0 },
  };
  for (const answer of [call, text]) {
    assert.deepEqual(exchange.create(request, answer), { ...answer, model: "m" });
    const chunks: ModelStreamChunk[] = [];
    for await (const chunk of exchange.createStream(request, answer)) chunks.push(chunk);
    assert.deepEqual(chunks.at(-1), { type: "response", response: { ...answer, model: "m" } });
    assert.equal(chunks[0]?.type, answer === call ? "tool-call-delta" : "text-delta");
  }
});

test("a client for api.openai.com without a key says so when it is built, naming OPENAI_API_KEY; a local server needs none", () => {
  const saved = { key: process.env.OPENAI_API_KEY, base: process.env.OPENAI_BASE_URL };
  delete process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_BASE_URL;
  try {
    assert.throws(
      () => new OpenAIChatCompletionClient({ model: "gpt-4o-mini" }),
      (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && /OPENAI_API_KEY/.test(error.message),
    );
    assert.throws(() => new OpenAIChatCompletionClient({ model: "gpt-4o-mini", apiKey: "" }), /OPENAI_API_KEY/);
    new OpenAIChatCompletionClient({ model: "llama3", baseURL: "http://127.0.0.1:11434/v1" });
    new OpenAIChatCompletionClient({ model: "gpt-4o-mini", apiKey: "sk-given" });
    new OpenAIChatCompletionClient({ model: "gpt-4o-mini", headers: { authorization: "Bearer from-a-gateway" } });
    process.env.OPENAI_API_KEY = "sk-from-env";
    new OpenAIChatCompletionClient({ model: "gpt-4o-mini" });
  } finally {
    for (const [name, value] of [
      ["OPENAI_API_KEY", saved.key],
      ["OPENAI_BASE_URL", saved.base],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});
