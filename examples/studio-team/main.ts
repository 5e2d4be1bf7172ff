// The Studio team in one command (node --conditions=@hearth/source examples/studio-team/main.ts):
// the app served over HTTP by hearth, against hearth's mock model server on loopback (or the real
// provider when OPENAI_API_KEY is set). It prints the startup steps, asks one question over HTTP,
// and keeps serving.
import { closeOnSignals } from "hearth/cli";
import { serve } from "hearth/node";
import { startMockOpenAIServer } from "hearth/testing";
import { studioModel } from "./studio-model.ts";

const question = process.argv[2] ?? "What is 12 * 7?";
if (process.env.OPENAI_API_KEY === undefined || process.env.OPENAI_API_KEY === "") {
  const mock = await startMockOpenAIServer({ respond: studioModel });
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
    `  ${`${step.kind}:${step.name}`.padEnd(30)} ${step.durationMs.toFixed(1).padStart(7)} ms  ${step.status}`,
  );
const response = await fetch(`${server.url}/v1/chat`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ team: "studio", message: question }),
});
const { reply } = (await response.json()) as { reply: string };
console.log(`\n> ${question}\n${reply}\n\nServing on ${server.url} (POST /v1/chat); Ctrl-C stops it.`);
closeOnSignals(server, 10_000, (message) => console.error(`hearth: ${message}`));
