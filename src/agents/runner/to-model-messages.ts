import { userContentOf } from "../../core/images.ts";
import type { ChatMessage } from "../../core/messages.ts";
import type { ModelMessage } from "../../core/model-client.ts";

/**
 * What others said, as this agent's model sees it: each message becomes a user message carrying
 * its source, as AutoGen does. The agent's own messages are already in its context. A handoff that
 * carries its sender's context (one read from AutoGen's state) brings that context first, as
 * AutoGen's receiving agent adds it.
 */
export function toModelMessages(agentName: string, messages: readonly ChatMessage[]): ModelMessage[] {
  const model: ModelMessage[] = [];
  for (const message of messages) {
    if (message.source === agentName) continue;
    if (message.type === "handoff" && message.context !== undefined) model.push(...message.context);
    model.push({ role: "user", content: userContentOf(message), source: message.source });
  }
  return model;
}
