import type { TaskRunner } from "./agent.ts";
import type { AgentMessage, StopMessage } from "./messages.ts";

export interface TerminationContext {
  readonly sessionId: string;
}

/** One run's view of a termination condition: it may hold state, and lives as long as the run. */
export interface TerminationCheck {
  /**
   * Called with the task message, then with each turn's messages; returns a StopMessage to stop. A
   * condition that must wait for something (a FunctionalTermination's async function) returns a
   * promise of it; the team awaits it before the next turn.
   */
  check(delta: readonly AgentMessage[]): StopMessage | null | Promise<StopMessage | null>;
  /** Called once when the run ends. */
  dispose?(): void;
}

/**
 * A termination condition is an immutable value shared by every run of a team; `start` gives each
 * run its own check, so concurrent sessions never share a count or a clock.
 */
export interface TerminationCondition {
  readonly description: string;
  start(context: TerminationContext): TerminationCheck;
  or(other: TerminationCondition): TerminationCondition;
  and(other: TerminationCondition): TerminationCondition;
}

/** A team is a warm, immutable definition like an agent; its progress lives in the session. */
export type Team = TaskRunner;
