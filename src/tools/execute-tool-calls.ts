import { publishToolCall } from "../core/diagnostics.ts";
import { abortError, HearthError } from "../core/errors.ts";
import { withDeadline } from "../internal/deadline.ts";
import { errorMessage } from "../internal/error-message.ts";
import { plainRun, type RunContext } from "../core/run-context.ts";
import { redact, redactValue } from "../internal/redact.ts";
import type { ErrorCode } from "../core/error-codes.ts";
import type { ToolCall, ToolResult } from "../core/messages.ts";
import { isResumableTool, type AnyTool, type ToolContext, type ToolOutcome } from "../core/tool.ts";
import { suspendedCall, type SuspendedToolCall, type ToolApproval } from "../core/tool-approval.ts";

const syntheticOutput = Object.freeze({ synthetic: true });
const noContext = Object.freeze({});

/**
 * How a call runs: `execute` (a suspension has nowhere to go, so a resumable tool fails the call),
 * from its arguments where a resumable tool may suspend it, or resumed from its suspension with the
 * answers for the calls inside it.
 */
type How =
  | { readonly kind: "execute" }
  | { readonly kind: "suspend" }
  | { readonly kind: "resume"; readonly suspended: SuspendedToolCall; readonly answers: readonly ToolApproval[] };

const plainExecute: How = Object.freeze({ kind: "execute" });
const mayRunSuspended: How = Object.freeze({ kind: "suspend" });

/** A step's calls after they ran: the results of those that finished, and those that wait inside. */
export interface ExecutedToolCalls {
  readonly results: ToolResult[];
  /** Calls to agents or teams used as tools whose runs stopped on calls waiting for approval. */
  readonly suspended: SuspendedToolCall[];
}

/** A suspended call to go on with, and the answers for the calls inside it (by their inner ids). */
export interface ResumedToolCall {
  readonly suspended: SuspendedToolCall;
  readonly answers: readonly ToolApproval[];
}

/**
 * Runs the tool calls of one model turn in parallel and returns their results in call order.
 * Whatever goes wrong inside a call (unknown tool, bad JSON, failed validation, a throw, a timeout)
 * becomes an error result the model can read and react to. Only the run's own abort escapes. A
 * result's text is redacted (internal/redact.ts) before the model sees it or a session stores it: a
 * tool's error can quote a connection string or a password.
 */
export async function executeToolCalls(
  tools: ReadonlyMap<string, AnyTool>,
  calls: readonly ToolCall[],
  signal?: AbortSignal,
  run: RunContext = plainRun,
): Promise<ToolResult[]> {
  return (await runAll(
    calls.map((call) => ({ call, how: plainExecute })),
    tools,
    signal,
    run,
  )) as ToolResult[];
}

/**
 * Runs a step's tool calls as executeToolCalls does, where a call to a resumable tool (AgentTool,
 * TeamTool) may stop because the run inside it waits for approvals, and `resumed` calls go on from
 * where they stopped. Results keep the order of `calls`, then of `resumed`.
 */
export async function executeOrSuspendToolCalls(
  tools: ReadonlyMap<string, AnyTool>,
  calls: readonly ToolCall[],
  signal: AbortSignal,
  run: RunContext,
  resumed: readonly ResumedToolCall[] = [],
): Promise<ExecutedToolCalls> {
  const jobs = calls.map((call) => ({ call, how: mayRunSuspended }));
  for (const { suspended, answers } of resumed)
    jobs.push({ call: suspended.call, how: { kind: "resume", suspended, answers } });
  const outcomes = await runAll(jobs, tools, signal, run);
  const results: ToolResult[] = [];
  const suspended: SuspendedToolCall[] = [];
  for (const outcome of outcomes) {
    if ("waiting" in outcome) suspended.push(outcome);
    else results.push(outcome);
  }
  return { results, suspended };
}

