import { readFileSync } from "node:fs";
import { AssistantAgent, defineTool, type ModelClient } from "hearth";

export interface Order {
  readonly id: string;
  readonly status: "processing" | "shipped" | "delivered" | "returned";
  readonly carrier: string | null;
  readonly tracking: string | null;
  readonly eta: string | null;
  readonly items: readonly string[];
}

/** Reads the orders table once, at startup; the tool then answers from memory. */
export function loadOrders(file: URL = new URL("./orders.json", import.meta.url)): ReadonlyMap<string, Order> {
  const orders = JSON.parse(readFileSync(file, "utf8")) as Order[];
  return new Map(orders.map((order) => [order.id, Object.freeze(order)]));
}

export function loadPolicy(file: URL = new URL("./policy.md", import.meta.url)): string {
  return readFileSync(file, "utf8");
}

export interface SupportAgentOptions {
  readonly modelClient: ModelClient;
  readonly orders: ReadonlyMap<string, Order>;
  readonly policy: string;
  readonly stream?: boolean;
}

/** The seed scenario: a support agent with one tool over an orders table loaded once. */
export function createSupportAgent({
  modelClient,
  orders,
  policy,
  stream = false,
}: SupportAgentOptions): AssistantAgent {
  const lookupOrder = defineTool({
    name: "lookup_order",
    description:
      "Look up an order by its id (for example A123) and return its status, carrier, tracking number and expected delivery date.",
    parameters: {
      type: "object",
      properties: {
        order_id: {
          type: "string",
          description: "The order id, a letter and three digits.",
          pattern: "^[A-Z][0-9]{3}$",
        },
      },
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
    modelClient,
    tools: [lookupOrder],
    systemMessage: `You are a customer support agent for a home goods shop.\n\n${policy}`,
    reflectOnToolUse: true,
    modelClientStream: stream,
  });
}
