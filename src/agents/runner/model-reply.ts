import { HearthError } from "../../core/errors.ts";
import type { ModelMessage, ModelResponse } from "../../core/model-client.ts";

/**
 * The agent's context entry for a model answer. Its thought goes with it, and what the provider
 * needs back with that thought (Gemini's signature, DeepSeek's `reasoning_content` field): the
 * next request is refused without them once the answer called tools.
 */
export function assistantEntry(
  response: Pick<ModelResponse, "content" | "toolCalls" | "thought" | "thoughtSignature" | "thoughtField" | "refusal">,
  source: string,
): ModelMessage {
  return {
    role: "assistant",
    content: response.toolCalls.length > 0 ? response.content : replyText(response),
    ...(response.toolCalls.length > 0 ? { toolCalls: response.toolCalls } : {}),
    source,
    ...(response.thought === undefined ? {} : { thought: response.thought }),
    ...(response.thoughtSignature === undefined ? {} : { thoughtSignature: response.thoughtSignature }),
    ...(response.thoughtField === undefined ? {} : { thoughtField: response.thoughtField }),
  };
}

/** What the model said: its text, or its refusal when it gave no text (OpenAI sends a refusal in place of content). */
export function replyText(response: Pick<ModelResponse, "content" | "refusal">): string {
  return response.content === "" && response.refusal !== undefined ? response.refusal : response.content;
}

/**
 * A structured reply that cannot come: the model refused, or the provider's content filter cut
 * the answer off before any text. Undefined for an answer to parse.
 */
export function refusedOutput(response: ModelResponse, agentName: string): HearthError | undefined {
  if (response.refusal !== undefined)
    return new HearthError(
      "HEARTH_MODEL_CONTENT_FILTER",
      `Agent "${agentName}": the model refused to give the structured reply: ${response.refusal.slice(0, 300)}`,
    );
  if (response.finishReason === "content-filter" && response.content.trim() === "")
    return new HearthError(
      "HEARTH_MODEL_CONTENT_FILTER",
      `Agent "${agentName}": the provider's content filter stopped the reply before it began.`,
    );
  return undefined;
}
