import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { HearthError } from "../../core/errors.ts";
import type { ModelResponse, ModelStreamChunk } from "../../core/model-client.ts";
import { SseParser } from "../openai/sse.ts";
import { fromWireResponse, StreamAssembler } from "./wire-response.ts";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const json = (name: string) => JSON.parse(fixture(name)) as unknown;

/** Feeds a recorded stream through the parser and the assembler, in pieces of `size` characters. */
function replay(name: string, size = 17, answerTool?: string): { chunks: ModelStreamChunk[]; response: ModelResponse } {
  const text = fixture(name);
  const parser = new SseParser();
  const assembler = new StreamAssembler(answerTool);
  const chunks: ModelStreamChunk[] = [];
  for (let start = 0; start < text.length; start += size)
    for (const data of parser.feed(text.slice(start, start + size))) chunks.push(...assembler.push(JSON.parse(data)));
  for (const data of parser.end()) chunks.push(...assembler.push(JSON.parse(data)));
  return { chunks, response: assembler.finish() };
}

const deltas = (chunks: ModelStreamChunk[], type: "text-delta" | "thought-delta") =>
  chunks.flatMap((chunk) => (chunk.type === type ? [chunk.delta] : [])).join("");

describe("recorded Messages API responses", () => {
  test("a text answer: end_turn is stop, usage as sent", () => {
    assert.deepEqual(fromWireResponse(json("message-text.json")), {
      finishReason: "stop",
      content: "Sure, I'd be happy to provide...",
      toolCalls: [],
      usage: { promptTokens: 30, completionTokens: 309 },
    });
  });

  test("max_tokens is length; the model's name is kept", () => {
    const response = fromWireResponse(json("message-max-tokens.json"));
    assert.deepEqual([response.finishReason, response.content, response.model], ["length", "C", "claude-sonnet-4-5"]);
  });

  test("a tool_use block is a tool call with its input as JSON text, beside the text before it", () => {
    const response = fromWireResponse(json("message-tool-use.json"));
    assert.equal(response.finishReason, "tool-calls");
    assert.equal(response.content, "I'll check the current weather in San Francisco for you.");
    assert.deepEqual(response.toolCalls, [
      {
        id: "toolu_01A09q90qw90lq917835lq9",
        name: "get_weather",
        arguments: '{"location":"San Francisco, CA","unit":"celsius"}',
      },
    ]);
  });

  test("a thinking block is the thought, its signature the thoughtSignature", () => {
    const response = fromWireResponse(json("message-thinking.json"));
    assert.equal(response.thought, "Let me analyze this step by step...");
    // The blocks as they came, kept to be sent back unchanged (see wire-request.ts).
    const [block] = JSON.parse(response.thoughtSignature ?? "[]") as Record<string, string>[];
    assert.equal(block?.type, "thinking");
    assert.equal(block?.thinking, response.thought);
    assert.match(block?.signature ?? "", /^WaUjzkypQ2mUEVM36O2TxuC06KN8/);
    assert.equal(response.content, "Based on my analysis...");
    assert.equal(response.finishReason, "unknown", "the documented example omits stop_reason");
  });

  test("several thinking blocks and a redacted one are kept apart, in order, each with its own signature", () => {
    const response = fromWireResponse({
      type: "message",
      content: [
        { type: "thinking", thinking: "first", signature: "SIG_A" },
        { type: "redacted_thinking", data: "ENCRYPTED" },
        { type: "tool_use", id: "t1", name: "lookup", input: {} },
        { type: "thinking", thinking: " second", signature: "SIG_B" },
        { type: "tool_use", id: "t2", name: "lookup", input: {} },
      ],
      stop_reason: "tool_use",
      usage: { input_tokens: 1, output_tokens: 1 },
    });
    assert.equal(response.thought, "first second");
    assert.deepEqual(JSON.parse(response.thoughtSignature ?? "[]"), [
      { type: "thinking", thinking: "first", signature: "SIG_A" },
      { type: "redacted_thinking", data: "ENCRYPTED" },
      { type: "thinking", thinking: " second", signature: "SIG_B" },
    ]);
  });

  test("prompt-cache tokens: promptTokens counts the whole prompt, the cache reads and writes are details", () => {
    assert.deepEqual(fromWireResponse(json("message-cache-write.json")).usage, {
      promptTokens: 21 + 188086,
      completionTokens: 393,
      cachedPromptTokens: 0,
      cacheWritePromptTokens: 188086,
    });
    const read = fromWireResponse({
      type: "message",
      content: [],
      stop_reason: "end_turn",
      usage: { input_tokens: 21, cache_creation_input_tokens: 0, cache_read_input_tokens: 188086, output_tokens: 393 },
    });
    assert.deepEqual(read.usage, {
      promptTokens: 188107,
      completionTokens: 393,
      cachedPromptTokens: 188086,
      cacheWritePromptTokens: 0,
    });
  });

  test("a refusal is content-filter, with the words given as `refusal`, not as the reply", () => {
    const response = fromWireResponse(json("message-refusal.json"));
    assert.deepEqual([response.finishReason, response.content, response.refusal], ["content-filter", "", "Hello.."]);
  });

  test("an error body is classified by its type: overloaded is a retryable server error", () => {
    assert.throws(
      () => fromWireResponse(json("error-overloaded.json")),
      (error) =>
        HearthError.is(error, "HEARTH_MODEL_SERVER") && error.retryable && /overloaded_error/.test(error.message),
    );
  });

  test("other stop reasons are unknown; a body without content is an invalid response", () => {
    assert.equal(fromWireResponse({ content: [], stop_reason: "pause_turn" }).finishReason, "unknown");
    assert.equal(fromWireResponse({ content: [], stop_reason: "stop_sequence" }).finishReason, "stop");
    assert.throws(
      () => fromWireResponse({ type: "message" }),
      (error) => HearthError.is(error, "HEARTH_MODEL_INVALID_RESPONSE"),
    );
  });

  test("the answer tool's input is the reply, not a tool call", () => {
    const response = fromWireResponse(
      {
        content: [{ type: "tool_use", id: "toolu_9", name: "output", input: { city: "Paris" } }],
        stop_reason: "tool_use",
        usage: { input_tokens: 5, output_tokens: 7 },
      },
      "output",
    );
    assert.deepEqual([response.finishReason, response.content, response.toolCalls], ["stop", '{"city":"Paris"}', []]);
  });
});

