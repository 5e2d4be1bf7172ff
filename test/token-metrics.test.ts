// Tokens and what they cost: after scripted turns (an agent with a tool, a selector team whose
// choice of speaker is a model call too), /metrics counts exactly the tokens the model reported,
// priced by the app's table, and each request's log line carries its own.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AssistantAgent,
  ConnectionPools,
  defineApp,
  defineTool,
  MaxMessageTermination,
  OpenAIChatCompletionClient,
  SelectorGroupChat,
} from "hearth";
import { serve } from "hearth/node";
import { type MockChatRequest, startMockOpenAIServer } from "hearth/testing";

/** Sums the samples of one metric whose labels match. */
function sum(metrics: string, name: string, match: Record<string, string> = {}): number {
  let total = 0;
  for (const line of metrics.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    if (!Object.entries(match).every(([label, value]) => line.includes(`${label}="${value}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

test("after scripted turns, /metrics shows exactly the tokens the model reported, by kind, caller and model, and their cost", async () => {
  const reported = { input: 0, output: 0, calls: 0 };
  const respond = (request: MockChatRequest) => {
    reported.calls += 1;
    const usage = { promptTokens: 10 + reported.calls, completionTokens: 1 + (reported.calls % 4) };
    reported.input += usage.promptTokens;
    reported.output += usage.completionTokens;
    const system = String(request.messages[0]?.content ?? "");
    // The selector's prompt lists the participants: it names the first.
    if (system.includes("Read the above conversation")) return { content: "planner", usage };
    if (request.messages.some((message) => message.role === "tool")) return { content: "It is 21 degrees.", usage };
    if (request.tools?.some((tool) => tool.function.name === "weather") === true)
      return { toolCalls: [{ name: "weather", arguments: { city: "Oslo" } }], usage };
    return { content: "A plan.", usage };
  };
  const mock = await startMockOpenAIServer({ respond });
  const pools = new ConnectionPools();
  const client = () =>
    new OpenAIChatCompletionClient({ model: "m", baseURL: mock.url, apiKey: "k", connectionPools: pools });
  const weather = defineTool({
    name: "weather",
    description: "The weather in a city.",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    execute: () => ({ celsius: 21 }),
  });
  const logs: Record<string, unknown>[] = [];
  const app = defineApp({
    name: "tokens",
    prices: { m: { inputPerMillion: 2, outputPerMillion: 8 } },
    models: { default: client },
    agents: {
      forecaster: ({ models }) =>
        new AssistantAgent({
          name: "forecaster",
          modelClient: models.default,
          tools: [weather],
          reflectOnToolUse: true,
        }),
      planner: ({ models }) => new AssistantAgent({ name: "planner", modelClient: models.default }),
      critic: ({ models }) => new AssistantAgent({ name: "critic", modelClient: models.default }),
    },
    teams: {
      crew: ({ agents, models }) =>
        new SelectorGroupChat({
          name: "crew",
          participants: [agents.planner, agents.critic],
          modelClient: models.default,
          termination: new MaxMessageTermination(2),
        }),
    },
  });
  const server = await serve(app, { port: 0, log: (entry) => logs.push(entry), store: { kind: "memory" } });
  try {
    const chat = async (body: Record<string, unknown>) => {
      const response = await fetch(`${server.url}/v1/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 200, await response.clone().text());
      return response.headers.get("x-request-id");
    };
    const before = { ...reported };
    const firstId = await chat({ agent: "forecaster", message: "Weather in Oslo?" });
    const firstTurn = { input: reported.input - before.input, output: reported.output - before.output };
    for (let index = 0; index < 3; index++) await chat({ agent: "forecaster", message: "And now?" });
    for (let index = 0; index < 2; index++) await chat({ team: "crew", message: "Plan a trip." });
    assert.ok(reported.calls >= 4 * 2 + 2 * 2, `${reported.calls} model calls`);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.equal(sum(metrics, "hearth_model_tokens_total", { kind: "input" }), reported.input);
    assert.equal(sum(metrics, "hearth_model_tokens_total", { kind: "output" }), reported.output);
    assert.ok(sum(metrics, "hearth_model_tokens_total", { caller: "crew/selector" }) > 0, "the selector's calls count");
    assert.ok(sum(metrics, "hearth_model_tokens_total", { caller: "forecaster", model: "m" }) > 0);
    const cost = sum(metrics, "hearth_model_cost_total");
    assert.ok(Math.abs(cost - (reported.input * 2 + reported.output * 8) / 1e6) < 1e-12, `cost ${cost}`);

    const line = logs.find((entry) => entry.msg === "request" && entry.id === firstId);
    assert.equal(line?.inputTokens, firstTurn.input);
    assert.equal(line?.outputTokens, firstTurn.output);
  } finally {
    await server.close();
    pools.close();
    await mock.close();
  }
});

test("an app's price table is checked when the app is defined", () => {
  assert.throws(() => defineApp({ name: "bad", prices: { m: { inputPerMillion: -1, outputPerMillion: 1 } } }), {
    field: "prices.m",
  });
  assert.throws(() => defineApp({ name: "bad", prices: "cheap" as never }), { field: "prices" });
});
