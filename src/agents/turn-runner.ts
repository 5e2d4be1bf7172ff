import type { AgentResponse, AgentTurn, ChatAgent, Emit } from "../core/agent.ts";
import { AsyncQueue } from "../core/async-queue.ts";
import type { AgentMessage } from "../core/messages.ts";
import { linkAbort } from "../core/linked-abort.ts";

/** An `Emit` for a run nobody streams. */
export const ignoreMessages: Emit = () => undefined;

const consumerGone = Object.freeze(new Error("the turn's stream was closed before the turn ended"));

/** Runs one agent turn: through `onMessages` when the agent has it, else by draining `onMessagesStream`. */
export function runAgentTurn(agent: ChatAgent, turn: AgentTurn, emit: Emit): Promise<AgentResponse> {
  return typeof agent.onMessages === "function" ? agent.onMessages(turn, emit) : drain(agent.onMessagesStream(turn), emit);
}

async function drain(steps: AsyncGenerator<AgentMessage, AgentResponse>, emit: Emit): Promise<AgentResponse> {
  for (;;) {
    const step = await steps.next();
    if (step.done === true) return step.value;
    emit(step.value);
  }
}

/**
 * `onMessagesStream` for an agent written as `onMessages`: the turn runs as fast as it can and its
 * messages wait in a queue for the reader. A reader that stops early aborts the turn's signal and
 * waits for it to settle, so nothing of the turn outlives the stream.
 */
export async function* streamTurn(turn: AgentTurn, run: (turn: AgentTurn, emit: Emit) => Promise<AgentResponse>): AsyncGenerator<AgentMessage, AgentResponse> {
  const link = linkAbort([turn.signal]);
  const queue = new AsyncQueue<AgentMessage>();
  let settled = false;
  const linked: AgentTurn = {
    get context() {
      return turn.context;
    },
    newMessages: turn.newMessages,
    signal: link.signal,
    commit: (messages, context) => turn.commit(messages, context),
  };
  const running = run(linked, (message) => queue.push(message)).finally(() => {
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
      link.abort(consumerGone);
      await running.catch(() => undefined);
    }
  }
}
