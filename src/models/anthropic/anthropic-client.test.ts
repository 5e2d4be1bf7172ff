import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { HearthError } from "../../core/errors.ts";
import type { ModelRequest, ModelResponse, ModelStreamChunk } from "../../core/model-client.ts";
import { syntheticExchange } from "../../core/synthetic.ts";
import {
  type MockAnthropicServer,
  type MockAnthropicServerOptions,
  startMockAnthropicServer,
} from "../../testing/mock-anthropic-server.ts";
import { ConnectionPools } from "../connection-pools.ts";
import { AnthropicChatCompletionClient, type AnthropicChatCompletionClientOptions } from "./anthropic-client.ts";

const hello: ModelRequest = { messages: [{ role: "user", content: "hello there" }] };
const fastRetry = { initialDelayMs: 5, maxDelayMs: 20 };

let mock: MockAnthropicServer;
let pools: ConnectionPools;

function client(options: Partial<AnthropicChatCompletionClientOptions> = {}): AnthropicChatCompletionClient {
  return new AnthropicChatCompletionClient({
    model: "claude-sonnet-4-5",
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

const responseOf = (chunks: ModelStreamChunk[]) => {
  const last = chunks.at(-1);
  return last?.type === "response" ? last.response : undefined;
};
const isCode = (code: string) => (error: unknown) => HearthError.is(error) && error.code === code;

async function withMock(options: MockAnthropicServerOptions, run: (server: MockAnthropicServer) => Promise<void>) {
  const server = await startMockAnthropicServer(options);
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

describe("AnthropicChatCompletionClient against the mock Messages server", () => {
  before(async () => {
    mock = await startMockAnthropicServer({ apiKeys: Array.from({ length: 100 }, (_, index) => `key-${index + 1}`) });
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

  test("create sends a Messages request with x-api-key and anthropic-version and returns the reply with usage", async () => {
    const response = await client().create({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hello there" },
      ],
    });
    assert.equal(response.content, "You said: hello there");
    assert.equal(response.finishReason, "stop");
    assert.equal(response.model, "claude-sonnet-4-5");
    assert.ok(response.usage.promptTokens > 0 && response.usage.completionTokens > 0);
    const [request] = mock.requests;
    assert.equal(request?.path, "/v1/messages");
    assert.equal(request?.headers["x-api-key"], "key-1");
    assert.equal(request?.headers["anthropic-version"], "2023-06-01");
    assert.equal(request?.headers.authorization, undefined);
    assert.equal(request?.body?.system, "Be brief.");
    assert.equal(request?.body?.max_tokens, 4096);
    assert.equal(request?.body?.stream, undefined);
  });

  test("createStream yields text deltas, then the same response create gives", async () => {
    const chunks = await collect(client().createStream(hello));
    const deltas = chunks.filter((chunk) => chunk.type === "text-delta");
    assert.ok(deltas.length > 1);
    assert.equal(deltas.map((chunk) => chunk.delta).join(""), "You said: hello there");
    const response = responseOf(chunks);
    assert.equal(response?.content, "You said: hello there");
    assert.ok((response?.usage.promptTokens ?? 0) > 0 && (response?.usage.completionTokens ?? 0) > 0);
    assert.equal(mock.requests[0]?.body?.stream, true);
    assert.equal(mock.requests[0]?.headers.accept, "text/event-stream");
  });

  test("parallel tool calls arrive whole, streamed or not, and their results go back in one user message", async () => {
    const toolCalls = [
      { id: "toolu_1", name: "lookup_order", arguments: { order_id: "A123" } },
      { id: "toolu_2", name: "lookup_order", arguments: { order_id: "B201" } },
    ];
    const expected = [
      { id: "toolu_1", name: "lookup_order", arguments: '{"order_id":"A123"}' },
      { id: "toolu_2", name: "lookup_order", arguments: '{"order_id":"B201"}' },
    ];
    mock.enqueue({ toolCalls }, { toolCalls });
    const tools = [{ name: "lookup_order", description: "Look up an order", parameters: { type: "object" } }];
    const created = await client().create({ ...hello, tools });
    assert.deepEqual(created.toolCalls, expected);
    assert.equal(created.finishReason, "tool-calls");
    const streamed = responseOf(await collect(client().createStream({ ...hello, tools, parallelToolCalls: false })));
    assert.deepEqual(streamed?.toolCalls, expected);
    assert.deepEqual(mock.requests[1]?.body?.tool_choice, { type: "auto", disable_parallel_tool_use: true });
    await client().create({
      messages: [
        ...hello.messages,
        { role: "assistant", content: "", toolCalls: expected },
        {
          role: "tool",
          results: expected.map((call) => ({ callId: call.id, name: call.name, content: "shipped", isError: false })),
        },
      ],
      tools,
    });
    const last = mock.requests[2]?.body?.messages.at(-1);
    assert.equal(last?.role, "user");
    assert.deepEqual(Array.isArray(last?.content) ? last.content.map((block) => block.tool_use_id) : [], [
      "toolu_1",
      "toolu_2",
    ]);
  });

  test("thinking comes back as the thought with its signature, streamed or not, and is sent back with the tool calls", async () => {
    const reply = {
      reasoning: "The customer named an order.",
      signature: "sig-abc",
      toolCalls: [{ id: "toolu_1", name: "lookup_order", arguments: { order_id: "A123" } }],
    };
    mock.enqueue(reply, reply);
    const created = await client({ thinking: { budgetTokens: 2048 } }).create(hello);
    const blocks = [{ type: "thinking", thinking: "The customer named an order.", signature: "sig-abc" }];
    assert.equal(created.thought, "The customer named an order.");
    assert.deepEqual(JSON.parse(created.thoughtSignature ?? "[]"), blocks);
    const chunks = await collect(client().createStream(hello));
    assert.equal(
      chunks.flatMap((chunk) => (chunk.type === "thought-delta" ? [chunk.delta] : [])).join(""),
      "The customer named an order.",
    );
    assert.deepEqual(JSON.parse(responseOf(chunks)?.thoughtSignature ?? "[]"), blocks);
    assert.deepEqual(mock.requests[0]?.body?.thinking, { type: "enabled", budget_tokens: 2048 });
    await client().create({
      messages: [
        ...hello.messages,
        {
          role: "assistant",
          content: "",
          thought: created.thought ?? "",
          thoughtSignature: created.thoughtSignature ?? "",
          toolCalls: created.toolCalls,
        },
        { role: "tool", results: [{ callId: "toolu_1", name: "lookup_order", content: "shipped", isError: false }] },
      ],
    });
    const assistant = mock.requests[2]?.body?.messages[1];
    assert.deepEqual(Array.isArray(assistant?.content) ? assistant.content[0] : undefined, {
      type: "thinking",
      thinking: "The customer named an order.",
      signature: "sig-abc",
    });
  });

  test("an output schema is answered through the forced answer tool and comes back as the reply's JSON text", async () => {
    const format = {
      type: "json_schema" as const,
      name: "output",
      schema: { type: "object", properties: { city: { type: "string" } } },
    };
    mock.enqueue(
      { toolCalls: [{ name: "output", arguments: { city: "Paris" } }] },
      { toolCalls: [{ name: "output", arguments: { city: "Paris" } }] },
    );
    const created = await client().create({ ...hello, responseFormat: format });
    assert.deepEqual([created.content, created.finishReason, created.toolCalls], ['{"city":"Paris"}', "stop", []]);
    assert.deepEqual(mock.requests[0]?.body?.tool_choice, { type: "tool", name: "output" });
    const streamed = responseOf(await collect(client().createStream({ ...hello, responseFormat: format })));
    assert.deepEqual(JSON.parse(streamed?.content ?? ""), { city: "Paris" });
  });

  test("cache tokens: promptTokens is the whole prompt, with the cache reads and writes as details", async () => {
    mock.enqueue({
      content: "hi",
      usage: { promptTokens: 10, completionTokens: 2 },
      cacheReadTokens: 80,
      cacheWriteTokens: 5,
    });
    assert.deepEqual((await client().create(hello)).usage, {
      promptTokens: 95,
      completionTokens: 2,
      cachedPromptTokens: 80,
      cacheWritePromptTokens: 5,
    });
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

  test("529 overloaded, 5xx, a reset connection and malformed JSON are retried and then succeed", async () => {
    mock.enqueue(
      { fault: "overloaded" },
      { fault: "server-error", status: 503 },
      { fault: "reset" },
      { fault: "malformed-json" },
    );
    const response = await client({ maxRetries: 4 }).create(hello);
    assert.equal(response.content, "You said: hello there");
    assert.equal(mock.requests.length, 5);
  });

  test("each failure class surfaces as its documented error once retries are spent", async () => {
    const cases: [Parameters<MockAnthropicServer["enqueue"]>, string, number | undefined][] = [
      [[{ fault: "overloaded" }], "HEARTH_MODEL_SERVER", 529],
      [[{ fault: "server-error" }], "HEARTH_MODEL_SERVER", 500],
      [[{ fault: "server-error", status: 502 }], "HEARTH_MODEL_SERVER", 502],
      // Two: a reset on a reused connection before any answer is sent again once, at once.
      [[{ fault: "reset" }, { fault: "reset" }], "HEARTH_MODEL_CONNECTION", undefined],
      [[{ fault: "malformed-json" }], "HEARTH_MODEL_INVALID_RESPONSE", undefined],
      [[{ fault: "status", status: 400 }], "HEARTH_MODEL_BAD_REQUEST", 400],
      [[{ fault: "status", status: 404 }], "HEARTH_MODEL_BAD_REQUEST", 404],
      [[{ fault: "status", status: 413 }], "HEARTH_MODEL_BAD_REQUEST", 413],
      [[{ fault: "status", status: 403 }], "HEARTH_MODEL_AUTH", 403],
    ];
    for (const [faults, code, status] of cases) {
      mock.enqueue(...faults);
      await assert.rejects(
        client({ maxRetries: 0 }).create(hello),
        (error) => isCode(code)(error) && (error as HearthError).status === status,
        `${code} ${status}`,
      );
    }
  });

  test("401 and 400 are never retried", async () => {
    await assert.rejects(
      client({ apiKey: "wrong", maxRetries: 5 }).create(hello),
      (error) => isCode("HEARTH_MODEL_AUTH")(error) && (error as HearthError).attempts === 1,
    );
    mock.enqueue({ fault: "status", status: 400 });
    await assert.rejects(
      client({ maxRetries: 5 }).create(hello),
      (error) => isCode("HEARTH_MODEL_BAD_REQUEST")(error) && (error as HearthError).attempts === 1,
    );
    assert.equal(mock.requests.length, 2);
  });

  test("an error event inside a stream is classified by its type, after the deltas already seen", async () => {
    mock.enqueue({ fault: "stream-error", afterChunks: 4 });
    const seen: ModelStreamChunk[] = [];
    await assert.rejects(
      async () => {
        for await (const chunk of client().createStream(hello)) seen.push(chunk);
      },
      (error) => isCode("HEARTH_MODEL_SERVER")(error) && /overloaded_error/.test((error as Error).message),
    );
    assert.ok(seen.length >= 1 && seen.every((chunk) => chunk.type === "text-delta"));
    mock.enqueue({ fault: "stream-error", afterChunks: 1, errorType: "invalid_request_error" });
    await assert.rejects(
      collect(client().createStream(hello)),
      (error) => isCode("HEARTH_MODEL_BAD_REQUEST")(error) && !(error as HearthError).retryable,
    );
  });

  test("a connection reset in the middle of a stream is a connection error after the deltas already seen", async () => {
    mock.enqueue({ fault: "reset-mid-stream", afterChunks: 4 });
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
    const closed = await startMockAnthropicServer();
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
    await withMock({ chunkDelayMs: 200, chunkSize: 1 }, async (slow) => {
      const controller = new AbortController();
      const stream = client({ baseURL: slow.url }).createStream(hello, { signal: controller.signal });
      await assert.rejects(async () => {
        for await (const chunk of stream) if (chunk.type === "text-delta") controller.abort();
      }, isCode("HEARTH_ABORTED"));
      await slow.waitForEarlyClose(0);
    });
  });

  test("warmup proves the key with GET /v1/models?limit=1, spending no tokens; a bad key fails at once, unretried", async () => {
    await client().warmup();
    assert.equal(mock.requests[0]?.method, "GET");
    assert.equal(mock.requests[0]?.path, "/v1/models?limit=1");
    assert.equal(mock.requests[0]?.headers["x-api-key"], "key-1");
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
        const first = request.body?.messages[0]?.content;
        const text = Array.isArray(first) ? String(first[0]?.text) : String(first);
        assert.equal(request.headers["x-api-key"], `key-${text.replace("from ", "")}`);
      }
    } finally {
      limited.close();
    }
  });

  test("a stream that stalls between chunks for longer than timeoutMs is HEARTH_MODEL_TIMEOUT", async () => {
    await withMock({ chunkDelayMs: 500 }, async (stalling) => {
      await assert.rejects(
        collect(client({ baseURL: stalling.url, timeoutMs: 100, maxRetries: 0 }).createStream(hello)),
        isCode("HEARTH_MODEL_TIMEOUT"),
      );
      await stalling.waitForEarlyClose(0);
    });
  });

  test("an answer that stalls midway, streamed or plain, times out and is retried; a slow stream within timeoutMs completes", async () => {
    const expected = (await client().create(hello)).content;
    mock.enqueue({ fault: "stall-mid-stream", afterChunks: 0 });
    assert.ok((await collect(client({ timeoutMs: 100, maxRetries: 1 }).createStream(hello))).length > 0);
    mock.enqueue({ fault: "stall-mid-stream" });
    assert.equal((await client({ timeoutMs: 100, maxRetries: 1 }).create(hello)).content, expected);
    mock.enqueue({ fault: "stall-mid-stream", afterChunks: 4 }, { fault: "stall-mid-stream" });
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

  test("an image is sent in Anthropic's format: a data: URL as base64, an http URL as a url source", async () => {
    await client().create({
      messages: [
        {
          role: "user",
          content: [
            { type: "image", url: "data:image/jpeg;base64,/9j/4AAQ" },
            { type: "image", url: "https://example.com/ant.jpg" },
            { type: "text", text: "What is this?" },
          ],
        },
      ],
    });
    const content = mock.requests[0]?.body?.messages[0]?.content;
    assert.deepEqual(Array.isArray(content) ? content.map((block) => block.source) : [], [
      { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" },
      { type: "url", url: "https://example.com/ant.jpg" },
      undefined,
    ]);
  });

  test("bad options fail at construction with the field named", () => {
    for (const [options, field] of [
      [{ model: "" }, "model"],
      [{ model: "m", baseURL: "not a url" }, "baseURL"],
      [{ model: "m", baseURL: "ftp://x" }, "baseURL"],
      [{ model: "m", timeoutMs: -1 }, "timeoutMs"],
      [{ model: "m", maxRetries: 1.5 }, "maxRetries"],
      [{ model: "m", maxTokens: 0 }, "maxTokens"],
      [{ model: "m", thinking: { budgetTokens: 10 } }, "thinking"],
      [{ model: "m", provider: "https://x" }, "provider"],
    ] as const) {
      assert.throws(
        () => new AnthropicChatCompletionClient({ baseURL: mock.url, ...options }),
        (error) => isCode("HEARTH_CONFIG_INVALID")(error) && (error as HearthError).field === field,
        field,
      );
    }
  });
});

test("its synthetic exchange parses a stub answer with the code that parses real ones, streamed or not, and sends nothing", async () => {
  const client = new AnthropicChatCompletionClient({
    model: "claude-haiku-4-5",
    baseURL: "http://127.0.0.1:9",
    apiKey: "k",
  });
  const exchange = client[syntheticExchange];
  const request = {
    messages: [{ role: "user" as const, content: "hi" }],
    tools: [{ name: "lookup", description: "d", parameters: { type: "object" } }],
  };
  const call: ModelResponse = {
    finishReason: "tool-calls",
    content: "",
    toolCalls: [{ id: "call_synthetic", name: "lookup", arguments: "{}" }],
    usage: { promptTokens: 0, completionTokens: 0 },
  };
  const text: ModelResponse = {
    finishReason: "stop",
    content: "ok",
    toolCalls: [],
    usage: { promptTokens: 0, completionTokens: 0 },
  };
  for (const answer of [call, text]) {
    assert.deepEqual(exchange.create(request, answer), { ...answer, model: "claude-haiku-4-5" });
    const chunks = await collect(exchange.createStream(request, answer));
    assert.deepEqual(chunks.at(-1), { type: "response", response: { ...answer, model: "claude-haiku-4-5" } });
    assert.equal(chunks[0]?.type, answer === call ? "tool-call-delta" : "text-delta");
  }
});

test("a client for api.anthropic.com without a key says so when it is built, naming ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL points it elsewhere", () => {
  const saved = { key: process.env.ANTHROPIC_API_KEY, base: process.env.ANTHROPIC_BASE_URL };
  delete process.env.ANTHROPIC_API_KEY;
  delete process.env.ANTHROPIC_BASE_URL;
  try {
    assert.throws(
      () => new AnthropicChatCompletionClient({ model: "claude-sonnet-4-5" }),
      (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && /ANTHROPIC_API_KEY/.test(error.message),
    );
    assert.equal(
      new AnthropicChatCompletionClient({ model: "claude-sonnet-4-5", apiKey: "sk-ant" }).origin,
      "https://api.anthropic.com",
    );
    assert.equal(
      new AnthropicChatCompletionClient({ model: "claude-sonnet-4-5", apiKey: "sk-ant" }).provider,
      "anthropic",
    );
    process.env.ANTHROPIC_API_KEY = "sk-ant-from-env";
    process.env.ANTHROPIC_BASE_URL = "http://127.0.0.1:4010";
    const fromEnv = new AnthropicChatCompletionClient({ model: "claude-sonnet-4-5" });
    assert.deepEqual([fromEnv.origin, fromEnv.provider], ["http://127.0.0.1:4010", "anthropic-compatible"]);
  } finally {
    for (const [name, value] of [
      ["ANTHROPIC_API_KEY", saved.key],
      ["ANTHROPIC_BASE_URL", saved.base],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});
