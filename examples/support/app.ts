// The support example as a hearth app: the orders table and the policy are assets read once at
// startup, the model client and the agent are built once, and everything is warm before ready.
import { AnthropicChatCompletionClient, OpenAIChatCompletionClient, asset, defineApp } from "hearth";
import { createSupportAgent, type Order } from "./support-agent.ts";

export const supportApp = defineApp({
  name: "support",
  assets: {
    orders: asset.json<Order[]>(new URL("./orders.json", import.meta.url), {
      type: "array",
      items: {
        type: "object",
        properties: { id: { type: "string" }, status: { type: "string" } },
        required: ["id", "status"],
      },
    }),
    policy: asset.text(new URL("./policy.md", import.meta.url)),
  },
  models: {
    // Claude when only ANTHROPIC_API_KEY is set (ANTHROPIC_BASE_URL is read by the client), else OpenAI.
    default: () =>
      usesAnthropic(process.env)
        ? new AnthropicChatCompletionClient({ model: process.env.ANTHROPIC_MODEL ?? "claude-haiku-4-5" })
        : new OpenAIChatCompletionClient({
            model: process.env.OPENAI_MODEL ?? "gpt-4o-mini",
            ...(process.env.OPENAI_BASE_URL === undefined ? {} : { baseURL: process.env.OPENAI_BASE_URL }),
          }),
  },
  agents: {
    support_agent: ({ assets, models }) =>
      createSupportAgent({
        modelClient: models.default,
        orders: new Map(assets.orders.map((order) => [order.id, order])),
        policy: assets.policy,
      }),
  },
});

/** Whether the environment names an Anthropic key and no OpenAI one. */
export function usesAnthropic(env: NodeJS.ProcessEnv): boolean {
  return (env.ANTHROPIC_API_KEY ?? "") !== "" && (env.OPENAI_API_KEY ?? "") === "";
}
