import { HearthError } from "./errors.ts";
import type { ToolCall, ToolResult, WaitingToolCall } from "./messages.ts";

/** A person's answer to one tool call that waits for approval: what `run({ approvals })` and `POST /v1/chat` take. */
export interface ToolApproval {
  /** The id of the call, as the `tool-approval-request` event names it. */
  readonly callId: string;
  readonly approved: boolean;
  /** Why, shown to the model when the call is not approved. */
  readonly reason?: string;
}

/**
 * A turn stopped before tool calls that wait for approval, as the session stores it: the model's
 * step whose calls are not all answered yet. The calls that needed no approval have run; their
 * results wait here with the step until the others are answered, so the model context never holds
 * a call without its result.
 */
export interface PendingApproval {
  /** The agent whose turn waits (in a team, the speaker that resumes). */
  readonly agent: string;
  /** The tool iteration of the turn the step belongs to (1 for the first model call). */
  readonly iteration: number;
  /** The model's text beside its calls. */
  readonly content: string;
  readonly thought?: string;
  /** The provider's opaque data that goes back with the thought (see ModelResponse.thoughtSignature). */
  readonly thoughtSignature?: string;
  /** The field the provider sent the thought in, to send it back in (see ModelResponse.thoughtField). */
  readonly thoughtField?: string;
  /** Every call of the step, in the model's order. */
  readonly toolCalls: readonly ToolCall[];
  /** The step's own calls that wait for a person's answer (may be empty when `suspended` is not). */
  readonly pending: readonly ToolCall[];
  /** The results of the calls that ran (those needing no approval), and of those already answered. */
  readonly results: readonly ToolResult[];
  /** The step's calls to agents or teams used as tools whose runs wait for approvals inside them. */
  readonly suspended?: readonly SuspendedToolCall[];
}

/**
 * What a call to a resumable tool (AgentTool, TeamTool) came to when the run inside it stopped on
 * tool calls waiting for approval: the tool's own view, before the calling agent names its calls.
 */
export interface ToolSuspension {
  /** The agent whose turn waits, inside the tool (in a team, the member). */
  readonly agent: string;
  /** The calls it waits for, with the ids the run inside the tool gives them. */
  readonly waiting: readonly WaitingToolCall[];
  /** What the tool needs to go on: a JSON-safe object (AgentTool and TeamTool: the inner session's JSON). */
  readonly state: object;
}

/**
 * A call of a waiting step to an agent or team used as a tool, whose run waits for approvals: kept
 * in the session until the calls inside it are answered, then resumed with those answers.
 */
export interface SuspendedToolCall {
  /** The call to the AgentTool or TeamTool, as the model made it. */
  readonly call: ToolCall;
  /** The calls inside it that wait, named as `approvals` answer them: `${call.id}/${their own id}`. */
  readonly waiting: readonly WaitingToolCall[];
  /** The tool's state to go on from (ToolSuspension.state). */
  readonly state: object;
}

/**
 * A suspension as the calling agent keeps it: each waiting call's id prefixed with the id of the
 * call it runs inside, and that call added at the head of its `within`.
 */
export function suspendedCall(call: ToolCall, suspension: ToolSuspension): SuspendedToolCall {
  const origin = { callId: call.id, tool: call.name, agent: suspension.agent };
  return {
    call,
    waiting: suspension.waiting.map((inner) => ({
      id: `${call.id}/${inner.id}`,
      name: inner.name,
      arguments: inner.arguments,
      within: [origin, ...(inner.within ?? [])],
    })),
    state: suspension.state,
  };
}

/** Every call a waiting step waits for, in the model's order: its own, and those inside its suspended calls. */
export function waitingCalls(pending: PendingApproval): WaitingToolCall[] {
  const suspended = pending.suspended ?? [];
  if (suspended.length === 0) return [...pending.pending];
  const own = new Set(pending.pending.map((call) => call.id));
  const inner = new Map(suspended.map((entry) => [entry.call.id, entry.waiting]));
  return pending.toolCalls.flatMap((call) => (own.has(call.id) ? [call] : (inner.get(call.id) ?? [])));
}

