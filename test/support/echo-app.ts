// A one-agent app for the process-level tests: its model is whatever OPENAI_BASE_URL points at.
import { AssistantAgent, defineApp, OpenAIChatCompletionClient } from "hearth";

export default defineApp({
  name: "echo",
  models: {
    default: () =>
      new OpenAIChatCompletionClient({ model: "mock", baseURL: process.env.OPENAI_BASE_URL ?? "", apiKey: "sk-test" }),
  },
  agents: { echo: ({ models }) => new AssistantAgent({ name: "echo", modelClient: models.default }) },
});
