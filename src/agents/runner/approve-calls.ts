import type { ToolCall, ToolResult } from "../../core/messages.ts";
import type { RunContext } from "../../core/run-context.ts";
import type { AnyTool } from "../../core/tool.ts";
import { rejectedResult, type ApprovalResume } from "../../core/tool-approval.ts";
import { executeToolCalls, needsApproval } from "../../tools/execute-tool-calls.ts";

/** A step's tool calls after they ran: every result, or the results of those that ran and the calls that wait. */
export interface RanCalls {
  readonly results: ToolResult[];
  /** The calls that wait for a person's approval; absent when none does. */
  readonly waiting?: ToolCall[];
}

/**
 * Runs a step's tool calls, holding back those that wait for approval. The others run at once, as
 * OpenAI Agents JS and the AI SDK do: a lookup beside a payment need not wait for the payment's
 * approval. Their results are kept with the step until the held calls are answered.
 */
export async function runOrHold(
  tools: ReadonlyMap<string, AnyTool>,
  calls: readonly ToolCall[],
  signal: AbortSignal,
  run: RunContext,
): Promise<RanCalls> {
  // Most steps call no tool that may ask: they run as they always did, without a look at each call.
  if (!calls.some((call) => tools.get(call.name)?.needsApproval !== undefined))
    return { results: await executeToolCalls(tools, calls, signal, run) };
  const asks = await Promise.all(calls.map((call) => needsApproval(tools, call, run)));
  const waiting = calls.filter((_, index) => asks[index] === true);
  const ready = calls.filter((_, index) => asks[index] !== true);
  const results = ready.length === 0 ? [] : await executeToolCalls(tools, ready, signal, run);
  return waiting.length === 0 ? { results } : { results, waiting };
}

/**
 * The results of a step whose held calls are answered: those it had, the approved calls run now,
 * and for each call not approved an error result with the person's reason, which the model reads.
 */
export async function runAnswered(
  tools: ReadonlyMap<string, AnyTool>,
  { pending, answers }: ApprovalResume,
  signal: AbortSignal,
  run: RunContext,
): Promise<ToolResult[]> {
  const approved = pending.pending.filter((call) => answers.get(call.id)?.approved === true);
  const rejected = pending.pending
    .filter((call) => answers.get(call.id)?.approved !== true)
    .map((call) => rejectedResult(call, answers.get(call.id)?.reason));
  const ran = approved.length === 0 ? [] : await executeToolCalls(tools, approved, signal, run);
  return [...pending.results, ...ran, ...rejected];
}
