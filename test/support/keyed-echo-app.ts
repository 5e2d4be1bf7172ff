// The echo app with an API key: every route but the probes answers 401 without it.
import { AssistantAgent, defineApp, OpenAIChatCompletionClient } from "hearth";

export default defineApp({
  name: "keyed_echo",
  auth: { apiKeys: { "hk-keyed-echo-0001": "me" } },
  models: {
    default: () =>
      new OpenAIChatCompletionClient({ model: "mock", baseURL: process.env.OPENAI_BASE_URL ?? "", apiKey: "sk-test" }),
  },
  agents: { echo: ({ models }) => new AssistantAgent({ name: "echo", modelClient: models.default }) },
});
