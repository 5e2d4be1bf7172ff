import { userContentOf } from "./images.ts";
import { isChatMessage, type AgentMessage } from "./messages.ts";
import type { ModelMessage } from "./model-client.ts";

const { isDeepStrictEqual } = process.getBuiltinModule("node:util");

/**
 * A model-context entry stored as the index of the transcript message it repeats. Most of an
 * agent's context says again what the transcript says (the user's text, its tool calls and their
 * results, its replies): stored once, a session's JSON is about a third smaller.
 */
export interface ContextRef {
  readonly m: number;
}

/** A stored model-context entry: the message itself, or a reference to the transcript. */
export type StoredContextEntry = ModelMessage | ContextRef;

export function isContextRef(entry: unknown): entry is ContextRef {
  return typeof entry === "object" && entry !== null && !("role" in entry) && Number.isInteger((entry as ContextRef).m);
}

/**
 * The model message `agent` keeps for a transcript message, when it is one of the usual ones:
 * what another speaker said (a user message carrying its source, as AutoGen does), the agent's own
 * text reply, its tool calls (with no text), and their results. Undefined for anything else.
 */
export function contextEntryFor(message: AgentMessage, agent: string): ModelMessage | undefined {
  if (message.source !== agent)
    return isChatMessage(message)
      ? { role: "user", content: userContentOf(message), source: message.source }
      : undefined;
  switch (message.type) {
    case "text":
      return { role: "assistant", content: message.content, source: agent };
    case "tool-call-request":
      return { role: "assistant", content: "", toolCalls: message.toolCalls, source: agent };
    case "tool-call-execution":
      return { role: "tool", results: message.results };
    default:
      return undefined;
  }
}

/**
 * Encodes the entries of an agent's context from `from` on, as references where an entry is
 * exactly what `contextEntryFor` makes of a transcript message, else as itself. The search for
 * each entry starts after the message the previous reference pointed at (`after`), since an agent
 * takes messages in transcript order; an entry found nowhere after it is stored whole. Returns the
 * encoded entries and the new `after`.
 */
export function encodeContext(
  entries: readonly ModelMessage[],
  from: number,
  messages: readonly AgentMessage[],
  agent: string,
  after: number,
): { encoded: StoredContextEntry[]; after: number } {
  const encoded: StoredContextEntry[] = [];
  let last = after;
  for (let index = from; index < entries.length; index++) {
    const entry = entries[index] as ModelMessage;
    let found = -1;
    for (let candidate = last + 1; candidate < messages.length; candidate++) {
      const made = contextEntryFor(messages[candidate] as AgentMessage, agent);
      if (made !== undefined && isDeepStrictEqual(made, entry)) {
        found = candidate;
        break;
      }
    }
    if (found === -1) encoded.push(entry);
    else {
      encoded.push({ m: found });
      last = found;
    }
  }
  return { encoded, after: last };
}

/** Decodes a stored context; undefined when a reference points at no message it can stand for. */
export function decodeContext(
  stored: readonly StoredContextEntry[],
  messages: readonly AgentMessage[],
  agent: string,
): ModelMessage[] | undefined {
  const decoded: ModelMessage[] = [];
  for (const entry of stored) {
    if (!isContextRef(entry)) {
      decoded.push(entry);
      continue;
    }
    const message = messages[entry.m];
    const made = message === undefined ? undefined : contextEntryFor(message, agent);
    if (made === undefined) return undefined;
    decoded.push(made);
  }
  return decoded;
}