async function runAll(
  jobs: readonly { readonly call: ToolCall; readonly how: How }[],
  tools: ReadonlyMap<string, AnyTool>,
  signal: AbortSignal | undefined,
  run: RunContext,
): Promise<(ToolResult | SuspendedToolCall)[]> {
  if (signal?.aborted === true) throw abortError(signal);
  // One call, the usual case, needs no Promise.all: with the async pickTarget (server/chat.ts),
  // measured against their plain versions (2026-11-28, HttpApp.handle in one process, 40 blocks,
  // two runs): medians 6.7 µs apart, the fastest blocks 0.3 and 1.6 µs.
  const only = jobs.length === 1 ? jobs[0] : undefined;
  const outcomes =
    only !== undefined
      ? [await executeToolCall(tools, only.call, signal, run, only.how)]
      : await Promise.all(jobs.map(({ call, how }) => executeToolCall(tools, call, signal, run, how)));
  // Read again after the await: the signal may have fired while the tools ran.
  if ((signal as AbortSignal | undefined)?.aborted === true) throw abortError(signal);
  return outcomes;
}

/**
 * Whether a call waits for a person's approval before it runs: its tool says so, for these checked
 * arguments. A call that will fail anyway (an unknown tool, arguments that are not JSON or fail the
 * schema) needs none: it runs at once and the model reads its error. A synthetic warm-up turn never
 * waits: it runs every step but the tool itself.
 */
export async function needsApproval(
  tools: ReadonlyMap<string, AnyTool>,
  call: ToolCall,
  run: RunContext = plainRun,
): Promise<boolean> {
  const rule = tools.get(call.name)?.needsApproval;
  if (rule === undefined || rule === false || run.synthetic) return false;
  if (rule === true) return true;
  let parsed: unknown;
  try {
    parsed = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
  } catch {
    return false;
  }
  const checked = await (tools.get(call.name) as AnyTool).checkArguments(parsed);
  if (!checked.ok) return false;
  try {
    return (await rule(checked.value, { callId: call.id, context: run.context ?? noContext, run })) === true;
  } catch (error) {
    // Unsure is not approved: the call waits for a person rather than running unasked.
    run.log?.({
      level: "warn",
      msg: "a tool's needsApproval threw; the call waits for approval",
      tool: call.name,
      error: redact(errorMessage(error)),
      callId: call.id,
    });
    return true;
  }
}

function errorResult(call: ToolCall, code: ErrorCode, message: string): ToolResult {
  return { callId: call.id, name: call.name, content: redact(`Error: ${message}`), isError: true, errorCode: code };
}

export async function executeToolCall(
  tools: ReadonlyMap<string, AnyTool>,
  call: ToolCall,
  signal: AbortSignal | undefined,
  run: RunContext,
  how: How = plainExecute,
): Promise<ToolResult | SuspendedToolCall> {
  const started = performance.now();
  const outcome = await runToolCall(tools, call, signal, run, how);
  const result = "waiting" in outcome ? undefined : outcome;
  publishToolCall(
    {
      tool: call.name,
      durationMs: performance.now() - started,
      isError: result?.isError ?? false,
      errorCode: result?.errorCode,
      callId: call.id,
    },
    run,
  );
  if (result === undefined) return outcome;
  // The model reads the error and may recover, so the request still succeeds: the log says what failed.
  if (result.isError && !run.synthetic)
    run.log?.({
      level: "warn",
      msg: "a tool call failed",
      tool: call.name,
      code: result.errorCode,
      error: result.content,
      callId: call.id,
      ...(run.requestId === undefined ? {} : { id: run.requestId }),
      ...(run.tenant === undefined ? {} : { tenant: run.tenant }),
      ...(run.sessionId === undefined ? {} : { session: run.sessionId }),
    });
  return result;
}

