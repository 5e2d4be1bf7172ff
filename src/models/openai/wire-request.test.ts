import assert from "node:assert/strict";
import { test } from "node:test";
import { toWireRequest } from "./wire-request.ts";

test("messages of every role become Chat Completions messages; tool results become one message each", () => {
  const body = toWireRequest(
    {
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather in Paris and Rome?" },
        {
          role: "assistant",
          content: "",
          toolCalls: [
            { id: "c1", name: "weather", arguments: '{"city":"Paris"}' },
            { id: "c2", name: "weather", arguments: '{"city":"Rome"}' },
          ],
        },
        {
          role: "tool",
          results: [
            { callId: "c1", name: "weather", content: "sunny", isError: false },
            { callId: "c2", name: "weather", content: "Error: down", isError: true },
          ],
        },
        {
          role: "user",
          content: [
            { type: "text", text: "And this?" },
            { type: "image", url: "data:image/png;base64,AAAA" },
          ],
        },
      ],
    },
    { model: "gpt-4o", stream: false },
  );
  assert.deepEqual(body, {
    model: "gpt-4o",
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Weather in Paris and Rome?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "c1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
          { id: "c2", type: "function", function: { name: "weather", arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: "sunny" },
      { role: "tool", tool_call_id: "c2", content: "Error: down" },
      {
        role: "user",
        content: [
          { type: "text", text: "And this?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
        ],
      },
    ],
  });
});

test("tools, tool choice, response formats, sampling and streaming options are mapped", () => {
  const schema = {
    type: "object",
    properties: { answer: { type: "string" } },
    required: ["answer"],
    additionalProperties: false,
  };
  const body = toWireRequest(
    {
      messages: [{ role: "user", content: "hi" }],
      tools: [
        { name: "lookup", description: "Look up.", parameters: { type: "object", properties: {} }, strict: true },
      ],
      toolChoice: { name: "lookup" },
      parallelToolCalls: false,
      responseFormat: { type: "json_schema", name: "answer", schema, strict: true },
    },
    {
      model: "o3-mini",
      stream: true,
      temperature: 0.2,
      topP: 0.9,
      maxTokens: 100,
      seed: 7,
      stop: ["END"],
      presencePenalty: 0.1,
      frequencyPenalty: 0.3,
      user: "u1",
      useMaxCompletionTokens: true,
    },
  );
  assert.deepEqual(body.tools, [
    {
      type: "function",
      function: {
        name: "lookup",
        description: "Look up.",
        parameters: { type: "object", properties: {} },
        strict: true,
      },
    },
  ]);
  assert.deepEqual(body.tool_choice, { type: "function", function: { name: "lookup" } });
  assert.equal(body.parallel_tool_calls, false);
  assert.deepEqual(body.response_format, {
    type: "json_schema",
    json_schema: { name: "answer", schema, strict: true },
  });
  assert.equal(body.max_completion_tokens, 100);
  assert.equal(body.max_tokens, undefined);
  assert.deepEqual(
    [body.temperature, body.top_p, body.seed, body.stop, body.presence_penalty, body.frequency_penalty, body.user],
    [0.2, 0.9, 7, ["END"], 0.1, 0.3, "u1"],
  );
  assert.deepEqual([body.stream, body.stream_options], [true, { include_usage: true }]);
});

test("JSON mode and plain text formats; no tools means no tool_choice", () => {
  const json = toWireRequest(
    { messages: [], responseFormat: { type: "json_object" }, toolChoice: "required" },
    { model: "m", stream: false },
  );
  assert.deepEqual(json.response_format, { type: "json_object" });
  assert.equal(json.tool_choice, undefined);
  assert.equal(
    toWireRequest({ messages: [], responseFormat: { type: "text" } }, { model: "m", stream: false }).response_format,
    undefined,
  );
});
