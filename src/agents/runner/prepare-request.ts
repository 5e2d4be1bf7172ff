import type { ModelMessage, ModelRequest, ToolSchema } from "../../core/model-client.ts";

/** The model request for one step of a turn: system message, the conversation so far, the tools. */
export function prepareRequest(
  systemMessage: string | null,
  context: readonly ModelMessage[],
  pending: readonly ModelMessage[],
  tools: readonly ToolSchema[] | undefined,
): ModelRequest {
  const messages: ModelMessage[] = systemMessage === null ? [] : [{ role: "system", content: systemMessage }];
  messages.push(...context, ...pending);
  return tools === undefined || tools.length === 0 ? { messages } : { messages, tools };
}
