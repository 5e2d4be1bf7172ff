import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "../../core/errors.ts";
import type { ModelRequest } from "../../core/model-client.ts";
import { modelInfoFor } from "../model-info.ts";
import { toWireRequest } from "./wire-request.ts";

const base = { model: "claude-sonnet-4-5", stream: false };
const lookup = { name: "lookup_order", description: "Look up an order", parameters: { type: "object" } };

test("system messages become the top-level system prompt; max_tokens defaults to 4096; the version's shape", () => {
  const body = toWireRequest(
    {
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "hi" },
        { role: "system", content: "Answer in French." },
      ],
    },
    base,
  );
  assert.deepEqual(body, {
    model: "claude-sonnet-4-5",
    max_tokens: 4096,
    system: "You are terse.\n\nAnswer in French.",
    messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
  });
  assert.equal(toWireRequest({ messages: [] }, { ...base, maxTokens: 50, stream: true }).max_tokens, 50);
  assert.equal(toWireRequest({ messages: [] }, { ...base, stream: true }).stream, true);
});

test("tool calls become tool_use blocks, and consecutive tool results one user message of tool_result blocks", () => {
  const body = toWireRequest(
    {
      messages: [
        { role: "user", content: "Where are A123 and B201?" },
        {
          role: "assistant",
          content: "Let me look.",
          toolCalls: [
            { id: "toolu_1", name: "lookup_order", arguments: '{"order_id":"A123"}' },
            { id: "toolu_2", name: "lookup_order", arguments: "not json" },
          ],
        },
        { role: "tool", results: [{ callId: "toolu_1", name: "lookup_order", content: "shipped", isError: false }] },
        { role: "tool", results: [{ callId: "toolu_2", name: "lookup_order", content: "bad args", isError: true }] },
        { role: "user", content: "Thanks" },
      ],
    },
    base,
  );
  assert.deepEqual(body.messages, [
    { role: "user", content: [{ type: "text", text: "Where are A123 and B201?" }] },
    {
      role: "assistant",
      content: [
        { type: "text", text: "Let me look." },
        { type: "tool_use", id: "toolu_1", name: "lookup_order", input: { order_id: "A123" } },
        { type: "tool_use", id: "toolu_2", name: "lookup_order", input: {} },
      ],
    },
    {
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_1", content: "shipped" },
        { type: "tool_result", tool_use_id: "toolu_2", content: "bad args", is_error: true },
        { type: "text", text: "Thanks" },
      ],
    },
  ]);
});

test("an assistant message's signed thought goes back as a thinking block before its tool calls; an unsigned one does not", () => {
  const call = { id: "toolu_1", name: "lookup_order", arguments: "{}" };
  const signed = toWireRequest(
    {
      messages: [
        { role: "assistant", content: "", thought: "I should look.", thoughtSignature: "sig-1", toolCalls: [call] },
      ],
    },
    base,
  );
  assert.deepEqual(signed.messages, [
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "I should look.", signature: "sig-1" },
        { type: "tool_use", id: "toolu_1", name: "lookup_order", input: {} },
      ],
    },
  ]);
  const unsigned = toWireRequest({ messages: [{ role: "assistant", content: "ok", thought: "hmm" }] }, base);
  assert.deepEqual(unsigned.messages, [{ role: "assistant", content: [{ type: "text", text: "ok" }] }]);
  assert.deepEqual(toWireRequest({ messages: [{ role: "assistant", content: "" }] }, base).messages, []);
});

