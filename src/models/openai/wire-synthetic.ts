import type { ModelResponse } from "../../core/model-client.ts";

/**
 * A stub answer as an OpenAI-compatible provider would send it, for synthetic warm-up turns: the
 * client parses it with the code that parses real answers, so that code is compiled before the
 * first request.
 */
function wireMessage(answer: ModelResponse) {
  const toolCalls = answer.toolCalls.map((call) => ({
    id: call.id,
    type: "function",
    function: { name: call.name, arguments: call.arguments },
  }));
  return {
    role: "assistant",
    content: toolCalls.length > 0 ? null : answer.content,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
}

const finishReasonOf = (answer: ModelResponse) => (answer.toolCalls.length > 0 ? "tool_calls" : "stop");
const usageOf = (answer: ModelResponse) => ({
  prompt_tokens: answer.usage.promptTokens,
  completion_tokens: answer.usage.completionTokens,
  total_tokens: answer.usage.promptTokens + answer.usage.completionTokens,
});

/** The body of a non-streamed Chat Completions answer. */
export function wireResponseBody(answer: ModelResponse, model: string): string {
  return JSON.stringify({
    id: "chatcmpl-synthetic",
    object: "chat.completion",
    created: 0,
    model,
    choices: [{ index: 0, message: wireMessage(answer), finish_reason: finishReasonOf(answer) }],
    usage: usageOf(answer),
  });
}

/** The text of a streamed answer, as server-sent events: a delta, the finish reason, the usage, and [DONE]. */
export function wireStreamText(answer: ModelResponse, model: string): string {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id: "chatcmpl-synthetic", object: "chat.completion.chunk", created: 0, model, choices, ...extra })}\n\n`;
  const message = wireMessage(answer);
  const delta =
    message.tool_calls === undefined
      ? { role: "assistant", content: message.content }
      : { role: "assistant", tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })) };
  return [
    chunk([{ index: 0, delta }]),
    chunk([{ index: 0, delta: {}, finish_reason: finishReasonOf(answer) }]),
    chunk([], { usage: usageOf(answer) }),
    "data: [DONE]\n\n",
  ].join("");
}
