// The app chaos scenarios serve: one agent whose model is the mock at OPENAI_BASE_URL; served by
// ./agent.ts, or by `hearth serve` (the reload scenario). CHAOS_STREAM=1: the agent streams from the
// model; CHAOS_MODEL_TIMEOUT_MS and CHAOS_MODEL_RETRIES: the model client's idle timeout and retries.
import { AssistantAgent, defineApp, OpenAIChatCompletionClient } from "hearth";

const env = process.env;
const numberFrom = (name: string) => (env[name] === undefined ? undefined : Number(env[name]));
const timeoutMs = numberFrom("CHAOS_MODEL_TIMEOUT_MS");
const maxRetries = numberFrom("CHAOS_MODEL_RETRIES");

export default defineApp({
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
