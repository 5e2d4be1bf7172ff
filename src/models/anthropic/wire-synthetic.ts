import type { ModelResponse } from "../../core/model-client.ts";

/**
 * A stub answer as Anthropic would send it, for synthetic warm-up turns: the client parses it with
 * the code that parses real answers, so that code is compiled before the first request.
 */
function contentBlocks(answer: ModelResponse): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  if (answer.content !== "") blocks.push({ type: "text", text: answer.content });
  for (const call of answer.toolCalls)
    blocks.push({ type: "tool_use", id: call.id, name: call.name, input: JSON.parse(call.arguments || "{}") });
  return blocks;
}

const stopReasonOf = (answer: ModelResponse) => (answer.toolCalls.length > 0 ? "tool_use" : "end_turn");

/** The body of a non-streamed Messages answer. */
export function wireResponseBody(answer: ModelResponse, model: string): string {
  return JSON.stringify({
    id: "msg_synthetic",
    type: "message",
    role: "assistant",
    model,
    content: contentBlocks(answer),
    stop_reason: stopReasonOf(answer),
    stop_sequence: null,
    usage: { input_tokens: answer.usage.promptTokens, output_tokens: answer.usage.completionTokens },
  });
}

/** The text of a streamed answer, as server-sent events, in the order Anthropic sends them. */
export function wireStreamText(answer: ModelResponse, model: string): string {
  const event = (data: Record<string, unknown>) => `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;
  const events = [
    event({
      type: "message_start",
      message: {
        id: "msg_synthetic",
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: answer.usage.promptTokens, output_tokens: 0 },
      },
    }),
  ];
  for (const [index, block] of contentBlocks(answer).entries()) {
    const delta =
      block.type === "text"
        ? { type: "text_delta", text: block.text }
        : { type: "input_json_delta", partial_json: JSON.stringify(block.input) };
    const start = block.type === "text" ? { type: "text", text: "" } : { ...block, input: {} };
    events.push(
      event({ type: "content_block_start", index, content_block: start }),
      event({ type: "content_block_delta", index, delta }),
      event({ type: "content_block_stop", index }),
    );
  }
  events.push(
    event({
      type: "message_delta",
      delta: { stop_reason: stopReasonOf(answer), stop_sequence: null },
      usage: { output_tokens: answer.usage.completionTokens },
    }),
    event({ type: "message_stop" }),
  );
  return events.join("");
}
