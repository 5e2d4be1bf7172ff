import { UserError } from "../core/errors.ts";
import type { ModelMessage } from "../core/model-client.ts";

/**
 * Which part of an agent's stored context its model is shown. The session always keeps the whole
 * context; a strategy only chooses the view, so changing strategy never loses history. Every
 * strategy keeps a tool call and its results together, and never starts the view with tool results.
 */
export interface ModelContext {
  readonly kind: string;
  view(messages: readonly ModelMessage[]): ModelMessage[];
}

/** Groups an assistant message that calls tools with the tool results that answer it. */
function units(messages: readonly ModelMessage[]): ModelMessage[][] {
  const grouped: ModelMessage[][] = [];
  for (const message of messages) {
    const previous = grouped.at(-1);
    const last = previous?.at(-1);
    if (message.role === "tool" && last?.role === "assistant" && (last.toolCalls?.length ?? 0) > 0)
      previous?.push(message);
    else grouped.push([message]);
  }
  // Tool results whose call is gone cannot be shown alone: providers reject them.
  while (grouped[0]?.[0]?.role === "tool") grouped.shift();
  return grouped;
}

/**
 * Takes whole units from the end while their summed cost stays within `limit`; always at least the
 * last unit. Each unit is costed once (rebuilding the window to measure it again made a view
 * quadratic in its size).
 */
function tail(grouped: ModelMessage[][], cost: (unit: ModelMessage[]) => number, limit: number): ModelMessage[][] {
  const taken: ModelMessage[][] = [];
  let total = 0;
  for (let index = grouped.length - 1; index >= 0; index--) {
    const unit = grouped[index] ?? [];
    total += cost(unit);
    if (taken.length > 0 && total > limit) break;
    taken.push(unit);
  }
  return taken.reverse();
}

function positiveInteger(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1)
    throw new UserError(`${field} must be a whole number, 1 or more.`, { field });
}

/** The whole context (AutoGen's UnboundedChatCompletionContext). */
export function unboundedContext(): ModelContext {
  // units(messages).flat() with no copies per message: only leading tool results are ever dropped.
  return Object.freeze({
    kind: "unbounded",
    view: (messages: readonly ModelMessage[]) => {
      let start = 0;
      while (messages[start]?.role === "tool") start++;
      return messages.slice(start);
    },
  });
}

/** The last `size` messages (BufferedChatCompletionContext). */
export function bufferedContext(size: number): ModelContext {
  positiveInteger(size, "size");
  return Object.freeze({
    kind: "buffered",
    view: (messages: readonly ModelMessage[]) => tail(units(messages), (unit) => unit.length, size).flat(),
  });
}

/** The first `head` and the last `tail` messages, with a note of how many were skipped (HeadAndTailChatCompletionContext). */
export function headAndTailContext(head: number, tailSize: number): ModelContext {
  positiveInteger(head, "head");
  positiveInteger(tailSize, "tail");
  return Object.freeze({
    kind: "head-and-tail",
    view(messages: readonly ModelMessage[]) {
      const grouped = units(messages);
      const front: ModelMessage[][] = [];
      for (const unit of grouped) {
        if (front.flat().length + unit.length > head) break;
        front.push(unit);
      }
      const back = tail(grouped.slice(front.length), (unit) => unit.length, tailSize);
      const skipped = grouped.slice(front.length, grouped.length - back.length).flat().length;
      const note: ModelMessage[] =
        skipped > 0 ? [{ role: "user", content: `Skipped ${skipped} messages.`, source: "hearth" }] : [];
      return [...front.flat(), ...note, ...back.flat()];
    },
  });
}

/** About four characters a token, plus a little per message: close enough to budget without a tokenizer. */
export function approximateTokenCount(messages: readonly ModelMessage[]): number {
  let characters = 0;
  for (const message of messages) {
    characters += 16;
    if (message.role === "tool")
      for (const result of message.results) characters += result.content.length + result.name.length;
    else if (typeof message.content === "string") characters += message.content.length;
    else for (const part of message.content) characters += part.type === "text" ? part.text.length : 340;
    if (message.role === "assistant")
      for (const call of message.toolCalls ?? []) characters += call.name.length + call.arguments.length;
  }
  return Math.ceil(characters / 4);
}

/**
 * As many of the latest messages as fit in `tokenLimit` approximate tokens
 * (TokenLimitedChatCompletionContext). `countTokens` is given one unit at a time (a message, or a tool
 * call with its results) and the counts are added up, as AutoGen's count_tokens sums its messages.
 */
export function tokenLimitedContext(
  tokenLimit: number,
  countTokens: (messages: readonly ModelMessage[]) => number = approximateTokenCount,
): ModelContext {
  positiveInteger(tokenLimit, "tokenLimit");
  return Object.freeze({
    kind: "token-limited",
    view: (messages: readonly ModelMessage[]) => tail(units(messages), countTokens, tokenLimit).flat(),
  });
}
