import type { AgentResponse, AgentTurn, ChatAgent, RunOptions, RunStreamItem } from "../core/agent.ts";
import { abortError, UserError } from "../core/errors.ts";
import type { AgentMessage, TaskResult, TextMessage } from "../core/messages.ts";
import type { ModelMessage } from "../core/model-client.ts";
import { invalidSession, Session } from "../core/session.ts";
import { modelMessagesFromAutoGen } from "./autogen-format.ts";
import { makeMessage } from "./runner/make-message.ts";

/** An agent's part of a session: its model context. JSON-safe and versioned. */
export interface AgentStateJSON {
  readonly type: "hearth.agent-state";
  readonly version: 1;
  readonly agent: string;
  readonly context: readonly ModelMessage[];
}

export const agentNamePattern = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function checkAgentName(name: unknown, kind: string): asserts name is string {
  if (typeof name !== "string" || !agentNamePattern.test(name)) {
    throw new UserError(`${kind} name ${JSON.stringify(name)} is invalid: start with a letter or "_", then letters, digits, "_" or "-".`, { field: "name" });
  }
}

const runEnded = Object.freeze(new Error("the run ended"));

/** Drains a run's stream and returns the TaskResult it ends with. */
export async function taskResultOf(stream: AsyncIterable<RunStreamItem>): Promise<TaskResult> {
  let result: TaskResult | undefined;
  for await (const item of stream) if (item.type === "task-result") result = item;
  if (result === undefined) throw new Error("unreachable: a run's stream ended without a TaskResult");
  return result;
}

/** Runs `work` holding the session, with a signal that also fires when the consumer stops early. */
export async function* withSession<T>(
  options: RunOptions,
  fallback: () => Session,
  work: (session: Session, signal: AbortSignal) => AsyncGenerator<T>,
): AsyncGenerator<T> {
  const { task, signal } = options;
  if (task !== undefined && typeof task !== "string") throw new UserError("`task` must be a string.", { field: "task" });
  if (options.session !== undefined && !(options.session instanceof Session)) throw new UserError("`session` must be a Session (use Session.fromJSON for stored JSON).", { field: "session" });
  const session = options.session ?? fallback();
  if (signal?.aborted === true) throw abortError(signal);
  const release = await session.acquire();
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    // Read again: the signal may have fired while this run waited for the session.
    if ((signal as AbortSignal | undefined)?.aborted === true) throw abortError(signal);
    yield* work(session, controller.signal);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    // One shared reason: abort() without one builds a DOMException (and its stack) on every run.
    controller.abort(runEnded);
    release();
  }
}

/**
 * What every agent shares: `run` and `runStream` over the agent's own `onMessagesStream`. A run
 * without a team is one turn on the session: the task message is stored with the turn's first
 * complete step, so a run that fails before any step leaves the session exactly as it was.
 */
export abstract class BaseChatAgent implements ChatAgent {
  abstract readonly name: string;
  abstract readonly description: string;

  abstract onMessagesStream(turn: AgentTurn): AsyncGenerator<AgentMessage, AgentResponse>;

  createSession(): Session {
    return new Session();
  }

  /** This agent's state in `session` (its model context), as JSON-safe data. */
  saveState(session: Session): AgentStateJSON {
    return { type: "hearth.agent-state", version: 1, agent: this.name, context: structuredClone(session.contextOf(this.name)) as ModelMessage[] };
  }

  /**
   * A new session holding a saved state: hearth's own (`saveState`) or the JSON that AutoGen 0.7's
   * `AssistantAgent.save_state()` writes (`{"type": "AssistantAgentState", "llm_context": ...}`).
   */
  loadState(state: unknown): Session {
    const json = typeof state === "string" ? parseState(state) : state;
    if (typeof json !== "object" || json === null) throw invalidSession("agent state must be an object");
    const data = json as Record<string, unknown>;
    let context: ModelMessage[];
    if (data.type === "hearth.agent-state") {
      if (data.version !== 1) throw invalidSession(`unknown agent state version ${JSON.stringify(data.version)}`);
      if (!Array.isArray(data.context)) throw invalidSession("agent state context must be an array");
      context = structuredClone(data.context) as ModelMessage[];
    } else if (data.type === "AssistantAgentState") {
      const llmContext = data.llm_context as { messages?: unknown } | undefined;
      context = modelMessagesFromAutoGen(llmContext?.messages ?? []);
    } else {
      throw invalidSession(`unknown agent state type ${JSON.stringify(data.type)}`);
    }
    const session = this.createSession();
    session.apply({ contexts: { [this.name]: context } });
    return session;
  }

  run(options: RunOptions = {}): Promise<TaskResult> {
    return taskResultOf(this.runStream(options));
  }

  runStream(options: RunOptions = {}): AsyncGenerator<RunStreamItem> {
    return withSession(options, () => this.createSession(), (session, signal) => this.#runTurn(session, options.task, signal));
  }

  async *#runTurn(session: Session, task: string | undefined, signal: AbortSignal): AsyncGenerator<RunStreamItem> {
    const produced: AgentMessage[] = [];
    const taskMessage: TextMessage | undefined = task === undefined ? undefined : makeMessage("user", { type: "text", content: task });
    let unstored: AgentMessage[] = taskMessage === undefined ? [] : [taskMessage];
    if (taskMessage !== undefined) {
      produced.push(taskMessage);
      yield taskMessage;
    }
    const name = this.name;
    const turn: AgentTurn = {
      get context() {
        return session.contextOf(name);
      },
      newMessages: taskMessage === undefined ? [] : [taskMessage],
      signal,
      commit(messages, context) {
        session.apply({ messages: [...unstored, ...messages], contexts: { [name]: context } });
        unstored = [];
      },
    };
    const steps = this.onMessagesStream(turn);
    for (;;) {
      const step = await steps.next();
      if (step.done === true) {
        const response = step.value;
        yield {
          type: "task-result",
          messages: produced,
          stopReason: response.message.type,
          usage: response.usage,
          ...(response.output === undefined ? {} : { output: response.output }),
        };
        return;
      }
      if (step.value.type !== "message-delta") produced.push(step.value);
      yield step.value;
    }
  }
}

export function parseState(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw invalidSession("state JSON does not parse", cause);
  }
}
