import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { HearthError } from "../../core/errors.ts";
import type { ModelStreamChunk } from "../../core/model-client.ts";
import { SseParser } from "./sse.ts";
import { fromWireResponse, StreamAssembler } from "./wire-response.ts";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

function assemble(name: string): { chunks: ModelStreamChunk[]; response: ReturnType<StreamAssembler["finish"]> } {
  const parser = new SseParser();
  const assembler = new StreamAssembler();
  const chunks: ModelStreamChunk[] = [];
  for (const data of [...parser.feed(fixture(name)), ...parser.end()]) {
    if (data !== "[DONE]") chunks.push(...assembler.push(JSON.parse(data)));
  }
  return { chunks, response: assembler.finish() };
}

test("a recorded text completion becomes content, finish reason, usage and model", () => {
  assert.deepEqual(fromWireResponse(JSON.parse(fixture("completion-text.json"))), {
    finishReason: "stop",
    content: "Hello! How can I assist you today?",
    toolCalls: [],
    usage: { promptTokens: 19, completionTokens: 10 },
    model: "gpt-4o-2024-08-06",
  });
});

test("parallel tool calls keep their ids, names, raw arguments and order", () => {
  const response = fromWireResponse(JSON.parse(fixture("completion-parallel-tools.json")));
  assert.equal(response.finishReason, "tool-calls");
  assert.equal(response.content, "");
  assert.deepEqual(response.toolCalls, [
    { id: "call_abc123", name: "get_current_weather", arguments: '{\n"location": "Boston, MA"\n}' },
    { id: "call_def456", name: "get_current_weather", arguments: '{"location": "Paris"}' },
  ]);
});

test("a tool call reported with finish_reason stop (Ollama) is still a tool-call finish", () => {
  assert.equal(fromWireResponse(JSON.parse(fixture("completion-ollama-tool-stop.json"))).finishReason, "tool-calls");
});

test("a leading <think> block becomes the thought, not the content", () => {
  const response = fromWireResponse(JSON.parse(fixture("completion-think.json")));
  assert.equal(response.content, "Hello there!");
  assert.equal(response.thought, "The user greets me. I should greet back.");
});

test("malformed bodies and provider error objects are classified", () => {
  for (const body of [
    null,
    [],
    {},
    { choices: [] },
    { choices: [{}] },
    { choices: [{ message: { tool_calls: [{ function: {} }] } }] },
  ]) {
    assert.throws(
      () => fromWireResponse(body),
      (error) => HearthError.is(error, "HEARTH_MODEL_INVALID_RESPONSE"),
      JSON.stringify(body),
    );
  }
  assert.throws(
    () => fromWireResponse({ error: { message: "overloaded" } }),
    (error) => HearthError.is(error, "HEARTH_MODEL_SERVER") && error.message.includes("overloaded"),
  );
});

test("a recorded text stream assembles into deltas, then the same response as non-streaming", () => {
  const { chunks, response } = assemble("stream-text.sse");
  assert.deepEqual(
    chunks.filter((chunk) => chunk.type === "text-delta").map((chunk) => chunk.delta),
    ["Hello", "! How can", " I help?"],
  );
  assert.deepEqual(response, {
    finishReason: "stop",
    content: "Hello! How can I help?",
    toolCalls: [],
    usage: { promptTokens: 9, completionTokens: 7 },
    model: "gpt-4o-mini",
  });
});

test("a recorded stream of two parallel tool calls assembles each call from its deltas", () => {
  const { chunks, response } = assemble("stream-parallel-tools.sse");
  assert.equal(chunks.filter((chunk) => chunk.type === "tool-call-delta").length, 5);
  assert.equal(response.finishReason, "tool-calls");
  assert.deepEqual(response.toolCalls, [
    { id: "call_DdmO9pD3xa9XTPNJ32zg2hcA", name: "get_weather", arguments: '{"location": "Paris"}' },
    { id: "call_8Qx2", name: "get_weather", arguments: '{"location": "Bogotá"}' },
  ]);
  assert.deepEqual(response.usage, { promptTokens: 80, completionTokens: 40 });
});

test("reasoning deltas become thought deltas and the response's thought", () => {
  const assembler = new StreamAssembler();
  const chunks = [
    ...assembler.push({ choices: [{ index: 0, delta: { reasoning_content: "Let me think." } }] }),
    ...assembler.push({ choices: [{ index: 0, delta: { content: "Yes." }, finish_reason: "stop" }] }),
  ];
  assert.deepEqual(chunks, [
    { type: "thought-delta", delta: "Let me think." },
    { type: "text-delta", delta: "Yes." },
  ]);
  assert.equal(assembler.finish().thought, "Let me think.");
});

test("an error event in the middle of a stream is thrown as a server error", () => {
  const assembler = new StreamAssembler();
  assert.throws(
    () => assembler.push({ error: { message: "upstream died" } }),
    (error) => HearthError.is(error, "HEARTH_MODEL_SERVER"),
  );
});
