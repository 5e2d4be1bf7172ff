// What the mock OpenAI-compatible server answers: its default reply, and a reply as Chat
// Completions' wire format (one JSON completion, or the chunks of its stream).

/** The parts of a Chat Completions request a responder looks at. */
export interface MockChatRequest {
  readonly model: string;
  readonly messages: readonly {
    readonly role: string;
    readonly content?: unknown;
    readonly tool_calls?: unknown;
    readonly tool_call_id?: string;
  }[];
  readonly tools?: readonly { readonly function: { readonly name: string } }[];
  readonly stream?: boolean;
  readonly [key: string]: unknown;
}

export interface MockReply {
  readonly content?: string;
  readonly toolCalls?: readonly {
    readonly id?: string;
    readonly name: string;
    readonly arguments: string | Readonly<Record<string, unknown>>;
  }[];
  readonly reasoning?: string;
  readonly finishReason?: string;
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number };
}

/** Approximate tokens, as the mock counts them: one per four characters. */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function lastUserText(request: MockChatRequest): string {
  for (let index = request.messages.length - 1; index >= 0; index--) {
    const message = request.messages[index];
    if (message?.role !== "user") continue;
    if (typeof message.content === "string") return message.content;
    if (Array.isArray(message.content))
      return message.content
        .map((part: { text?: unknown }) => (typeof part.text === "string" ? part.text : ""))
        .join("");
  }
  return "";
}

export const echoResponder = (request: MockChatRequest): MockReply => ({
  content: `You said: ${lastUserText(request)}`,
});

/** A reply as Chat Completions sends it: whole, or as stream chunks (each an SSE event's data). */
export interface Completion {
  readonly json: Record<string, unknown>;
  readonly usageChunk: Record<string, unknown>;
  chunks(chunkSize: number): Record<string, unknown>[];
}

export function buildCompletion(request: MockChatRequest, reply: MockReply, id: string): Completion {
  const model = typeof request.model === "string" ? request.model : "mock-model";
  const created = Math.floor(Date.now() / 1000);
  const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({
    id: call.id ?? `call_${id.slice(-6)}_${index}`,
    type: "function",
    function: {
      name: call.name,
      arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
    },
  }));
  const content = reply.content ?? (toolCalls.length > 0 ? null : "");
  const finishReason = reply.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop");
  const promptText = JSON.stringify(request.messages);
  const usage = {
    prompt_tokens: reply.usage?.promptTokens ?? approximateTokens(promptText),
    completion_tokens: reply.usage?.completionTokens ?? approximateTokens((content ?? "") + JSON.stringify(toolCalls)),
  };
  const totals = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
  const base = { id, created, model, system_fingerprint: "fp_mock" };
  const message: Record<string, unknown> = { role: "assistant", content, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reply.reasoning !== undefined) message.reasoning_content = reply.reasoning;
  return {
    json: {
      ...base,
      object: "chat.completion",
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage: totals,
    },
    usageChunk: { ...base, object: "chat.completion.chunk", choices: [], usage: totals },
    chunks(chunkSize) {
      const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
        ...base,
        object: "chat.completion.chunk",
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      });
      const out = [chunk({ role: "assistant", content: "" })];
      if (reply.reasoning !== undefined) out.push(chunk({ reasoning_content: reply.reasoning }));
      const text = content ?? "";
      for (let start = 0; start < text.length; start += chunkSize)
        out.push(chunk({ content: text.slice(start, start + chunkSize) }));
      toolCalls.forEach((call, index) => {
        out.push(
          chunk({
            tool_calls: [
              { index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } },
            ],
          }),
        );
        const args = call.function.arguments;
        for (let start = 0; start < args.length; start += chunkSize) {
          out.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(start, start + chunkSize) } }] }));
        }
      });
      out.push(chunk({}, finishReason));
      return out;
    },
  };
}
