import type { JsonSchema } from "./json-schema.ts";
import type { RequestContext, RunContext } from "./run-context.ts";
import type { ToolApproval, ToolSuspension } from "./tool-approval.ts";

export interface ToolContext {
  /** Aborted when the run is aborted or the tool's timeout passes. */
  readonly signal: AbortSignal;
  readonly callId: string;
  /** The app's request context (`run.context`, or `{}` when the run was given none). */
  readonly context: RequestContext;
  /** The run the call is part of: its tenant, session and request. */
  readonly run: RunContext;
}

/** What a tool's `needsApproval` function is given beside the call's arguments. */
export interface ApprovalContext {
  readonly callId: string;
  /** The app's request context (`run.context`, or `{}` when the run was given none). */
  readonly context: RequestContext;
  /** The run the call is part of: its tenant and session. */
  readonly run: RunContext;
}

/**
 * Whether a call waits for a person's approval before it runs: always, never, or decided per call
 * from its checked arguments.
 */
export type NeedsApproval<Args> = boolean | ((args: Args, context: ApprovalContext) => boolean | Promise<boolean>);

export type ArgumentCheck<Args> =
  | { readonly ok: true; readonly value: Args }
  | { readonly ok: false; readonly message: string };

/**
 * A tool is a warm definition: its schema is compiled once and it is shared by every run.
 * hearth's executor parses the model's JSON, calls `checkArguments`, then `execute` under a timeout.
 */
export interface Tool<Args = unknown, Result = unknown> {
  readonly name: string;
  readonly description: string;
  /** The JSON Schema the model receives. */
  readonly parameters: JsonSchema;
  readonly strict: boolean;
  readonly timeoutMs: number;
  /**
   * A call waits for a person's approval before it runs (see docs/teams.md, "Approval before a
   * tool runs"). Absent or false: it runs at once.
   */
  readonly needsApproval?: NeedsApproval<Args>;
  checkArguments(value: unknown): ArgumentCheck<Args> | Promise<ArgumentCheck<Args>>;
  execute(args: Args, context: ToolContext): Result | Promise<Result>;
}

/** Any tool, whatever its argument and result types; what agents accept in `tools`. */
// biome-ignore lint/suspicious/noExplicitAny: a tool of any input type; its execute is called with checked arguments
export type AnyTool = Tool<any, unknown>;

/** How a resumable tool's call went: its output, or a stop where the run inside it waits for approvals. */
export type ToolOutcome<Result> = { readonly output: Result } | { readonly suspension: ToolSuspension };

/**
 * A tool whose call can stop where a run inside it waits for a person's approval, and go on once
 * the calls are answered: AgentTool and TeamTool. hearth's executor calls `executeOrSuspend` in
 * place of `execute`; a suspension makes the calling turn wait too, keeping `state` in its session,
 * and the run that answers calls `resume` with it (in any process). `execute` alone, with nobody to
 * keep the state, fails the call instead.
 */
export interface ResumableTool<Args = unknown, Result = unknown> extends Tool<Args, Result> {
  executeOrSuspend(args: Args, context: ToolContext): Promise<ToolOutcome<Result>>;
  /** Goes on from `state` with an answer for each call the suspension named (by the ids it gave them). */
  resume(
    state: ToolSuspension["state"],
    answers: readonly ToolApproval[],
    context: ToolContext,
  ): Promise<ToolOutcome<Result>>;
}

/** Whether a tool can suspend its calls (see ResumableTool). */
export function isResumableTool(tool: AnyTool): tool is ResumableTool<unknown, unknown> & AnyTool {
  const candidate = tool as Partial<ResumableTool>;
  return typeof candidate.executeOrSuspend === "function" && typeof candidate.resume === "function";
}
