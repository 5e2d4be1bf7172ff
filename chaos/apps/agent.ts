// The app chaos scenarios serve: one agent whose model is the mock at OPENAI_BASE_URL, logs off.
// Configured by the scenario through the environment:
// - CHAOS_ADMISSION: admission control, "turns,queued,timeoutMs", or "off" (the default);
// - CHAOS_STORE: "memory" (the default), "sqlite:<file>" or "redis:<url>";
// - CHAOS_TTL_MS: how long sessions live after their last turn (default: the store's);
// - CHAOS_STREAM=1: the agent streams from the model (modelClientStream);
// - CHAOS_MODEL_TIMEOUT_MS and CHAOS_MODEL_RETRIES: the model client's idle timeout and retries;
// - CHAOS_LOG=1: hearth's log lines on stderr (default off).
import { AssistantAgent, defineApp, OpenAIChatCompletionClient } from "hearth";
import { serve } from "hearth/node";

const env = process.env;
const numberFrom = (name: string) => (env[name] === undefined ? undefined : Number(env[name]));
const timeoutMs = numberFrom("CHAOS_MODEL_TIMEOUT_MS");
const maxRetries = numberFrom("CHAOS_MODEL_RETRIES");

const app = defineApp({
  name: "chaos",
  models: {
    default: () =>
      new OpenAIChatCompletionClient({
        model: "mock",
        baseURL: env.OPENAI_BASE_URL ?? "",
        apiKey: "sk-chaos",
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...(maxRetries === undefined ? {} : { maxRetries }),
      }),
  },
  agents: {
    echo: ({ models }) =>
      new AssistantAgent({ name: "echo", modelClient: models.default, modelClientStream: env.CHAOS_STREAM === "1" }),
  },
});

const [kind = "memory", where = ""] = (env.CHAOS_STORE ?? "memory").split(/:(.*)/s);
const ttlMs = numberFrom("CHAOS_TTL_MS");
const store = {
  kind: kind as "memory" | "sqlite" | "redis",
  ...(kind === "sqlite" ? { path: where } : kind === "redis" ? { url: where } : {}),
  ...(ttlMs === undefined ? {} : { ttlMs }),
};
const [turns, queued, queueTimeoutMs] = (env.CHAOS_ADMISSION ?? "off").split(",").map(Number);
const server = await serve(app, {
  port: 0,
  store,
  ...(env.CHAOS_LOG === "1" ? {} : { log: () => {} }),
  ...(turns === undefined || Number.isNaN(turns)
    ? {}
    : { admission: { maxTurnsInFlight: turns, maxQueued: queued ?? turns, queueTimeoutMs: queueTimeoutMs ?? 1_000 } }),
});
process.stdout.write(`READY ${server.url}\n`);
