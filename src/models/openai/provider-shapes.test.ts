/**
 * What real providers send (fixtures/README.md names each recording's public source), through the
 * plain path (`fromWireResponse`, `create()`) and the streamed one (`StreamAssembler`,
 * `createStream()`) alike.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, beforeEach, describe, test } from "node:test";
import { HearthError } from "../../core/errors.ts";
import type { ModelRequest, ModelResponse, ModelStreamChunk } from "../../core/model-client.ts";
import { startMockOpenAIServer, type MockOpenAIServer } from "../../testing/mock-openai-server.ts";
import { ConnectionPools } from "../connection-pools.ts";
import { OpenAIChatCompletionClient } from "./openai-client.ts";
import { SseParser } from "./sse.ts";
import { toWireRequest } from "./wire-request.ts";
import { fromWireResponse, StreamAssembler } from "./wire-response.ts";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const plain = (name: string) => fromWireResponse(JSON.parse(fixture(name)));

function streamed(name: string): { chunks: ModelStreamChunk[]; response: ModelResponse } {
  const parser = new SseParser();
  const assembler = new StreamAssembler();
  const chunks: ModelStreamChunk[] = [];
  for (const data of [...parser.feed(fixture(name)), ...parser.end()])
    if (data !== "[DONE]") chunks.push(...assembler.push(JSON.parse(data)));
  return { chunks, response: assembler.finish() };
}

const deltas = (chunks: readonly ModelStreamChunk[], type: "text-delta" | "thought-delta") =>
  chunks.map((chunk) => (chunk.type === type ? chunk.delta : "")).join("");

function streamError(name: string): unknown {
  try {
    streamed(name);
  } catch (error) {
    return error;
  }
  assert.fail(`${name} did not throw`);
}

const recordedThought = (name: string, field: string) =>
  (JSON.parse(fixture(name)) as { choices: [{ message: Record<string, string> }] }).choices[0].message[field];

describe("reasoning in `reasoning` and `reasoning_content` is the thought", () => {
  test("plain: Ollama's and Groq's message.reasoning, DeepSeek's reasoning_content", () => {
    const ollama = plain("completion-ollama-reasoning.json");
    assert.equal(ollama.content, "Paris.");
    assert.equal(ollama.thought, recordedThought("completion-ollama-reasoning.json", "reasoning"));
    assert.equal(ollama.thoughtField, undefined);
    const groq = plain("completion-groq-reasoning.json");
    assert.match(groq.content, /contains \*\*3\*\* instances/);
    assert.equal(groq.thought, recordedThought("completion-groq-reasoning.json", "reasoning"));
    const deepseek = plain("completion-deepseek-tool-call.json");
    assert.equal(deepseek.thought, recordedThought("completion-deepseek-tool-call.json", "reasoning_content"));
    assert.equal(deepseek.thoughtField, "reasoning_content");
  });

  test("streamed: Groq's delta.reasoning and DeepSeek's delta.reasoning_content", () => {
    const groq = streamed("stream-groq-reasoning.sse");
    assert.equal(groq.response.thought, "Okay, let me try to");
    assert.equal(deltas(groq.chunks, "thought-delta"), groq.response.thought);
    assert.equal(groq.response.content, deltas(groq.chunks, "text-delta"));
    assert.equal(groq.response.thoughtField, undefined);
    const deepseek = streamed("stream-deepseek-tool-call.sse");
    assert.match(deepseek.response.thought ?? "", /^The user is asking/);
    assert.equal(deepseek.response.thoughtField, "reasoning_content");
  });
});

describe("OpenAI refusals", () => {
  const words = "I'm very sorry, but I can't assist with that request.";

  test("plain: message.refusal is the response's refusal, with a content-filter finish and no content", () => {
    const response = plain("completion-openai-refusal.json");
    assert.equal(response.refusal, words);
    assert.equal(response.content, "");
    assert.equal(response.finishReason, "content-filter");
  });

  test("streamed: delta.refusal pieces join into the refusal; no text deltas", () => {
    const { chunks, response } = streamed("stream-openai-refusal.sse");
    assert.equal(response.refusal, words);
    assert.equal(response.finishReason, "content-filter");
    assert.equal(deltas(chunks, "text-delta"), "");
  });

  test("an empty refusal (Snowflake's `refusal: \"\"`, OpenAI's null) is no refusal", () => {
    const body = JSON.parse(fixture("completion-text.json"));
    body.choices[0].message.refusal = "";
    const response = fromWireResponse(body);
    assert.equal(response.refusal, undefined);
    assert.equal(response.finishReason, "stop");
  });
});

describe("DeepSeek's reasoning_content and Gemini's thought signatures go back", () => {
  const request = (response: ModelResponse): ModelRequest => ({
    messages: [
      { role: "user", content: "Weather?" },
      {
        role: "assistant",
        content: response.content,
        toolCalls: response.toolCalls,
        ...(response.thought === undefined ? {} : { thought: response.thought }),
        ...(response.thoughtField === undefined ? {} : { thoughtField: response.thoughtField }),
        ...(response.thoughtSignature === undefined ? {} : { thoughtSignature: response.thoughtSignature }),
      },
      {
        role: "tool",
        results: response.toolCalls.map((call) => ({
          callId: call.id,
          name: call.name,
          content: "sunny",
          isError: false,
        })),
      },
    ],
  });
  const assistantOnWire = (response: ModelResponse) =>
    (toWireRequest(request(response), { model: "m", stream: false }).messages as Record<string, unknown>[])[1];

  for (const [path, response] of [
    ["plain", () => plain("completion-deepseek-tool-call.json")],
    ["streamed", () => streamed("stream-deepseek-tool-call.sse").response],
  ] as const) {
    test(`${path}: a DeepSeek answer with tool calls sends its reasoning_content back`, () => {
      const answer = response();
      assert.deepEqual(
        answer.toolCalls.map((call) => call.name),
        ["weather"],
      );
      assert.equal(assistantOnWire(answer)?.reasoning_content, answer.thought);
    });
  }

  test("a thought from `reasoning` (Groq, which refuses unknown fields) or <think> is not sent back", () => {
    const groq = { ...plain("completion-groq-reasoning.json"), toolCalls: [{ id: "c1", name: "f", arguments: "{}" }] };
    assert.equal(assistantOnWire(groq)?.reasoning_content, undefined);
  });

  test("plain: Gemini's signature, on the first tool call or (as first recorded) on the message, goes back on the first call", () => {
    const onCall = plain("completion-gemini-tool-call-signature.json");
    assert.equal(onCall.thoughtSignature, "EocDCoQDAdHtim9signature-one");
    assert.equal(onCall.usage.reasoningTokens, 80);
    const calls = assistantOnWire(onCall)?.tool_calls as Record<string, unknown>[];
    assert.deepEqual(calls[0]?.extra_content, { google: { thought_signature: "EocDCoQDAdHtim9signature-one" } });
    assert.equal(calls[1]?.extra_content, undefined);
    const onMessage = plain("completion-gemini-thought-signature.json");
    assert.match(onMessage.thoughtSignature ?? "", /^AVSoXO4AzAXs7GGv/);
    assert.equal(onMessage.toolCalls[0]?.id, "call_0");
  });

  test("streamed: Gemini's signature on a tool-call delta", () => {
    const { response } = streamed("stream-gemini-tool-call-signature.sse");
    assert.equal(response.thoughtSignature, "Eo4GCosGsignature-stream");
    assert.equal(response.finishReason, "tool-calls");
  });
});

describe("Mistral's thinking and text blocks", () => {
  test("plain: the text block is the content, the thinking block the thought", () => {
    const response = plain("completion-mistral-thinking.json");
    assert.equal(response.content, "2 + 2 = 4");
    assert.equal(response.thought, "The user is asking for 2+2. This is basic arithmetic. 2+2=4.");
  });

  test("streamed: blocks in delta.content become thought and text deltas", () => {
    const { chunks, response } = streamed("stream-mistral-thinking.sse");
    assert.equal(response.content, "2 + 2 = 4");
    assert.equal(deltas(chunks, "text-delta"), "2 + 2 = 4");
    assert.equal(response.thought, "The user is asking for 2+2. This is basic arithmetic. 2+2=4.");
    assert.equal(deltas(chunks, "thought-delta"), response.thought);
  });
});

describe("errors inside a stream or a 200 body are classified by what they name", () => {
  test("streamed: Groq's tool_use_failed event is a 400, not retryable, with its failed_generation", () => {
    const error = streamError("stream-groq-tool-use-failed.sse");
    assert.ok(HearthError.is(error, "HEARTH_MODEL_BAD_REQUEST"), String(error));
    assert.equal(error.retryable, false);
    assert.equal(error.status, 400);
    assert.match(error.message, /mid-stream \(400\): Tool call validation failed/);
    assert.equal(error.providerDetails?.code, "tool_use_failed");
    assert.match(String(error.providerDetails?.failed_generation), /"invalid_param": "value"/);
  });

  test("streamed: OpenRouter's token-limit error chunk (code 400) is not retryable", () => {
    const error = streamError("stream-openrouter-token-limit.sse");
    assert.ok(HearthError.is(error, "HEARTH_MODEL_BAD_REQUEST"), String(error));
    assert.equal(error.retryable, false);
    assert.match(error.message, /Token limit reached/);
  });

  test("plain: OpenRouter's 524 in a 200 body is a retryable server error keeping metadata.raw", () => {
    assert.throws(
      () => plain("error-openrouter-524.json"),
      (error: unknown) =>
        HearthError.is(error, "HEARTH_MODEL_SERVER") &&
        error.retryable &&
        error.status === 524 &&
        (error.providerDetails?.metadata as { raw?: unknown } | undefined)?.raw === "error code: 524",
    );
  });

  test("an error object naming no status stays a retryable server error", () => {
    assert.throws(
      () => fromWireResponse({ error: { message: "overloaded", type: "server_error" } }),
      (error: unknown) => HearthError.is(error, "HEARTH_MODEL_SERVER") && error.retryable,
    );
  });
});

describe("usage details", () => {
  test("plain: cached prompt tokens and reasoning tokens", () => {
    assert.deepEqual(plain("completion-deepseek-tool-call.json").usage, {
      promptTokens: 339,
      completionTokens: 92,
      cachedPromptTokens: 320,
      reasoningTokens: 48,
    });
  });

  test("streamed: the usage chunk's details", () => {
    assert.deepEqual(streamed("stream-deepseek-tool-call.sse").response.usage, {
      promptTokens: 339,
      completionTokens: 83,
      cachedPromptTokens: 320,
      reasoningTokens: 39,
    });
    assert.equal(streamed("stream-groq-reasoning.sse").response.usage.reasoningTokens, 963);
  });

  test("details of 0 (every OpenAI answer reports them) are left out", () => {
    assert.deepEqual(plain("completion-openai-refusal.json").usage, { promptTokens: 64, completionTokens: 13 });
    assert.deepEqual(streamed("stream-openai-refusal.sse").response.usage, { promptTokens: 64, completionTokens: 13 });
  });
});

describe("the recorded shapes through the client, against the mock server's raw replies", () => {
  let mock: MockOpenAIServer;
  let pools: ConnectionPools;
  const hello: ModelRequest = { messages: [{ role: "user", content: "hello" }] };
  const client = () =>
    new OpenAIChatCompletionClient({
      model: "mock-model",
      baseURL: mock.url,
      connectionPools: pools,
      retry: { initialDelayMs: 5, maxDelayMs: 20 },
    });
  const last = async (stream: AsyncIterable<ModelStreamChunk>): Promise<ModelResponse> => {
    let response: ModelResponse | undefined;
    for await (const chunk of stream) if (chunk.type === "response") response = chunk.response;
    assert.ok(response !== undefined);
    return response;
  };
  const raw = (name: string, status?: number) => ({
    fault: "raw" as const,
    body: fixture(name),
    ...(status === undefined ? {} : { status }),
  });

  before(async () => {
    mock = await startMockOpenAIServer();
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

  test("create() and createStream() read reasoning, refusals, Mistral blocks, signatures and usage details", async () => {
    mock.enqueue(raw("completion-ollama-reasoning.json"), raw("stream-groq-reasoning.sse"));
    assert.match((await client().create(hello)).thought ?? "", /^We need to answer question/);
    assert.equal((await last(client().createStream(hello))).thought, "Okay, let me try to");

    mock.enqueue(raw("completion-openai-refusal.json"), raw("stream-openai-refusal.sse"));
    for (const response of [await client().create(hello), await last(client().createStream(hello))]) {
      assert.match(response.refusal ?? "", /can't assist/);
      assert.equal(response.finishReason, "content-filter");
    }

    mock.enqueue(raw("completion-mistral-thinking.json"), raw("stream-mistral-thinking.sse"));
    for (const response of [await client().create(hello), await last(client().createStream(hello))]) {
      assert.equal(response.content, "2 + 2 = 4");
      assert.match(response.thought ?? "", /basic arithmetic/);
    }

    mock.enqueue(raw("completion-deepseek-tool-call.json"), raw("stream-deepseek-tool-call.sse"));
    for (const response of [await client().create(hello), await last(client().createStream(hello))]) {
      assert.equal(response.thoughtField, "reasoning_content");
      assert.equal(response.usage.cachedPromptTokens, 320);
      assert.ok((response.usage.reasoningTokens ?? 0) > 0);
    }

    mock.enqueue(raw("completion-gemini-tool-call-signature.json"), raw("stream-gemini-tool-call-signature.sse"));
    assert.equal((await client().create(hello)).thoughtSignature, "EocDCoQDAdHtim9signature-one");
    assert.equal((await last(client().createStream(hello))).thoughtSignature, "Eo4GCosGsignature-stream");
  });

  test("errors inside a stream and in a 200 body: a 400-class one is thrown at once, not retried", async () => {
    mock.enqueue(raw("stream-groq-tool-use-failed.sse"));
    await assert.rejects(last(client().createStream(hello)), (error: unknown) => {
      return (
        HearthError.is(error, "HEARTH_MODEL_BAD_REQUEST") &&
        !error.retryable &&
        error.providerDetails?.code === "tool_use_failed"
      );
    });
    mock.enqueue(raw("stream-openrouter-token-limit.sse"));
    await assert.rejects(last(client().createStream(hello)), (error: unknown) =>
      HearthError.is(error, "HEARTH_MODEL_BAD_REQUEST"),
    );
    mock.enqueue({ fault: "raw", body: JSON.stringify({ error: { message: "Token limit reached", code: 400 } }) });
    await assert.rejects(client().create(hello), (error: unknown) => HearthError.is(error, "HEARTH_MODEL_BAD_REQUEST"));
    assert.equal(mock.requests.length, 3, "nothing was retried");
  });

  for (const path of ["create()", "createStream()"] as const) {
    const call = (request: ModelRequest) =>
      path === "create()" ? client().create(request) : last(client().createStream(request));

    test(`${path}: Azure's content_filter 400 is HEARTH_MODEL_CONTENT_FILTER, keeping its innererror`, async () => {
      mock.enqueue(raw("error-azure-content-filter.json", 400));
      await assert.rejects(call(hello), (error: unknown) => {
        assert.ok(HearthError.is(error, "HEARTH_MODEL_CONTENT_FILTER"), String(error));
        assert.equal(error.retryable, false);
        assert.equal(error.status, 400);
        assert.match(error.message, /content filter blocked the request \(400\): The content was filtered/);
        const inner = error.providerDetails?.innererror as { code?: unknown; content_filter_result?: unknown };
        assert.equal(inner.code, "ResponsibleAIPolicyViolation");
        assert.deepEqual((inner.content_filter_result as { hate?: unknown }).hate, {
          filtered: true,
          severity: "high",
        });
        return true;
      });
    });

    test(`${path}: Groq's tool_use_failed 400 keeps failed_generation; OpenRouter's 429 keeps metadata.raw`, async () => {
      mock.enqueue(raw("error-groq-tool-use-failed.json", 400));
      await assert.rejects(call(hello), (error: unknown) => {
        assert.ok(HearthError.is(error, "HEARTH_MODEL_BAD_REQUEST"));
        assert.match(String(error.providerDetails?.failed_generation), /get_something_by_name/);
        return true;
      });
      mock.enqueue(
        raw("error-openrouter-429.json", 429),
        raw("error-openrouter-429.json", 429),
        raw("error-openrouter-429.json", 429),
      );
      await assert.rejects(call(hello), (error: unknown) => {
        assert.ok(HearthError.is(error, "HEARTH_MODEL_RATE_LIMITED"));
        assert.match(
          String((error.providerDetails?.metadata as { raw?: unknown } | undefined)?.raw),
          /rate-limited upstream/,
        );
        assert.equal(error.toJSON().providerDetails, error.providerDetails);
        return true;
      });
    });
  }
});