/** The answers for the calls inside one suspended call, with the ids the run inside it gives them. */
export function answersInside(
  suspended: SuspendedToolCall,
  answers: ReadonlyMap<string, ToolApproval>,
): ToolApproval[] {
  const prefix = `${suspended.call.id}/`;
  return suspended.waiting.map((call) => {
    const answer = answers.get(call.id) as ToolApproval;
    return { ...answer, callId: call.id.slice(prefix.length) };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A 400 naming the approvals field (or one entry of it). */
function invalidApprovals(field: string, why: string): HearthError {
  return new HearthError("HEARTH_INVALID_REQUEST", `\`${field}\` ${why}.`, { field });
}

/** Checks the shape of `approvals` as a caller sent it: an array of `{ callId, approved, reason? }`. */
export function checkApprovalList(value: unknown, field = "approvals"): readonly ToolApproval[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidApprovals(field, "must be a non-empty array");
  const seen = new Set<string>();
  return value.map((entry: unknown, index) => {
    const at = `${field}[${index}]`;
    if (!isObject(entry)) throw invalidApprovals(at, "must be an object { callId, approved, reason? }");
    const unknown = Object.keys(entry).find((key) => key !== "callId" && key !== "approved" && key !== "reason");
    if (unknown !== undefined) throw invalidApprovals(`${at}.${unknown}`, "is not a field of an approval");
    if (typeof entry.callId !== "string" || entry.callId === "")
      throw invalidApprovals(`${at}.callId`, "must be a non-empty string");
    if (typeof entry.approved !== "boolean") throw invalidApprovals(`${at}.approved`, "must be true or false");
    if (entry.reason !== undefined && typeof entry.reason !== "string")
      throw invalidApprovals(`${at}.reason`, "must be a string");
    if (seen.has(entry.callId)) throw invalidApprovals(`${at}.callId`, `answers call "${entry.callId}" twice`);
    seen.add(entry.callId);
    return {
      callId: entry.callId,
      approved: entry.approved,
      ...(entry.reason === undefined ? {} : { reason: entry.reason as string }),
    };
  });
}

/** The error for a run on a session that waits for approval of `calls`, given none. */
export function approvalPending(sessionId: string, calls: readonly ToolCall[]): HearthError {
  const ids = calls.map((call) => call.id);
  return new HearthError(
    "HEARTH_APPROVAL_PENDING",
    `Session ${sessionId} waits for approval of tool calls ${ids.map((id) => `"${id}"`).join(", ")} (${calls.map((call) => call.name).join(", ")}): answer each with \`approvals: [{ callId, approved, reason? }]\` (POST /v1/chat) before a new message.`,
    { callIds: ids },
  );
}

/**
 * Matches `approvals` to the calls a session waits for: every waiting call must be answered, and
 * nothing else. Returns each waiting call's answer, by call id.
 */
export function matchApprovals(
  sessionId: string,
  pending: PendingApproval | undefined,
  approvals: readonly ToolApproval[],
): ReadonlyMap<string, ToolApproval> {
  if (pending === undefined)
    throw new HearthError(
      "HEARTH_APPROVAL_INVALID",
      `Session ${sessionId} waits for no tool-call approval: \`approvals\` answer nothing.`,
      { field: "approvals", callIds: approvals.map((approval) => approval.callId) },
    );
  const waiting = new Set(waitingCalls(pending).map((call) => call.id));
  const unknown = approvals.filter((approval) => !waiting.has(approval.callId)).map((approval) => approval.callId);
  if (unknown.length > 0)
    throw new HearthError(
      "HEARTH_APPROVAL_INVALID",
      `\`approvals\` name calls that do not wait for approval in session ${sessionId}: ${unknown.map((id) => `"${id}"`).join(", ")} (waiting: ${[...waiting].map((id) => `"${id}"`).join(", ")}).`,
      { field: "approvals", callIds: unknown },
    );
  const byId = new Map(approvals.map((approval) => [approval.callId, approval]));
  const missing = [...waiting].filter((id) => !byId.has(id));
  if (missing.length > 0)
    throw new HearthError(
      "HEARTH_APPROVAL_INVALID",
      `\`approvals\` must answer every waiting call of session ${sessionId}; missing: ${missing.map((id) => `"${id}"`).join(", ")}.`,
      { field: "approvals", callIds: missing },
    );
  return byId;
}

/** A turn that resumes a step waiting for approvals: the step, and each waiting call's answer. */
export interface ApprovalResume {
  readonly pending: PendingApproval;
  readonly answers: ReadonlyMap<string, ToolApproval>;
}

/**
 * What a run on a session does about approvals: nothing (none waiting, none given), resume the
 * waiting step with its answers, or refuse: a session that waits needs answers before anything
 * else, and answers need a session that waits.
 */
export function approvalResume(
  sessionId: string,
  pending: PendingApproval | undefined,
  approvals: readonly ToolApproval[] | undefined,
): ApprovalResume | undefined {
  if (approvals === undefined) {
    if (pending !== undefined) throw approvalPending(sessionId, waitingCalls(pending));
    return undefined;
  }
  const answers = matchApprovals(sessionId, pending, approvals);
  return { pending: pending as PendingApproval, answers };
}

/** What the model reads for a call a person did not approve: an error result carrying their reason. */
export function rejectedResult(call: ToolCall, reason: string | undefined): ToolResult {
  const why = reason === undefined || reason.trim() === "" ? "" : ` Reason: ${reason}`;
  return {
    callId: call.id,
    name: call.name,
    content: `Error: the user did not approve this call to ${call.name}; it was not run.${why}`,
    isError: true,
    errorCode: "HEARTH_TOOL_REJECTED",
  };
}

/** Checks a stored pending approval (Session.fromJSON); returns a reason it is invalid, or undefined. */
export function pendingApprovalProblem(value: unknown): string | undefined {
  if (!isObject(value)) return "must be an object";
  if (typeof value.agent !== "string" || value.agent === "") return "must name its agent";
  if (typeof value.iteration !== "number" || !Number.isInteger(value.iteration) || value.iteration < 1)
    return "must have an iteration of 1 or more";
  if (typeof value.content !== "string") return "must have a content string";
  for (const key of ["toolCalls", "pending", "results"] as const)
    if (!Array.isArray(value[key])) return `must have a ${key} array`;
  const suspended = value.suspended;
  if (suspended !== undefined) {
    if (!Array.isArray(suspended)) return "must have a suspended array, when it has one";
    for (const [index, entry] of suspended.entries()) {
      const problem = suspendedProblem(entry);
      if (problem !== undefined) return `suspended[${index}] ${problem}`;
    }
  }
  if ((value.pending as unknown[]).length === 0 && (suspended === undefined || suspended.length === 0))
    return "must wait for at least one call";
  return undefined;
}

function isToolCall(value: unknown): value is ToolCall {
  return (
    isObject(value) &&
    typeof value.id === "string" &&
    typeof value.name === "string" &&
    typeof value.arguments === "string"
  );
}

function suspendedProblem(value: unknown): string | undefined {
  if (!isObject(value)) return "must be an object";
  if (!isToolCall(value.call)) return "must have the call it suspends";
  if (!isObject(value.state)) return "must have a state object";
  const prefix = `${value.call.id}/`;
  if (!Array.isArray(value.waiting) || value.waiting.length === 0) return "must wait for at least one call";
  for (const call of value.waiting as unknown[])
    if (!isToolCall(call) || !call.id.startsWith(prefix))
      return `must name waiting calls with ids starting "${prefix}"`;
  return undefined;
}