describe("recorded Messages API streams", () => {
  test("the basic stream: text deltas, ping skipped, end_turn, usage from message_start and message_delta", () => {
    for (const size of [1, 7, 10_000]) {
      const { chunks, response } = replay("stream-text.sse", size);
      assert.equal(deltas(chunks, "text-delta"), "Hello!");
      assert.deepEqual(response, {
        finishReason: "stop",
        content: "Hello!",
        toolCalls: [],
        usage: { promptTokens: 25, completionTokens: 15 },
        model: "claude-sonnet-4-5-20250929",
      });
    }
  });

  test("the tool-use stream: text, then the tool call's id and name, then its input in pieces", () => {
    const { chunks, response } = replay("stream-tool-use.sse");
    assert.equal(deltas(chunks, "text-delta"), "Okay, let's check the weather for San Francisco, CA:");
    const calls = chunks.filter((chunk) => chunk.type === "tool-call-delta");
    assert.deepEqual(calls[0], {
      type: "tool-call-delta",
      index: 0,
      id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
      name: "get_weather",
      argumentsDelta: "",
    });
    assert.equal(response.finishReason, "tool-calls");
    assert.deepEqual(response.toolCalls, [
      {
        id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
        name: "get_weather",
        arguments: '{"location": "San Francisco, CA", "unit": "fahrenheit"}',
      },
    ]);
    assert.deepEqual(response.usage, { promptTokens: 472, completionTokens: 89 });
  });

  test("the thinking stream: thought deltas, the signature, then the answer", () => {
    const { chunks, response } = replay("stream-thinking.sse");
    assert.match(deltas(chunks, "thought-delta"), /^Let me solve this step by step:[\s\S]*= 12,231$/);
    assert.equal(response.thought, deltas(chunks, "thought-delta"));
    assert.deepEqual(JSON.parse(response.thoughtSignature ?? "[]"), [
      {
        type: "thinking",
        thinking: response.thought,
        signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...",
      },
    ]);
    assert.equal(response.content, "27 * 453 = 12,231");
    assert.deepEqual(response.usage, { promptTokens: 0, completionTokens: 0 });
  });

  test("an error event mid-stream is thrown, classified by its type, after the deltas already seen", () => {
    const seen: ModelStreamChunk[] = [];
    const parser = new SseParser();
    const assembler = new StreamAssembler();
    assert.throws(
      () => {
        for (const data of parser.feed(fixture("stream-error.sse"))) seen.push(...assembler.push(JSON.parse(data)));
      },
      (error) => HearthError.is(error, "HEARTH_MODEL_SERVER") && error.retryable,
    );
    assert.deepEqual(seen, [{ type: "text-delta", delta: "Hello" }]);
    for (const [type, code, retryable] of [
      ["rate_limit_error", "HEARTH_MODEL_RATE_LIMITED", true],
      ["invalid_request_error", "HEARTH_MODEL_BAD_REQUEST", false],
      ["authentication_error", "HEARTH_MODEL_AUTH", false],
      ["api_error", "HEARTH_MODEL_SERVER", true],
    ] as const) {
      assert.throws(
        () => new StreamAssembler().push({ type: "error", error: { type, message: "m" } }),
        (error) => HearthError.is(error, code) && error.retryable === retryable,
        type,
      );
    }
  });

  test("a stream cut before message_stop is an invalid response, not a short answer", () => {
    const assembler = new StreamAssembler();
    assembler.push({ type: "message_start", message: { model: "m", usage: { input_tokens: 1, output_tokens: 1 } } });
    assembler.push({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
    assembler.push({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hel" } });
    assert.throws(
      () => assembler.finish(),
      (error) => HearthError.is(error, "HEARTH_MODEL_INVALID_RESPONSE"),
    );
    assert.throws(() => new StreamAssembler().finish(), /before message_start/);
  });

  test("a streamed structured answer: the answer tool's input streams as text and is the reply", () => {
    const assembler = new StreamAssembler("output");
    const chunks = [
      { type: "message_start", message: { model: "m", usage: { input_tokens: 3, output_tokens: 1 } } },
      {
        type: "content_block_start",
        index: 0,
        content_block: { type: "tool_use", id: "toolu_1", name: "output", input: {} },
      },
      { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: '{"city":' } },
      { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: ' "Paris"}' } },
      { type: "content_block_stop", index: 0 },
      { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 9 } },
      { type: "message_stop" },
    ].flatMap((event) => assembler.push(event));
    assert.deepEqual(chunks, [
      { type: "text-delta", delta: '{"city":' },
      { type: "text-delta", delta: ' "Paris"}' },
    ]);
    const response = assembler.finish();
    assert.deepEqual([response.finishReason, response.content, response.toolCalls], ["stop", '{"city": "Paris"}', []]);
  });

  test("usage in message_delta that carries the input and cache counts replaces message_start's", () => {
    const assembler = new StreamAssembler();
    assembler.push({
      type: "message_start",
      message: { usage: { input_tokens: 10, cache_read_input_tokens: 90, output_tokens: 1 } },
    });
    assembler.push({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 20 } });
    assembler.push({ type: "message_stop" });
    assert.deepEqual(assembler.finish().usage, { promptTokens: 100, completionTokens: 20, cachedPromptTokens: 90 });
    const later = new StreamAssembler();
    later.push({ type: "message_start", message: { usage: { input_tokens: 10, output_tokens: 1 } } });
    later.push({
      type: "message_delta",
      delta: { stop_reason: "end_turn" },
      usage: { input_tokens: 12, cache_creation_input_tokens: 5, cache_read_input_tokens: 0, output_tokens: 30 },
    });
    later.push({ type: "message_stop" });
    assert.deepEqual(later.finish().usage, {
      promptTokens: 17,
      completionTokens: 30,
      cachedPromptTokens: 0,
      cacheWritePromptTokens: 5,
    });
  });
});
