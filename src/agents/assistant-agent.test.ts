import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import type { AgentMessage, TaskResult } from "../core/messages.ts";
import type { ModelRequest } from "../core/model-client.ts";
import { Session } from "../core/session.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { defineTool } from "../tools/define-tool.ts";
import { AssistantAgent } from "./assistant-agent.ts";

const weather = defineTool({
  name: "weather",
  description: "Weather for a city.",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  execute: ({ city }) => `sunny in ${city}`,
});

const types = (messages: readonly AgentMessage[]) => messages.map((message) => message.type);

test("a text reply: the task and the reply are the result's messages and the session's turn", async () => {
  const modelClient = new ScriptedModelClient({
    replies: [{ content: "Hello!", usage: { promptTokens: 12, completionTokens: 3 } }],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient, systemMessage: "Be kind." });
  const session = agent.createSession();
  const result = await agent.run({ task: "Hi", session });
  assert.deepEqual(types(result.messages), ["text", "text"]);
  assert.deepEqual(
    result.messages.map((message) => message.source),
    ["user", "helper"],
  );
  assert.equal(result.stopReason, "text");
  assert.deepEqual(result.usage, { promptTokens: 12, completionTokens: 3 });
  assert.deepEqual(modelClient.requests[0]?.messages, [
    { role: "system", content: "Be kind." },
    { role: "user", content: "Hi", source: "user" },
  ]);
  assert.deepEqual(session.contextOf("helper"), [
    { role: "user", content: "Hi", source: "user" },
    { role: "assistant", content: "Hello!", source: "helper" },
  ]);
  assert.deepEqual(session.messages, result.messages);
});

test("a second run continues the session's conversation", async () => {
  const modelClient = new ScriptedModelClient({ replies: ["one", "two"] });
  const agent = new AssistantAgent({ name: "helper", modelClient, systemMessage: null });
  const session = agent.createSession();
  await agent.run({ task: "first", session });
  await agent.run({ task: "second", session });
  assert.deepEqual(
    modelClient.requests[1]?.messages.map((message) => message.role),
    ["user", "assistant", "user"],
  );
  assert.equal(session.messages.length, 4);
});

test("without reflection, tool results come back as a tool-call summary (AutoGen's default)", async () => {
  const modelClient = new ScriptedModelClient({
    replies: [
      {
        toolCalls: [
          { id: "c1", name: "weather", arguments: { city: "Oslo" } },
          { id: "c2", name: "weather", arguments: { city: "Rome" } },
        ],
      },
    ],
  });
  const agent = new AssistantAgent({
    name: "helper",
    modelClient,
    tools: [weather],
    toolCallSummaryFormat: "{tool_name}({arguments}) = {result}",
  });
  const session = agent.createSession();
  const result = await agent.run({ task: "Weather?", session });
  assert.deepEqual(types(result.messages), ["text", "tool-call-request", "tool-call-execution", "tool-call-summary"]);
  assert.equal(result.stopReason, "tool-call-summary");
  const summary = result.messages.at(-1);
  assert.equal(
    summary?.type === "tool-call-summary" ? summary.content : "",
    'weather({"city":"Oslo"}) = sunny in Oslo\nweather({"city":"Rome"}) = sunny in Rome',
  );
  assert.deepEqual(
    modelClient.requests[0]?.tools?.map((tool) => tool.name),
    ["weather"],
  );
  assert.deepEqual(
    session.contextOf("helper").map((message) => message.role),
    ["user", "assistant", "tool"],
  );
});

test("with reflection, the model answers from the tool results in a second call without tools", async () => {
  const modelClient = new ScriptedModelClient({
    replies: [{ toolCalls: [{ name: "weather", arguments: { city: "Oslo" } }] }, "It is sunny in Oslo."],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [weather], reflectOnToolUse: true });
  const result = await agent.run({ task: "Weather in Oslo?" });
  assert.deepEqual(types(result.messages), ["text", "tool-call-request", "tool-call-execution", "text"]);
  assert.equal(modelClient.requests[1]?.tools, undefined);
  const request = result.messages[1];
  const callId = request?.type === "tool-call-request" ? request.toolCalls[0]?.id : undefined;
  assert.deepEqual(modelClient.requests[1]?.messages.slice(-1), [
    { role: "tool", results: [{ callId, name: "weather", content: "sunny in Oslo", isError: false }] },
  ]);
  assert.deepEqual(result.usage, { promptTokens: 20, completionTokens: 10 });
});

test("maxToolIterations lets the model call tools again, and a text reply ends the loop early", async () => {
  const modelClient = new ScriptedModelClient({
    replies: [
      { toolCalls: [{ name: "weather", arguments: { city: "Oslo" } }] },
      { toolCalls: [{ name: "weather", arguments: { city: "Rome" } }] },
      "Both sunny.",
    ],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [weather], maxToolIterations: 5 });
  const result = await agent.run({ task: "Oslo then Rome?" });
  assert.deepEqual(types(result.messages), [
    "text",
    "tool-call-request",
    "tool-call-execution",
    "tool-call-request",
    "tool-call-execution",
    "text",
  ]);
  assert.equal(modelClient.requests.length, 3);
  assert.ok(modelClient.requests.every((request) => request.tools?.length === 1));
});

