import { userContentOf } from "../../core/images.ts";
import type { ChatMessage } from "../../core/messages.ts";
import type { ModelMessage } from "../../core/model-client.ts";

/**
 * What others said, as this agent's model sees it: each message becomes a user message carrying
 * its source, as AutoGen does. The agent's own messages are already in its context.
 */
export function toModelMessages(agentName: string, messages: readonly ChatMessage[]): ModelMessage[] {
  return messages
    .filter((message) => message.source !== agentName)
    .map((message) => ({ role: "user", content: userContentOf(message), source: message.source }));
}
