import type { ToolCall, ToolResult } from "../../core/messages.ts";
import type { RunContext } from "../../core/run-context.ts";
import type { AnyTool } from "../../core/tool.ts";
import {
  answersInside,
  rejectedResult,
  type ApprovalResume,
  type SuspendedToolCall,
} from "../../core/tool-approval.ts";
import { executeOrSuspendToolCalls, needsApproval, type ExecutedToolCalls } from "../../tools/execute-tool-calls.ts";

/**
 * A step's tool calls after they ran: every result, or the results of those that ran and the calls
 * that wait, the step's own (`waiting`) and those inside an agent or team it called (`suspended`).
 */
export interface RanCalls {
  readonly results: ToolResult[];
  /** The step's own calls that wait for a person's approval; absent when none does. */
  readonly waiting?: ToolCall[];
  /** Calls to agents or teams used as tools whose runs wait for approvals; absent when none does. */
  readonly suspended?: SuspendedToolCall[];
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
    return ranCalls(await executeOrSuspendToolCalls(tools, calls, signal, run), []);
  const asks = await Promise.all(calls.map((call) => needsApproval(tools, call, run)));
  const waiting = calls.filter((_, index) => asks[index] === true);
  const ready = calls.filter((_, index) => asks[index] !== true);
  const ran = ready.length === 0 ? undefined : await executeOrSuspendToolCalls(tools, ready, signal, run);
  return ranCalls(ran, waiting);
}

/**
 * Goes on with a step whose held calls are answered: its results so far, the approved calls run
 * now, for each call not approved an error result with the person's reason, which the model reads,
 * and each suspended call resumed with the answers for the calls inside it (rejections included:
 * the agent inside reads them). A suspended call may stop again, and the step waits again.
 */
export async function runAnswered(
  tools: ReadonlyMap<string, AnyTool>,
  { pending, answers }: ApprovalResume,
  signal: AbortSignal,
  run: RunContext,
): Promise<RanCalls> {
  const approved = pending.pending.filter((call) => answers.get(call.id)?.approved === true);
  const rejected = pending.pending
    .filter((call) => answers.get(call.id)?.approved !== true)
    .map((call) => rejectedResult(call, answers.get(call.id)?.reason));
  const resumed = (pending.suspended ?? []).map((suspended) => ({
    suspended,
    answers: answersInside(suspended, answers),
  }));
  const ran =
    approved.length + resumed.length === 0
      ? undefined
      : await executeOrSuspendToolCalls(tools, approved, signal, run, resumed);
  const done = ranCalls(ran, []);
  return { ...done, results: [...pending.results, ...done.results, ...rejected] };
}

function ranCalls(ran: ExecutedToolCalls | undefined, waiting: ToolCall[]): RanCalls {
  const results = ran?.results ?? [];
  const suspended = ran?.suspended ?? [];
  return {
    results,
    ...(waiting.length === 0 ? {} : { waiting }),
    ...(suspended.length === 0 ? {} : { suspended }),
  };
}