async function runToolCall(
  tools: ReadonlyMap<string, AnyTool>,
  call: ToolCall,
  signal: AbortSignal | undefined,
  run: RunContext,
  how: How,
): Promise<ToolResult | SuspendedToolCall> {
  const tool = tools.get(call.name);
  if (tool === undefined) {
    const names = [...tools.keys()];
    return errorResult(
      call,
      "HEARTH_TOOL_UNKNOWN",
      `there is no tool named "${call.name}". Available tools: ${names.length > 0 ? names.join(", ") : "none"}.`,
    );
  }
  if (how.kind === "resume") {
    // The app may have changed between the two runs: the tool the call waited in is gone or different.
    if (!isResumableTool(tool))
      return errorResult(
        call,
        "HEARTH_TOOL_FAILED",
        `${call.name} cannot go on from where it waited for approvals: it is no longer an agent or team used as a tool.`,
      );
    const { state } = how.suspended;
    return invoke(tool, call, signal, run, (context) => tool.resume(state, how.answers, context), true);
  }
  let parsed: unknown;
  try {
    parsed = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
  } catch {
    return errorResult(
      call,
      "HEARTH_TOOL_INVALID_ARGUMENTS",
      `the arguments for ${call.name} are not valid JSON: ${call.arguments.slice(0, 200)}`,
    );
  }
  const checked = await tool.checkArguments(parsed);
  // A synthetic warm-up turn runs every step but the tool itself, whatever its stub arguments.
  const synthetic = run.synthetic;
  if (!checked.ok && !synthetic)
    return errorResult(call, "HEARTH_TOOL_INVALID_ARGUMENTS", `invalid arguments for ${call.name}: ${checked.message}`);
  const args = checked.ok ? checked.value : undefined;
  if (synthetic) return invoke(tool, call, signal, run, () => syntheticOutput, false);
  if (how.kind === "suspend" && isResumableTool(tool))
    return invoke(tool, call, signal, run, (context) => tool.executeOrSuspend(args, context), true);
  return invoke(tool, call, signal, run, (context) => tool.execute(args, context), false);
}

/**
 * Runs one call of `tool` under its deadline: its result (redacted), an error result, or, from a
 * resumable tool (`outcome`: the work returns a ToolOutcome), the call suspended.
 */
async function invoke(
  tool: AnyTool,
  call: ToolCall,
  signal: AbortSignal | undefined,
  run: RunContext,
  work: (context: ToolContext) => unknown,
  outcome: boolean,
): Promise<ToolResult | SuspendedToolCall> {
  // The call's own deadline: it follows the run's signal, and aborts this call alone. Its error is
  // made only if it passes. A tool that ignores its signal cannot hold the run past it.
  let timeout: HearthError | undefined;
  const expire = () =>
    (timeout = new HearthError("HEARTH_TOOL_TIMEOUT", `tool ${call.name} did not finish within ${tool.timeoutMs} ms.`, {
      toolName: call.name,
      timeoutMs: tool.timeoutMs,
    }));
  try {
    let output = await withDeadline([signal], tool.timeoutMs, expire, (callSignal) =>
      work({ signal: callSignal, callId: call.id, context: run.context ?? noContext, run }),
    );
    if (outcome) {
      const ended = output as ToolOutcome<unknown>;
      if ("suspension" in ended) return suspendedCall(call, ended.suspension);
      output = ended.output;
    }
    // An object's strings are redacted before it is serialised: JSON escaping would hide a quoted secret.
    return {
      callId: call.id,
      name: call.name,
      content: typeof output === "string" ? redact(output) : stringifyOutput(redactValue(output)),
      isError: false,
    };
  } catch (error) {
    if (signal?.aborted === true) throw abortError(signal);
    if (timeout !== undefined && error === timeout) return errorResult(call, "HEARTH_TOOL_TIMEOUT", timeout.message);
    return errorResult(call, "HEARTH_TOOL_FAILED", `${call.name} failed: ${errorMessage(error)}`);
  }
}

function stringifyOutput(output: unknown): string {
  if (typeof output === "string") return output;
  if (output === undefined) return "";
  try {
    return JSON.stringify(output);
  } catch {
    return String(output);
  }
}
