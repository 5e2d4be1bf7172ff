// The demo (`npm start`, `hearth demo`): the support app served over HTTP by hearth, against
// hearth's mock OpenAI-compatible server on loopback, or the real provider when OPENAI_API_KEY (or
// ANTHROPIC_API_KEY, for Claude) is set. It prints the startup trace and one exchange made over HTTP, then keeps serving, with the
// playground at /playground.
import { closeOnSignals } from "hearth/cli";
import { serve } from "hearth/node";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { supportModel } from "./support-model.ts";

const question = process.argv[2] ?? "Where is order A123?";
const useProvider = (process.env.OPENAI_API_KEY ?? "") !== "" || (process.env.ANTHROPIC_API_KEY ?? "") !== "";
let mock: MockOpenAIServer | undefined;
if (!useProvider) {
  mock = await startMockOpenAIServer({ respond: supportModel, models: ["support-mock"] });
  process.env.OPENAI_BASE_URL = mock.url;
  process.env.OPENAI_API_KEY = "demo-key";
  process.env.OPENAI_MODEL = "support-mock";
}
const { supportApp } = await import("./app.ts");
const port = process.env.PORT === undefined ? 8787 : Number(process.env.PORT);

// Request lines are JSON, for machines; the demo shows people only warnings and errors.
const server = await serve(supportApp, {
  port,
  host: process.env.HOST ?? "127.0.0.1",
  playground: true,
  log: (entry) => {
    if (entry.level === "warn" || entry.level === "error")
      console.error(`${String(entry.level)}: ${String(entry.msg)}`);
  },
});
const trace = server.runtime.startupTrace();
console.log(
  `hearth demo: the support app, on ${mock === undefined ? "the provider" : `hearth's mock model server (${mock.url})`}\n`,
);
console.log(`startup: ready ${trace.readyMs} ms after the process started`);
for (const phase of trace.phases)
  if (phase.name !== "ready") console.log(`  ${phase.name.padEnd(6)} ${phase.durationMs.toFixed(1).padStart(6)} ms`);
for (const step of trace.steps)
  console.log(
    `    ${`${step.kind}:${step.name}`.padEnd(34)} ${step.durationMs.toFixed(1).padStart(6)} ms  ${step.status}`,
  );

const started = performance.now();
const response = await fetch(`${server.url}/v1/chat`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ message: question }),
});
const answer = (await response.json()) as {
  reply: string;
  sessionId: string;
  messages: { type: string; toolCalls?: { name: string; arguments: string }[] }[];
};
const served = server.runtime.startupTrace().firstRequest?.durationMs ?? 0;
console.log(
  `\nPOST /v1/chat {"message": ${JSON.stringify(question)}}  ->  ${response.status}, ${served.toFixed(1)} ms in the server (${(performance.now() - started).toFixed(1)} ms for this client)`,
);
for (const message of answer.messages)
  for (const call of message.toolCalls ?? []) console.log(`  tool call      ${call.name}(${call.arguments})`);
console.log(`  reply          ${answer.reply}`);
console.log(`  sessionId      ${answer.sessionId}`);
console.log(`\nlistening on ${server.url}  (Ctrl-C to stop)`);
console.log(`playground: ${server.url}/playground`);
console.log(
  `try: curl -s ${server.url}/v1/chat -H 'content-type: application/json' -d '{"message": "Where is order B201?"}'`,
);

closeOnSignals(server, 10_000, (message) => console.error(`hearth: ${message}`));
process.on("exit", () => void mock?.close());
