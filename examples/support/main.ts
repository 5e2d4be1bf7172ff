// The demo: the support agent answering a customer, against hearth's mock OpenAI-compatible server
// on loopback, or against a real provider when OPENAI_API_KEY is set.
import { OpenAIChatCompletionClient, sharedConnectionPools, type TaskResult } from "hearth";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { createSupportAgent, loadOrders, loadPolicy } from "./support-agent.ts";
import { supportModel } from "./support-model.ts";

const question = process.argv[2] ?? "Where is order A123?";
const started = performance.now();
const elapsed = (since: number) => `${(performance.now() - since).toFixed(1)} ms`;

const useProvider = process.env.OPENAI_API_KEY !== undefined && process.env.OPENAI_API_KEY !== "";
let mock: MockOpenAIServer | undefined;
if (!useProvider) mock = await startMockOpenAIServer({ respond: supportModel, models: ["support-mock"] });

try {
  const modelClient = new OpenAIChatCompletionClient(
    mock === undefined
      ? { model: process.env.OPENAI_MODEL ?? "gpt-4o-mini" }
      : { model: "support-mock", baseURL: mock.url, apiKey: "demo-key" },
  );
  const agent = createSupportAgent({ modelClient, orders: loadOrders(), policy: loadPolicy() });

  const warmStart = performance.now();
  await modelClient.warmup();
  const warmup = elapsed(warmStart);
  console.log(`hearth demo: support_agent on ${mock === undefined ? `the provider (${modelClient.origin})` : `hearth's mock model server (${mock.url})`}`);
  console.log(`startup: ready in ${elapsed(started)} (model warm-up ${warmup})\n`);

  const session = agent.createSession();
  const firstStart = performance.now();
  const first = await agent.run({ task: question, session });
  const firstMs = elapsed(firstStart);
  print("customer", question);
  printResult(first);

  const secondStart = performance.now();
  await agent.run({ task: question, session: agent.createSession() });
  console.log(`\nfirst request ${firstMs}, the same request warm ${elapsed(secondStart)}; tokens: ${first.usage.promptTokens} in, ${first.usage.completionTokens} out`);
} finally {
  await mock?.close();
  sharedConnectionPools.close();
}

function print(who: string, text: string): void {
  console.log(`${who.padEnd(14)} ${text}`);
}

function printResult(result: TaskResult): void {
  for (const message of result.messages) {
    if (message.type === "tool-call-request") for (const call of message.toolCalls) print("  tool call", `${call.name}(${call.arguments})`);
    else if (message.type === "tool-call-execution") for (const toolResult of message.results) print("  tool result", toolResult.content);
    else if (message.type === "text" && message.source !== "user") print(message.source, message.content);
  }
}
