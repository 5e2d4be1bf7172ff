import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { HearthError } from "../core/errors.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { defineTool } from "../tools/define-tool.ts";
import { AssistantAgent } from "./assistant-agent.ts";

const Verdict = z.object({ sentiment: z.enum(["positive", "negative"]), score: z.number().min(0).max(1) });

test("an output schema becomes a json_schema response format and the reply a typed, validated structured message", async () => {
  const modelClient = new ScriptedModelClient({ replies: ['{"sentiment":"positive","score":0.9}'] });
  const agent = new AssistantAgent({ name: "judge", modelClient, outputSchema: Verdict, outputName: "verdict" });
  const session = agent.createSession();
  const result = await agent.run({ task: "I love it", session });
  const format = modelClient.requests[0]?.responseFormat;
  assert.equal(format?.type, "json_schema");
  assert.equal(format?.type === "json_schema" ? format.name : "", "verdict");
  assert.deepEqual(format?.type === "json_schema" ? format.schema.required : [], ["sentiment", "score"]);
  const last = result.messages.at(-1);
  assert.equal(last?.type, "structured");
  assert.deepEqual(last?.type === "structured" ? last.content : undefined, { sentiment: "positive", score: 0.9 });
  assert.equal(result.stopReason, "structured");
  // Typed: result.output is Verdict's output type.
  const score: number | undefined = result.output?.score;
  assert.equal(score, 0.9);
  assert.deepEqual(JSON.parse(JSON.stringify(session.toJSON())).messages.at(-1).content, {
    sentiment: "positive",
    score: 0.9,
  });
});

test("a plain JSON Schema works too, and fenced JSON is accepted", async () => {
  const modelClient = new ScriptedModelClient({ replies: ['```json\n{"answer": 42}\n```'] });
  const agent = new AssistantAgent({
    name: "oracle",
    modelClient,
    outputSchema: { type: "object", properties: { answer: { type: "integer" } }, required: ["answer"] },
    outputStrict: true,
  });
  const result = await agent.run({ task: "?" });
  assert.deepEqual(result.output, { answer: 42 });
  const format = modelClient.requests[0]?.responseFormat;
  assert.equal(format?.type === "json_schema" ? format.strict : undefined, true);
});

test("a reply that is not JSON or fails the schema is HEARTH_OUTPUT_INVALID, and the session keeps nothing of it", async () => {
  for (const reply of ["not json at all", '{"sentiment":"meh","score":2}']) {
    const agent = new AssistantAgent({
      name: "judge",
      modelClient: new ScriptedModelClient({ replies: [reply] }),
      outputSchema: Verdict,
    });
    const session = agent.createSession();
    await assert.rejects(agent.run({ task: "hm", session }), (error) => HearthError.is(error, "HEARTH_OUTPUT_INVALID"));
    assert.deepEqual(session.messages, []);
  }
});

test("with tools, an output schema reflects on the results by default and structures the final answer", async () => {
  const lookup = defineTool({
    name: "lookup",
    description: "",
    parameters: { type: "object" },
    execute: () => "great reviews",
  });
  const modelClient = new ScriptedModelClient({
    replies: [{ toolCalls: [{ name: "lookup", arguments: {} }] }, '{"sentiment":"positive","score":0.8}'],
  });
  const agent = new AssistantAgent({ name: "judge", modelClient, tools: [lookup], outputSchema: Verdict });
  assert.equal(agent.reflectOnToolUse, true);
  const result = await agent.run({ task: "How is it rated?" });
  assert.deepEqual(result.output, { sentiment: "positive", score: 0.8 });
  assert.ok(modelClient.requests.every((request) => request.responseFormat?.type === "json_schema"));
});

test("a model without JSON output cannot take an output schema", () => {
  const modelClient = new ScriptedModelClient({ modelInfo: { jsonOutput: false, structuredOutput: false } });
  assert.throws(
    () => new AssistantAgent({ name: "judge", modelClient, outputSchema: Verdict }),
    (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === "outputSchema",
  );
});

test("a model with JSON mode but no json_schema (DeepSeek) is asked for a JSON object and told the schema", async () => {
  const modelClient = new ScriptedModelClient({
    modelInfo: { structuredOutput: false, jsonOutput: true },
    replies: ['{"sentiment":"negative","score":0.1}'],
  });
  const agent = new AssistantAgent({ name: "judge", modelClient, outputSchema: Verdict, systemMessage: "Judge it." });
  const result = await agent.run({ task: "Awful lamp." });
  assert.deepEqual(result.output, { sentiment: "negative", score: 0.1 });
  const [request] = modelClient.requests;
  assert.deepEqual(request?.responseFormat, { type: "json_object" });
  const system = request?.messages[0];
  assert.equal(system?.role, "system");
  assert.ok(
    typeof system?.content === "string" && system.content.startsWith("Judge it.\n\nReply with one JSON object"),
  );
  assert.ok(typeof system?.content === "string" && system.content.includes('"sentiment"'));
});
