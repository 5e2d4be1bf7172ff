import type { MockChatRequest, MockMessagesRequest, MockReply } from "hearth/testing";

/**
 * How the mock model behaves for the support demo, standing in for a real provider: it calls
 * `lookup_order` when the customer names an order, and answers from the tool's result.
 */
export function supportModel(request: MockChatRequest): MockReply {
  const last = request.messages.at(-1);
  return reply({
    toolResult: last?.role === "tool" && typeof last.content === "string" ? last.content : undefined,
    text: typeof last?.content === "string" ? last.content : "",
    canLookUp: request.tools?.some((tool) => tool.function.name === "lookup_order") ?? false,
  });
}

/** The same behaviour behind hearth's mock Anthropic server, reading the Messages API's content blocks. */
export function supportModelMessages(request: MockMessagesRequest): MockReply {
  const last = request.messages.at(-1);
  const blocks = typeof last?.content === "string" ? [{ type: "text", text: last.content }] : (last?.content ?? []);
  const result = blocks.find((block) => block.type === "tool_result")?.content;
  return reply({
    toolResult: typeof result === "string" ? result : undefined,
    text: blocks.map((block) => (block.type === "text" ? String(block.text) : "")).join(""),
    canLookUp: request.tools?.some((tool) => tool.name === "lookup_order") ?? false,
  });
}

function reply(last: { toolResult: string | undefined; text: string; canLookUp: boolean }): MockReply {
  if (last.toolResult !== undefined) return { content: describe(last.toolResult) };
  const orderId = /\b([A-Z]\d{3})\b/.exec(last.text)?.[1];
  if (orderId !== undefined && last.canLookUp)
    return { toolCalls: [{ name: "lookup_order", arguments: { order_id: orderId } }] };
  return { content: "I can help with your orders: tell me the order number, for example A123." };
}

function describe(toolContent: string): string {
  let order: Record<string, unknown>;
  try {
    order = JSON.parse(toolContent) as Record<string, unknown>;
  } catch {
    return "Sorry, I could not read that order just now.";
  }
  if (order.found !== true)
    return `I could not find an order with the id ${String(order.order_id)}. Could you check the number?`;
  switch (order.status) {
    case "shipped":
      return `Order ${String(order.id)} has shipped with ${String(order.carrier)} (tracking ${String(order.tracking)}) and should arrive by ${String(order.eta)}.`;
    case "delivered":
      return `Order ${String(order.id)} was delivered on ${String(order.eta)} by ${String(order.carrier)}.`;
    case "processing":
      return `Order ${String(order.id)} is being prepared; the expected delivery date is ${String(order.eta)}.`;
    default:
      return `Order ${String(order.id)} is marked as ${String(order.status)}.`;
  }
}
