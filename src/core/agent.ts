import type { RequestContext, RunContext } from "./run-context.ts";
import type { AgentMessage, ChatMessage, TaskResult, ToolApprovalRequestEvent, Usage } from "./messages.ts";
import type { Task } from "./images.ts";
import type { ModelMessage } from "./model-client.ts";
import type { Session } from "./session.ts";
import type { ApprovalResume, PendingApproval, ToolApproval } from "./tool-approval.ts";

export interface RunOptions {
  /**
   * The new user message: text, or text and images (AutoGen's MultiModalMessage content: strings
   * and `{ type: "image", url }` or `{ type: "image", data, mimeType }`, see core/images.ts). Omit
   * it to continue the session as it stands.
   */
  readonly task?: Task;
  /** The conversation to continue; the run appends to it. Without one, a fresh session. */
  readonly session?: Session;
  /**
   * Answers to the tool calls the session waits for (its last run stopped with stop reason
   * "tool-approval-request"): every waiting call, each approved or not. The approved calls run, the
   * others become error results carrying the reason, and the turn goes on. Not with `task`.
   */
  readonly approvals?: readonly ToolApproval[];
  readonly signal?: AbortSignal;
  /**
   * The app's request context (a plain object: a customer id, a locale), given to every tool
   * (`execute(args, { context })`), dynamic system message and team member of the run. A run
   * stores nothing of it; `runtime.runTurn({ keepContext })` keeps it with a stored session.
   */
  readonly context?: RequestContext;
  /**
   * What the run carries from its front door (tenant, session, request id; see RunContext). The
   * runtime and the server set it; `context` above is added to it. Default: a plain run.
   */
  readonly run?: RunContext;
}

/** What a stream yields: every message and event as it happens, then the TaskResult. */
export type RunStreamItem = AgentMessage | TaskResult;

/** Receives each message and event of a turn as it happens. */
export type Emit = (message: AgentMessage) => void;

/**
 * One turn of one agent, as a team (or a single-agent run) hands it over. `context` is the agent's
 * model context so far, including the steps it has committed in this turn; `newMessages` are what
 * others said since the agent last spoke. The agent calls `commit` after each complete step (the
 * visible messages and what its model will see next time), so an interrupted turn loses at most
 * the step in progress.
 */
export interface AgentTurn {
  readonly context: readonly ModelMessage[];
  readonly newMessages: readonly ChatMessage[];
  readonly signal: AbortSignal;
  /** The run this turn is part of: pass it to model calls and tools. */
  readonly run: RunContext;
  /** Set when the turn resumes a step of this agent that waited for tool-call approvals. */
  readonly resume?: ApprovalResume;
  commit(messages: readonly AgentMessage[], context: readonly ModelMessage[]): void;
}

/** How an agent's turn ended. */
export interface AgentResponse {
  /** The turn's last chat message, or the `tool-approval-request` event of a turn that stopped on one. */
  readonly message: ChatMessage | ToolApprovalRequestEvent;
  readonly usage: Usage;
  /** The validated value of a structured reply. */
  readonly output?: unknown;
  /** Set when the turn stopped on tool calls that wait for approval: the step, for the session to keep. */
  readonly pendingApproval?: PendingApproval;
}

/** What agents and teams share: a warm definition that runs tasks on sessions. */
export interface TaskRunner {
  readonly name: string;
  readonly description: string;
  createSession(): Session;
  run(options?: RunOptions): Promise<TaskResult>;
  runStream(options?: RunOptions): AsyncIterable<RunStreamItem>;
}

/**
 * A chat agent is a warm, immutable definition. It holds no conversation: that lives in the
 * Session passed to each run, so one agent serves any number of concurrent sessions.
 */
export interface ChatAgent extends TaskRunner {
  /**
   * One turn: each message and event is handed to `emit` as it happens; resolves with how the turn
   * ended. The one primitive of a turn: a stream of it (`onMessagesStream` on BaseChatAgent) is
   * derived from it in one place (`streamTurn`, agents/turn-runner.ts); an agent written as a generator,
   * the AutoGen way, turns it into this with `turnFromStream`.
   */
  onMessages(turn: AgentTurn, emit: Emit): Promise<AgentResponse>;
  /** The same agent with its tools taken away, for measuring what they cost (`hearth profile --no-tools`). Optional. */
  withoutTools?(): ChatAgent;
}