test("images: a data: URL is sent as a base64 source, an http(s) URL as a url source, anything else is refused", () => {
  const body = toWireRequest(
    {
      messages: [
        {
          role: "user",
          content: [
            { type: "image", url: "data:image/png;base64,iVBORw0KGgo=" },
            { type: "image", url: "https://example.com/ant.jpg" },
            { type: "text", text: "What is in these images?" },
          ],
        },
      ],
    },
    base,
  );
  assert.deepEqual(body.messages, [
    {
      role: "user",
      content: [
        { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
        { type: "image", source: { type: "url", url: "https://example.com/ant.jpg" } },
        { type: "text", text: "What is in these images?" },
      ],
    },
  ]);
  assert.throws(
    () =>
      toWireRequest({ messages: [{ role: "user", content: [{ type: "image", url: "file:///etc/passwd" }] }] }, base),
    (error) => HearthError.is(error, "HEARTH_MODEL_BAD_REQUEST") && !error.retryable,
  );
});

test("tools carry input_schema; tool choice maps to auto, any, none and a named tool; parallelToolCalls false disables parallel use", () => {
  const request: ModelRequest = { messages: [{ role: "user", content: "hi" }], tools: [lookup] };
  assert.deepEqual(toWireRequest(request, base).tools, [
    { name: "lookup_order", description: "Look up an order", input_schema: { type: "object" } },
  ]);
  assert.equal(toWireRequest(request, base).tool_choice, undefined);
  const choice = (extra: Partial<ModelRequest>) => toWireRequest({ ...request, ...extra }, base).tool_choice;
  assert.deepEqual(choice({ toolChoice: "auto" }), { type: "auto" });
  assert.deepEqual(choice({ toolChoice: "required" }), { type: "any" });
  assert.deepEqual(choice({ toolChoice: "none" }), { type: "none" });
  assert.deepEqual(choice({ toolChoice: { name: "lookup_order" } }), { type: "tool", name: "lookup_order" });
  assert.deepEqual(choice({ parallelToolCalls: false }), { type: "auto", disable_parallel_tool_use: true });
  assert.deepEqual(choice({ toolChoice: "required", parallelToolCalls: false }), {
    type: "any",
    disable_parallel_tool_use: true,
  });
  assert.deepEqual(choice({ parallelToolCalls: true }), undefined);
});

test("a json_schema answer is asked for as one forced tool whose input is the answer; beside other tools, any tool", () => {
  const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
  const format = { type: "json_schema" as const, name: "output", schema };
  const alone = toWireRequest({ messages: [{ role: "user", content: "hi" }], responseFormat: format }, base);
  assert.deepEqual(alone.tools, [
    {
      name: "output",
      description: "Give your answer as this tool's input, which follows the answer's schema.",
      input_schema: schema,
    },
  ]);
  assert.deepEqual(alone.tool_choice, { type: "tool", name: "output" });
  const beside = toWireRequest({ messages: [], tools: [lookup], responseFormat: format }, base);
  assert.deepEqual(
    (beside.tools as { name: string }[]).map((tool) => tool.name),
    ["lookup_order", "output"],
  );
  assert.deepEqual(beside.tool_choice, { type: "any" });
  const noneOfTheTools = toWireRequest(
    { messages: [], tools: [lookup], toolChoice: "none", responseFormat: format },
    base,
  );
  assert.deepEqual(
    (noneOfTheTools.tools as { name: string }[]).map((tool) => tool.name),
    ["output"],
  );
  const jsonObject = toWireRequest({ messages: [], responseFormat: { type: "json_object" } }, base);
  assert.deepEqual(jsonObject.tool_choice, { type: "tool", name: "json_output" });
  // Extended thinking takes only `auto`: the answer tool is offered, not forced.
  const thinking = toWireRequest(
    { messages: [], responseFormat: format },
    { ...base, thinking: { budgetTokens: 2048 } },
  );
  assert.equal(thinking.tool_choice, undefined);
  assert.deepEqual(thinking.thinking, { type: "enabled", budget_tokens: 2048 });
  assert.throws(
    () => toWireRequest({ messages: [], tools: [{ ...lookup, name: "output" }], responseFormat: format }, base),
    (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === "outputName",
  );
});

test("sampling options use the Messages API's names", () => {
  const body = toWireRequest(
    { messages: [] },
    { ...base, temperature: 0.2, topP: 0.9, topK: 40, stopSequences: ["END"], maxTokens: 100 },
  );
  assert.deepEqual(
    [body.temperature, body.top_p, body.top_k, body.stop_sequences, body.max_tokens],
    [0.2, 0.9, 40, ["END"], 100],
  );
});

test("Claude models are known: tools, vision and structured output, by family", () => {
  for (const [model, family] of [
    ["claude-sonnet-4-5", "claude-4-sonnet"],
    ["claude-opus-4-1-20250805", "claude-4-opus"],
    ["claude-haiku-4-5", "claude-4-haiku"],
    ["claude-3-7-sonnet-20250219", "claude-3-7-sonnet"],
    ["claude-3-5-haiku-latest", "claude-3-5-haiku"],
  ] as const) {
    assert.deepEqual(modelInfoFor(model), {
      functionCalling: true,
      jsonOutput: true,
      structuredOutput: true,
      vision: true,
      family,
    });
  }
});
