// The demo: the support app on hearth's runtime, answering a customer through hearth's mock
// OpenAI-compatible server on loopback, or through the real provider when OPENAI_API_KEY is set.
import { createRuntime, type StartupTraceJSON, type TaskResult } from "hearth";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { supportModel } from "./support-model.ts";

const question = process.argv[2] ?? "Where is order A123?";
const useProvider = process.env.OPENAI_API_KEY !== undefined && process.env.OPENAI_API_KEY !== "";
let mock: MockOpenAIServer | undefined;
if (!useProvider) {
  mock = await startMockOpenAIServer({ respond: supportModel, models: ["support-mock"] });
  process.env.OPENAI_BASE_URL = mock.url;
  process.env.OPENAI_API_KEY = "demo-key";
  process.env.OPENAI_MODEL = "support-mock";
}
const { supportApp } = await import("./app.ts");
const runtime = createRuntime(supportApp, { log: () => {} });

try {
  await runtime.start();
  console.log(`hearth demo: support_agent on ${mock === undefined ? "the provider" : `hearth's mock model server (${mock.url})`}\n`);
  printTrace(runtime.startupTrace());

  const session = runtime.agents.support_agent.createSession();
  const first = await runtime.track(() => runtime.agents.support_agent.run({ task: question, session }));
  const firstMs = runtime.startupTrace().firstRequest?.durationMs ?? 0;
  print("customer", question);
  printResult(first);

  const warmStart = performance.now();
  await runtime.track(() => runtime.agents.support_agent.run({ task: question }));
  console.log(`\nfirst request ${firstMs.toFixed(1)} ms, the same request warm ${(performance.now() - warmStart).toFixed(1)} ms; tokens: ${first.usage.promptTokens} in, ${first.usage.completionTokens} out`);
} finally {
  await runtime.close();
  await mock?.close();
}

function printTrace(trace: StartupTraceJSON): void {
  console.log(`startup: ready ${trace.readyMs} ms after the process started`);
  for (const phase of trace.phases) if (phase.name !== "ready") console.log(`  ${phase.name.padEnd(6)} ${phase.durationMs.toFixed(1).padStart(6)} ms`);
  for (const step of trace.steps) console.log(`    ${`${step.kind}:${step.name}`.padEnd(34)} ${step.durationMs.toFixed(1).padStart(6)} ms  ${step.status}`);
  console.log();
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
