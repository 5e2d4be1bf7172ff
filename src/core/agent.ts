import type { AgentMessage, TaskResult } from "./messages.ts";
import type { Session } from "./session.ts";

export interface RunOptions {
  /** The new user message. Omit it to let the agent answer the session as it stands. */
  readonly task?: string;
  /** The conversation to continue; the run appends its turn to it. Without one, a fresh session. */
  readonly session?: Session;
  readonly signal?: AbortSignal;
}

/** What a stream yields: every message and event as it happens, then the TaskResult. */
export type RunStreamItem = AgentMessage | TaskResult;

/**
 * A chat agent is a warm, immutable definition. It holds no conversation: that lives in the
 * Session passed to each run, so one agent serves any number of concurrent sessions.
 */
export interface ChatAgent {
  readonly name: string;
  readonly description: string;
  createSession(): Session;
  run(options: RunOptions): Promise<TaskResult>;
  runStream(options: RunOptions): AsyncIterable<RunStreamItem>;
}
