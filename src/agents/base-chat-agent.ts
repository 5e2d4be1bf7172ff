import type { AgentResponse, AgentTurn, ChatAgent, Emit, RunOptions, RunStreamItem } from "../core/agent.ts";
import { abortError, HearthError, UserError } from "../core/errors.ts";
import type { AgentMessage, MultiModalMessage, TaskResult, TextMessage } from "../core/messages.ts";
import type { ModelClient, ModelMessage } from "../core/model-client.ts";
import { linkAbort } from "../internal/linked-abort.ts";
import { plainRun, type RunContext } from "../core/run-context.ts";
import { invalidSession, Session } from "../core/session.ts";
import { approvalResume, checkApprovalList, type ToolApproval } from "../core/tool-approval.ts";
import { checkMultiModal, type Task } from "../core/images.ts";
import { agentContextFromAutoGen } from "./autogen-format.ts";
import { taskMessageOf } from "./runner/task-message.ts";
import { ignoreMessages, queuedStream, runAgentTurn, streamTurn } from "./turn-runner.ts";

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
    throw new UserError(
      `${kind} name ${JSON.stringify(name)} is invalid: start with a letter or "_", then letters, digits, "_" or "-".`,
      { field: "name" },
    );
  }
}

function notASession(value: unknown): UserError {
  const constructorName = (value as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  if (constructorName === "Session" && typeof (value as Session).acquire === "function") {
    return new UserError(
      "`session` is a Session from another copy of hearth loaded in this process: the app and the runtime must import the same `hearth` package.",
      { field: "session" },
    );
  }
  return new UserError("`session` must be a Session (use Session.fromJSON for stored JSON).", { field: "session" });
}

/**
 * Runs `work` holding the session, with a signal of its own that follows the caller's. A run that
 * fails aborts that signal, so work still under way (a tool running in parallel with one that
 * failed) stops; a run that finished has nothing left to stop and skips it.
 */
export async function withSession<T>(
  options: RunOptions,
  fallback: () => Session,
  work: (session: Session, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { task, signal } = options;
  if (options.approvals !== undefined) {
    checkApprovalList(options.approvals);
    if (task !== undefined)
      throw new HearthError(
        "HEARTH_INVALID_REQUEST",
        "`task` cannot be given together with `approvals`: the turn that waits for them goes on first.",
        { field: "task" },
      );
  }
  if (options.session !== undefined && !(options.session instanceof Session)) throw notASession(options.session);
  const session = options.session ?? fallback();
  if (signal?.aborted === true) throw abortError(signal);
  const release = await session.acquire();
  const link = linkAbort([signal]);
  let finished = false;
  try {
    // Read again: the signal may have fired while this run waited for the session.
    if ((signal as AbortSignal | undefined)?.aborted === true) throw abortError(signal);
    const result = await work(session, link.signal);
    finished = true;
    return result;
  } finally {
    if (finished) link.unlink();
    else link.abort(new Error("the run ended"));
    release();
  }
}

/** One run of an agent or a team on a session it holds, handing each message to `emit`. */
export type TaskWork = (
  session: Session,
  task: Task | undefined,
  signal: AbortSignal,
  emit: Emit,
  run: RunContext,
  approvals: readonly ToolApproval[] | undefined,
) => Promise<TaskResult>;

/** The run a `run()` call makes: the given RunContext (or a plain one) with the app's request context on it. */
function runContextOf(options: RunOptions): RunContext {
  const run = options.run ?? plainRun;
  const context = options.context;
  if (context === undefined) return run;
  if (typeof context !== "object" || context === null || Array.isArray(context))
    throw new UserError("`context` must be a plain object (the app's request context).", { field: "context" });
  return { ...run, context };
}

/** The run's task as it is to be stored: multimodal content checked, and the checked copy (frozen, its types normalised) kept. */
function checkedTask(task: Task | undefined): Task | undefined {
  return task === undefined || typeof task === "string" ? task : checkMultiModal(task, "task");
}

export async function runTask(options: RunOptions, fallback: () => Session, work: TaskWork): Promise<TaskResult> {
  const task = checkedTask(options.task);
  return withSession(options, fallback, (session, signal) =>
    work(session, task, signal, ignoreMessages, runContextOf(options), options.approvals),
  );
}

/**
 * `runStream()` for agents and teams: each message as it happens, then the TaskResult (see
 * queuedStream: a reader that stops early aborts the run).
 */
export async function* streamTask(
  options: RunOptions,
  fallback: () => Session,
  work: TaskWork,
): AsyncGenerator<RunStreamItem> {
  const task = checkedTask(options.task);
  const result = yield* queuedStream<AgentMessage, TaskResult>(options.signal, (emit, signal) =>
    withSession({ ...options, signal }, fallback, (session, runSignal) =>
      work(session, task, runSignal, emit, runContextOf(options), options.approvals),
    ),
  );
  yield result;
}

/**
 * What every agent shares: `run` and `runStream` over the agent's own turn (`onMessages`), and the
 * turn as a stream (`onMessagesStream`), derived from it. A run without a team is one turn on the session: the task
 * message is stored with the turn's first complete step, so a run that fails before any step
 * leaves the session exactly as it was.
 */
export abstract class BaseChatAgent implements ChatAgent {
  abstract readonly name: string;
  abstract readonly description: string;

  abstract onMessages(turn: AgentTurn, emit: Emit): Promise<AgentResponse>;

  /** The turn as a stream: each message and event as it happens, then how the turn ended. */
  onMessagesStream(turn: AgentTurn): AsyncGenerator<AgentMessage, AgentResponse> {
    return streamTurn(turn, (linked, emit) => this.onMessages(linked, emit));
  }

  createSession(): Session {
    return new Session();
  }

  /** This agent's state in `session` (its model context), as JSON-safe data. */
  saveState(session: Session): AgentStateJSON {
    return {
      type: "hearth.agent-state",
      version: 1,
      agent: this.name,
      context: structuredClone(session.contextOf(this.name)) as ModelMessage[],
    };
  }

  /**
   * A new session holding a saved state: hearth's own (`saveState`) or the JSON that AutoGen's
   * `AssistantAgent.save_state()` writes (`{"type": "AssistantAgentState", "llm_context": ...}`, or
   * `"llm_messages"` as AutoGen 0.4's previews wrote it), as AutoGen would send it to this agent's model.
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
    } else if (data.type === "AssistantAgentState" || data.type === "BaseState") {
      // BaseState: what AutoGen saves for an agent that keeps none (a UserProxyAgent), an empty context.
      const vision = (this as { readonly modelClient?: ModelClient }).modelClient?.modelInfo.vision !== false;
      context = agentContextFromAutoGen(data, { vision });
    } else {
      throw invalidSession(`unknown agent state type ${JSON.stringify(data.type)}`);
    }
    const session = this.createSession();
    session.apply({ contexts: { [this.name]: context } });
    return session;
  }

  run(options: RunOptions = {}): Promise<TaskResult> {
    return runTask(
      options,
      () => this.createSession(),
      (session, task, signal, emit, run, approvals) => this.#runTurn(session, task, signal, emit, run, approvals),
    );
  }

  runStream(options: RunOptions = {}): AsyncGenerator<RunStreamItem> {
    return streamTask(
      options,
      () => this.createSession(),
      (session, task, signal, emit, run, approvals) => this.#runTurn(session, task, signal, emit, run, approvals),
    );
  }

  async #runTurn(
    session: Session,
    task: Task | undefined,
    signal: AbortSignal,
    emit: Emit,
    run: RunContext,
    approvals: readonly ToolApproval[] | undefined,
  ): Promise<TaskResult> {
    const resume = approvalResume(session.id, session.pendingApproval, approvals);
    if (resume !== undefined && resume.pending.agent !== this.name)
      throw new HearthError(
        "HEARTH_APPROVAL_INVALID",
        `Session ${session.id} waits for approvals in a turn of "${resume.pending.agent}", not of "${this.name}".`,
        { field: "approvals" },
      );
    const produced: AgentMessage[] = [];
    const taskMessage: TextMessage | MultiModalMessage | undefined =
      task === undefined ? undefined : taskMessageOf(task);
    let unstored: AgentMessage[] = taskMessage === undefined ? [] : [taskMessage];
    if (taskMessage !== undefined) {
      produced.push(taskMessage);
      emit(taskMessage);
    }
    const name = this.name;
    const turn: AgentTurn = {
      get context() {
        return session.contextOf(name);
      },
      newMessages: taskMessage === undefined ? [] : [taskMessage],
      signal,
      run,
      ...(resume === undefined ? {} : { resume }),
      commit(messages, context) {
        // The first step of a resumed turn answers the calls that waited: the session waits no more.
        session.apply({
          messages: [...unstored, ...messages],
          contexts: { [name]: context },
          ...(resume === undefined ? {} : { pendingApproval: null }),
        });
        unstored = [];
      },
    };
    const response = await runAgentTurn(this, turn, (message) => {
      if (message.type !== "message-delta") produced.push(message);
      emit(message);
    });
    if (response.pendingApproval !== undefined) session.apply({ pendingApproval: response.pendingApproval });
    return {
      type: "task-result",
      messages: produced,
      stopReason: response.message.type,
      usage: response.usage,
      ...(response.output === undefined ? {} : { output: response.output }),
    };
  }
}

export function parseState(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw invalidSession("state JSON does not parse", cause);
  }
}
