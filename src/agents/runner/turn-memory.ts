import type { Emit } from "../../core/agent.ts";
import { abortError, HearthError } from "../../core/errors.ts";
import { copyMemoryContent, memoryContentProblem, type Memory, type MemoryContent } from "../../core/memory.ts";
import type { ModelMessage, ModelRequest } from "../../core/model-client.ts";
import type { RunContext } from "../../core/run-context.ts";
import { errorMessage } from "../../internal/error-message.ts";
import { linkAbort, whenAborted } from "../../internal/linked-abort.ts";
import { makeMessage } from "./make-message.ts";

const roles: ReadonlySet<unknown> = new Set(["system", "user", "assistant", "tool"]);

/**
 * An agent's memories for one turn. They are queried once, before the turn's first model call, as
 * AutoGen's AssistantAgent updates its model context once per turn; each later model call of the
 * turn (after tool calls, the reflection) sends the messages they made followed by the steps taken
 * since. What they add goes into this turn's requests only: the session's context never holds it.
 */
export class TurnMemory {
  readonly #memories: readonly Memory[];
  readonly #agent: string;
  readonly #run: RunContext;
  readonly #signal: AbortSignal;
  readonly #emit: Emit;
  /** The messages the memories made for the first call, and how many context entries that call saw. */
  #recalled: { readonly messages: readonly ModelMessage[]; readonly seen: number } | undefined;

  constructor(memories: readonly Memory[], agent: string, run: RunContext, signal: AbortSignal, emit: Emit) {
    this.#memories = memories;
    this.#agent = agent;
    this.#run = run;
    this.#signal = signal;
    this.#emit = emit;
  }

  /**
   * The request with the memories' messages. `stored` and `pending` are the context entries the
   * request was made from (the session's, and the turn's not yet committed).
   */
  async apply(
    request: ModelRequest,
    stored: readonly ModelMessage[],
    pending: readonly ModelMessage[],
  ): Promise<ModelRequest> {
    const recalled = this.#recalled;
    if (recalled === undefined) {
      const messages = await this.#query(request.messages);
      this.#recalled = { messages, seen: stored.length + pending.length };
      return { ...request, messages };
    }
    const { seen } = recalled;
    const since = seen >= stored.length ? pending.slice(seen - stored.length) : [...stored.slice(seen), ...pending];
    return { ...request, messages: [...recalled.messages, ...since] };
  }

  async #query(messages: readonly ModelMessage[]): Promise<readonly ModelMessage[]> {
    let current = messages;
    for (const memory of this.#memories) {
      const { messages: updated, results } = await this.#update(memory, current);
      current = updated;
      if (results.length > 0)
        this.#emit(makeMessage(this.#agent, { type: "memory-query", memory: memory.name, content: results }));
    }
    return current;
  }

  async #update(
    memory: Memory,
    messages: readonly ModelMessage[],
  ): Promise<{ messages: readonly ModelMessage[]; results: MemoryContent[] }> {
    const signal = this.#signal;
    if (signal.aborted) throw abortError(signal);
    // Raced against the run's signal: a memory that ignores its signal does not hold the turn.
    const link = linkAbort([signal]);
    let result: unknown;
    try {
      result = await Promise.race([
        memory.updateContext({ messages, agent: this.#agent, run: this.#run, signal: link.signal }),
        whenAborted(link.signal),
      ]);
    } catch (error) {
      if (signal.aborted) throw abortError(signal);
      throw this.#failed(memory, `failed: ${errorMessage(error)}`, error);
    } finally {
      link.unlink();
    }
    const returned = result as { messages?: unknown; memories?: { results?: unknown } } | null | undefined;
    const updated = returned?.messages;
    if (!Array.isArray(updated) || !updated.every((message) => roles.has((message as ModelMessage | null)?.role)))
      throw this.#failed(memory, "returned no `messages` (a list of model messages) from updateContext.");
    const found = returned?.memories?.results;
    if (!Array.isArray(found))
      throw this.#failed(memory, "returned no `memories.results` (a list of memory contents) from updateContext.");
    // Copied, as the session stores them: the memory may change its own objects later.
    const results = found.map((item: unknown, index) => {
      const why = memoryContentProblem(item);
      if (why !== undefined)
        throw this.#failed(memory, `returned memories.results[${index}], not a memory content: ${why}.`);
      return copyMemoryContent(item as MemoryContent);
    });
    return { messages: updated as ModelMessage[], results };
  }

  #failed(memory: Memory, what: string, cause?: unknown): HearthError {
    return new HearthError("HEARTH_MEMORY_FAILED", `Memory "${memory.name}" of agent "${this.#agent}" ${what}`, {
      ...(cause === undefined ? {} : { cause }),
      // A memory that called a model (an embedding, say) and timed out may do better next time.
      retryable: HearthError.is(cause) && cause.retryable,
    });
  }
}
