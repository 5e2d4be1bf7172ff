import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import { ScriptedModelClient } from "./scripted-model-client.ts";

const request = { messages: [{ role: "user", content: "hi" }] } as const;

test("replies come in order, each request is recorded, and queued errors are thrown", async () => {
  const client = new ScriptedModelClient({
    replies: ["one", new HearthError("HEARTH_MODEL_SERVER", "down"), (req) => `saw ${req.messages.length}`],
  });
  assert.equal((await client.create(request)).content, "one");
  await assert.rejects(client.create(request), (error) => HearthError.is(error, "HEARTH_MODEL_SERVER"));
  assert.equal((await client.create(request)).content, "saw 1");
  assert.equal(client.requests.length, 3);
  await assert.rejects(client.create(request), /no reply left for request 4/);
});

test("streaming splits the text into deltas and ends with the response", async () => {
  const client = new ScriptedModelClient({
    replies: [{ content: "abcdefghij", toolCalls: [{ name: "t", arguments: { a: 1 } }] }],
    chunkSize: 4,
  });
  const chunks = [];
  for await (const chunk of client.createStream(request)) chunks.push(chunk);
  assert.deepEqual(
    chunks.map((chunk) => chunk.type),
    ["text-delta", "text-delta", "text-delta", "tool-call-delta", "response"],
  );
  const last = chunks.at(-1);
  assert.equal(last?.type === "response" ? last.response.toolCalls[0]?.arguments : undefined, '{"a":1}');
});
