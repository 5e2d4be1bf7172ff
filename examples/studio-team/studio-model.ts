import type { MockChatRequest, MockReply } from "hearth/testing";

/**
 * How the mock model behaves for the Studio team, standing in for a real provider: asked a sum
 * ("12 * 7"), it calls the calculator; given the calculator's result, it answers with it and says
 * TERMINATE, which ends the team's run.
 */
export function studioModel(request: MockChatRequest): MockReply {
  const last = request.messages.at(-1);
  if (last?.role === "tool") return { content: `The answer is ${String(last.content)}. TERMINATE` };
  const text = typeof last?.content === "string" ? last.content : "";
  const sum = /(-?\d+(?:\.\d+)?)\s*([-+*/])\s*(-?\d+(?:\.\d+)?)/.exec(text);
  const canCalculate = request.tools?.some((tool) => tool.function.name === "calculator") ?? false;
  if (sum !== null && canCalculate)
    return {
      toolCalls: [{ name: "calculator", arguments: { a: Number(sum[1]), b: Number(sum[3]), operator: sum[2] } }],
    };
  return { content: "Ask me a sum, for example 12 * 7. TERMINATE" };
}
