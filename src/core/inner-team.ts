import type { Emit } from "./agent.ts";
import type { ChatMessage, TaskResult } from "./messages.ts";
import type { RunContext } from "./run-context.ts";
import type { Session } from "./session.ts";
import type { Team } from "./team.ts";
import type { ToolApproval } from "./tool-approval.ts";

/**
 * The key of the method a hearth team runs with inside another's turn: as a member of a team, or
 * as a SocietyOfMindAgent's inner team. `Symbol.for`, so two copies of hearth in one process agree.
 */
export const runInside: unique symbol = Symbol.for("hearth.team.run-inside");

/** One run of a team inside another's turn. */
export interface InnerRun {
  /** The team's own session, which the caller keeps: inside the outer session, or for one turn. */
  readonly session: Session;
  /**
   * The messages new to the team, its task, with their own sources. They join its thread and its
   * termination condition sees them; unlike a task given to `run()`, they are neither emitted nor
   * in the result (AutoGen's `output_task_messages=False`): the caller has them already.
   */
  readonly messages: readonly ChatMessage[];
  readonly signal: AbortSignal;
  /** Receives each message and event of the inner run as it happens. */
  readonly emit: Emit;
  readonly run: RunContext;
  /** Answers to the tool calls the team's session waits for. */
  readonly approvals?: readonly ToolApproval[];
}

/** A team that can run inside another's turn: every hearth group chat. */
export interface InnerTeam extends Team {
  [runInside](inner: InnerRun): Promise<TaskResult>;
}

export function isInnerTeam(value: unknown): value is InnerTeam {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<InnerTeam>)[runInside] === "function" &&
    typeof (value as Partial<InnerTeam>).name === "string"
  );
}