test("streaming yields message deltas first, then messages, then the TaskResult; deltas stay out of it", async () => {
  const modelClient = new ScriptedModelClient({ replies: ["Streaming works fine."], chunkSize: 5 });
  const agent = new AssistantAgent({ name: "helper", modelClient, modelClientStream: true });
  const items = [];
  for await (const item of agent.runStream({ task: "Stream?" })) items.push(item);
  const deltas = items.filter((item) => item.type === "message-delta");
  assert.equal(
    deltas.map((item) => (item.type === "message-delta" ? item.content : "")).join(""),
    "Streaming works fine.",
  );
  assert.ok(deltas.length > 1);
  const last = items.at(-1) as TaskResult;
  assert.equal(last.type, "task-result");
  assert.deepEqual(types(last.messages), ["text", "text"]);
});

test("a thought from the model is an event before the reply and is kept in the context", async () => {
  const modelClient = new ScriptedModelClient({ replies: [{ content: "42", thought: "Deep thinking." }] });
  const agent = new AssistantAgent({ name: "helper", modelClient });
  const session = new Session();
  const result = await agent.run({ task: "Answer?", session });
  assert.deepEqual(types(result.messages), ["text", "thought", "text"]);
  assert.deepEqual(session.contextOf("helper").at(-1), {
    role: "assistant",
    content: "42",
    source: "helper",
    thought: "Deep thinking.",
  });
});

test("a failed model call leaves the session exactly as it was, and the error keeps its code", async () => {
  const modelClient = new ScriptedModelClient({
    replies: ["fine", new HearthError("HEARTH_MODEL_SERVER", "down", { retryable: true })],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient });
  const session = agent.createSession();
  await agent.run({ task: "one", session });
  const before = session.toJSON();
  await assert.rejects(agent.run({ task: "two", session }), (error) => HearthError.is(error, "HEARTH_MODEL_SERVER"));
  assert.deepEqual(session.toJSON(), before);
});

test("an abort during tool execution stores nothing of the unfinished step", async () => {
  const controller = new AbortController();
  const slow = defineTool({
    name: "slow",
    description: "",
    parameters: { type: "object" },
    execute: (_args, { signal }) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener("abort", () => reject(new Error("aborted")));
        setImmediate(() => controller.abort());
      }),
  });
  const modelClient = new ScriptedModelClient({ replies: [{ toolCalls: [{ name: "slow", arguments: {} }] }] });
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [slow] });
  const session = agent.createSession();
  await assert.rejects(agent.run({ task: "go", session, signal: controller.signal }), (error) =>
    HearthError.is(error, "HEARTH_ABORTED"),
  );
  assert.deepEqual(session.messages, []);
  assert.deepEqual(session.contextOf("helper"), []);
});

test("an already aborted signal rejects before any model call", async () => {
  const modelClient = new ScriptedModelClient({ replies: ["never"] });
  const agent = new AssistantAgent({ name: "helper", modelClient });
  await assert.rejects(agent.run({ task: "x", signal: AbortSignal.abort() }), (error) =>
    HearthError.is(error, "HEARTH_ABORTED"),
  );
  assert.equal(modelClient.requests.length, 0);
});

test("concurrent runs on one session take turns in arrival order", async () => {
  const seen: string[] = [];
  const modelClient = new ScriptedModelClient({
    replies: Array.from({ length: 3 }, () => async (request: ModelRequest) => {
      const last = request.messages.at(-1);
      seen.push(last?.role === "user" && typeof last.content === "string" ? last.content : "");
      await new Promise((resolve) => setTimeout(resolve, 5));
      return `ok ${seen.length}`;
    }),
  });
  const agent = new AssistantAgent({ name: "helper", modelClient });
  const session = agent.createSession();
  await Promise.all(["a", "b", "c"].map((task) => agent.run({ task, session })));
  assert.deepEqual(seen, ["a", "b", "c"]);
  assert.deepEqual(
    session.contextOf("helper").map((message) => (message.role === "tool" ? "" : message.content)),
    ["a", "ok 1", "b", "ok 2", "c", "ok 3"],
  );
});

test("the agent is immutable and rejects bad options at construction", () => {
  const modelClient = new ScriptedModelClient();
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [weather] });
  assert.ok(Object.isFrozen(agent) && Object.isFrozen(agent.tools));
  assert.throws(() => {
    (agent as { name: string }).name = "other";
  }, TypeError);
  const cases: [Record<string, unknown>, string][] = [
    [{ name: "bad name", modelClient }, "name"],
    [{ name: "a" }, "modelClient"],
    [{ name: "a", modelClient, tools: [weather, weather] }, "tools"],
    [
      { name: "a", modelClient: new ScriptedModelClient({ modelInfo: { functionCalling: false } }), tools: [weather] },
      "tools",
    ],
    [{ name: "a", modelClient, maxToolIterations: 0 }, "maxToolIterations"],
  ];
  for (const [options, field] of cases) {
    assert.throws(
      () => new AssistantAgent(options as never),
      (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === field,
      field,
    );
  }
});
