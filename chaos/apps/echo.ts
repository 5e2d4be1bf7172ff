// The app chaos scenarios serve: one agent whose model is the mock at OPENAI_BASE_URL, sessions in
// memory, logs off; admission control from CHAOS_ADMISSION ("turns,queued,timeoutMs", or "off").
import { AssistantAgent, defineApp, MemorySessionStore, OpenAIChatCompletionClient } from "hearth";
import { serve } from "hearth/node";

const app = defineApp({
  name: "chaos",
  models: {
    default: () => new OpenAIChatCompletionClient({ model: "mock", baseURL: process.env.OPENAI_BASE_URL ?? "", apiKey: "sk-chaos" }),
  },
  agents: { echo: ({ models }) => new AssistantAgent({ name: "echo", modelClient: models.default }) },
});
const [turns, queued, timeoutMs] = (process.env.CHAOS_ADMISSION ?? "off").split(",").map(Number);
const server = await serve(app, {
  port: 0,
  store: new MemorySessionStore(),
  log: () => {},
  ...(turns === undefined || Number.isNaN(turns)
    ? {}
    : { admission: { maxTurnsInFlight: turns, maxQueued: queued ?? turns, queueTimeoutMs: timeoutMs ?? 1_000 } }),
});
process.stdout.write(`READY ${server.url}\n`);
