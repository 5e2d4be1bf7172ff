import type { AgentResponse, AgentTurn, ChatAgent, Emit } from "../core/agent.ts";
import { AsyncQueue } from "../internal/async-queue.ts";
import type { AgentMessage } from "../core/messages.ts";
import { withOperation } from "../core/operations.ts";
import type { RunContext } from "../core/run-context.ts";
import { linkAbort } from "../internal/linked-abort.ts";

/** An `Emit` for a run nobody streams. */
export const ignoreMessages: Emit = () => undefined;

/** Runs one agent turn. */
export function runAgentTurn(agent: ChatAgent, turn: AgentTurn, emit: Emit): Promise<AgentResponse> {
  return withOperation(
    turn.run,
    "agent",
    agent.name,
    (run) => (run === turn.run ? agent.onMessages(turn, emit) : agent.onMessages(withRun(turn, run), emit)),
    (response) => response.usage,
  );
}

/** The same turn, in a run that carries its operation. */
function withRun(turn: AgentTurn, run: RunContext): AgentTurn {
  return {
    get context() {
      return turn.context;
    },
    newMessages: turn.newMessages,
    signal: turn.signal,
    run,
    ...(turn.resume === undefined ? {} : { resume: turn.resume }),
    commit: (messages, context) => turn.commit(messages, context),
  };
}

/**
 * A turn written as a generator (the AutoGen way: yield each message, return how the turn ended)
 * as the one primitive, `onMessages`: `onMessages(turn, emit) { return turnFromStream(this.steps(turn), emit); }`.
 */
export async function turnFromStream(
  steps: AsyncGenerator<AgentMessage, AgentResponse>,
  emit: Emit,
): Promise<AgentResponse> {
  for (;;) {
    const step = await steps.next();
    if (step.done === true) return step.value;
    emit(step.value);
  }
}

/**
 * Work that emits as it goes, read as a stream: the work runs at its own pace, what it emits waits
 * in a queue for the reader, and the stream returns what the work resolves with. A reader that
 * stops early aborts the work's signal and waits for the work to settle, so nothing outlives the
 * stream.
 */
export async function* queuedStream<Item, Result>(
  signal: AbortSignal | undefined,
  start: (emit: (item: Item) => void, signal: AbortSignal) => Promise<Result>,
): AsyncGenerator<Item, Result> {
  const link = linkAbort([signal]);
  const queue = new AsyncQueue<Item>();
  let settled = false;
  const running = start((item) => queue.push(item), link.signal).finally(() => {
    settled = true;
    queue.end();
  });
  running.catch(() => undefined);
  try {
    yield* queue;
    return await running;
  } finally {
    link.unlink();
    if (!settled) {
      link.abort(new Error("the stream was closed before its work ended"));
      await running.catch(() => undefined);
    }
  }
}

/** A turn as a stream, derived from `onMessages` in this one place: the same turn, with a signal that also fires when the reader stops early. */
export function streamTurn(
  turn: AgentTurn,
  onMessages: (turn: AgentTurn, emit: Emit) => Promise<AgentResponse>,
): AsyncGenerator<AgentMessage, AgentResponse> {
  return queuedStream<AgentMessage, AgentResponse>(turn.signal, (emit, signal) =>
    onMessages(
      {
        get context() {
          return turn.context;
        },
        newMessages: turn.newMessages,
        signal,
        run: turn.run,
        ...(turn.resume === undefined ? {} : { resume: turn.resume }),
        commit: (messages, context) => turn.commit(messages, context),
      },
      emit,
    ),
  );
}
