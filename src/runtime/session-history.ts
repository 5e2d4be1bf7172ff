import type { ChatAgent } from "../core/agent.ts";
import type { ModelMessage } from "../core/model-client.ts";
import type { SessionChange } from "../core/session.ts";
import type { Team } from "../core/team.ts";
import { makeMessage } from "../agents/runner/make-message.ts";

/** A message of a conversation a client kept itself, before hearth held it. */
export interface HistoryMessage {
  readonly role: "user" | "assistant";
  readonly content: string;
}

function isAgent(runner: ChatAgent | Team): runner is ChatAgent {
  return typeof (runner as Partial<ChatAgent>).onMessages === "function";
}

/**
 * A new session's start from a client's own history: the messages go into the transcript, and an
 * agent's model context gets them as its model would have seen them (its own replies as the
 * assistant's). A team's members receive them from the thread when each first speaks.
 */
export function historyChange(runner: ChatAgent | Team, history: readonly HistoryMessage[]): SessionChange {
  const speaker = isAgent(runner) ? runner.name : "assistant";
  const messages = history.map((message) =>
    makeMessage(message.role === "user" ? "user" : speaker, { type: "text", content: message.content }),
  );
  if (!isAgent(runner)) return { messages };
  const context: ModelMessage[] = history.map((message) =>
    message.role === "user"
      ? { role: "user", content: message.content, source: "user" }
      : { role: "assistant", content: message.content, source: runner.name },
  );
  return { messages, contexts: { [runner.name]: context } };
}
