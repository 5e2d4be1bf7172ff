// The memory example in one command: the bike shop app served over HTTP by hearth, against hearth's
// mock model server on loopback (or the real provider when OPENAI_API_KEY is set). It prints the
// startup steps, the index build among them, asks one question over HTTP, and keeps serving.
import { closeOnSignals } from "hearth/cli";
import { serve } from "hearth/node";
import { startMockOpenAIServer } from "hearth/testing";
import { documentsModel } from "./documents-model.ts";

const question = process.argv[2] ?? "How far can an e-bike go on one charge?";
if (process.env.OPENAI_API_KEY === undefined || process.env.OPENAI_API_KEY === "") {
  const mock = await startMockOpenAIServer({ respond: documentsModel });
  process.env.OPENAI_BASE_URL = mock.url;
  process.env.OPENAI_API_KEY = "demo-key";
}
const { default: app } = await import("./app.ts");
const server = await serve(app, {
  port: process.env.PORT === undefined ? 8787 : Number(process.env.PORT),
  store: { kind: "memory" },
  log: (entry) => {
    if (entry.level === "warn" || entry.level === "error") console.error(`${entry.level}: ${entry.msg}`);
  },
});
const trace = server.runtime.startupTrace();
console.log(`startup: ready ${trace.readyMs} ms after the process started`);
for (const step of trace.steps)
  console.log(
    `  ${`${step.kind}:${step.name}`.padEnd(40)} ${step.durationMs.toFixed(1).padStart(7)} ms  ${step.status}`,
  );
const response = await fetch(`${server.url}/v1/chat`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ message: question }),
});
const { reply, messages } = (await response.json()) as {
  reply: string;
  messages: { type: string; content?: { metadata?: { title?: string; score?: number } }[] }[];
};
const found = messages.find((message) => message.type === "memory-query")?.content ?? [];
console.log(`\n> ${question}`);
for (const item of found) console.log(`  (from memory: ${item.metadata?.title}, score ${item.metadata?.score})`);
console.log(`${reply}\n\nServing on ${server.url} (POST /v1/chat); Ctrl-C stops it.`);
closeOnSignals(server, 10_000, (message) => console.error(`hearth: ${message}`));
