// The seed scenario end to end over real HTTP: the support agent, its lookup_order tool over an
// orders table loaded once, and hearth's mock OpenAI-compatible server on loopback.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ConnectionPools, OpenAIChatCompletionClient, type AgentMessage, type TaskResult } from "hearth";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { createSupportAgent, loadOrders, loadPolicy } from "../examples/support/support-agent.ts";
import { supportModel } from "../examples/support/support-model.ts";

let mock: MockOpenAIServer;
const pools = new ConnectionPools();
const orders = loadOrders();
const policy = loadPolicy();

function agent(stream: boolean) {
  const modelClient = new OpenAIChatCompletionClient({
    model: "support-mock",
    baseURL: mock.url,
    apiKey: "sk-support",
    connectionPools: pools,
  });
  return createSupportAgent({ modelClient, orders, policy, stream });
}

function reply(result: TaskResult): string {
  const last = result.messages.at(-1);
  return last?.type === "text" ? last.content : "";
}

function assertAnsweredFromTheTool(result: TaskResult): void {
  assert.deepEqual(
    result.messages.map((message: AgentMessage) => message.type),
    ["text", "tool-call-request", "tool-call-execution", "text"],
  );
  const execution = result.messages[2];
  assert.equal(execution?.type, "tool-call-execution");
  const toolResult = execution?.type === "tool-call-execution" ? execution.results[0] : undefined;
  assert.equal(toolResult?.name, "lookup_order");
  assert.equal(toolResult?.isError, false);
  assert.equal(JSON.parse(toolResult?.content ?? "{}").tracking, "JD014600006281");
  assert.equal(
    reply(result),
    "Order A123 has shipped with DHL (tracking JD014600006281) and should arrive by 2026-11-27.",
  );
  assert.ok(result.usage.promptTokens > 0);
}

describe("support_agent answers 'Where is order A123?' over HTTP", () => {
  before(async () => {
    mock = await startMockOpenAIServer({ respond: supportModel });
  });
  after(async () => {
    pools.close();
    await mock.close();
  });

  test("without streaming", async () => {
    mock.requests.length = 0;
    const result = await agent(false).run({ task: "Where is order A123?" });
    assertAnsweredFromTheTool(result);
    assert.equal(mock.requests.length, 2);
    const first = mock.requests[0]?.body;
    assert.equal(first?.tools?.[0]?.function.name, "lookup_order");
    assert.match(
      String(first?.messages[0]?.content),
      /30 days of delivery/,
      "the policy document is in the system message",
    );
    assert.equal(mock.requests[1]?.body?.messages.at(-1)?.role, "tool");
    assert.ok(mock.requests.every((request) => request.headers.authorization === "Bearer sk-support"));
  });

  test("streaming", async () => {
    mock.requests.length = 0;
    const deltas: string[] = [];
    let result: TaskResult | undefined;
    for await (const item of agent(true).runStream({ task: "Where is order A123?" })) {
      if (item.type === "message-delta") deltas.push(item.content);
      if (item.type === "task-result") result = item;
    }
    assert.ok(result !== undefined);
    assertAnsweredFromTheTool(result);
    assert.ok(deltas.length > 1, "the reply arrived in several deltas");
    assert.equal(deltas.join(""), reply(result));
    assert.ok(mock.requests.every((request) => request.body?.stream === true));
  });

  test("an unknown order is answered from the tool's not-found result", async () => {
    const result = await agent(false).run({ task: "Where is order Z999?" });
    assert.match(reply(result), /could not find an order with the id Z999/);
  });

  test("the orders table is read once: the tool answers from memory", async () => {
    const first = orders.get("A123");
    await agent(false).run({ task: "Where is order A123?" });
    assert.equal(orders.get("A123"), first);
    assert.ok(Object.isFrozen(first));
  });
});
