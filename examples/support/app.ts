// The support example as a hearth app: the orders table and the policy are assets read once at
// startup, the model client and the agent are built once, and everything is warm before ready.
import { AssistantAgent, OpenAIChatCompletionClient, asset, defineApp, defineTool } from "hearth";
import type { Order } from "./support-agent.ts";

export const supportApp = defineApp({
  name: "support",
  assets: {
    orders: asset.json<Order[]>(new URL("./orders.json", import.meta.url), {
      type: "array",
      items: { type: "object", properties: { id: { type: "string" }, status: { type: "string" } }, required: ["id", "status"] },
    }),
    policy: asset.text(new URL("./policy.md", import.meta.url)),
  },
  models: {
    default: () =>
      new OpenAIChatCompletionClient({
        model: process.env.OPENAI_MODEL ?? "gpt-4o-mini",
        ...(process.env.OPENAI_BASE_URL === undefined ? {} : { baseURL: process.env.OPENAI_BASE_URL }),
      }),
  },
  agents: {
    support_agent: ({ assets, models }) => {
      const orders = new Map(assets.orders.map((order) => [order.id, order]));
      const lookupOrder = defineTool({
        name: "lookup_order",
        description: "Look up an order by its id (for example A123) and return its status, carrier, tracking number and expected delivery date.",
        parameters: {
          type: "object",
          properties: { order_id: { type: "string", description: "The order id, a letter and three digits.", pattern: "^[A-Z][0-9]{3}$" } },
          required: ["order_id"],
          additionalProperties: false,
        },
        execute: ({ order_id }) => {
          const order = orders.get(String(order_id));
          return order === undefined ? { found: false, order_id } : { found: true, ...order };
        },
      });
      return new AssistantAgent({
        name: "support_agent",
        description: "Answers customers' questions about their orders.",
        modelClient: models.default,
        tools: [lookupOrder],
        systemMessage: `You are a customer support agent for a home goods shop.\n\n${assets.policy}`,
        reflectOnToolUse: true,
      });
    },
  },
});
