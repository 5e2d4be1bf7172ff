import type { JsonSchema } from "./json-schema.ts";
import type { RequestContext, RunContext } from "./run-context.ts";

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
