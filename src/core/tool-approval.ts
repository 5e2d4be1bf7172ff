import { HearthError } from "./errors.ts";
import type { ToolCall, ToolResult } from "./messages.ts";

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
  /** The calls that wait for a person's answer. */
  readonly pending: readonly ToolCall[];
  /** The results of the calls that ran at once (those needing no approval). */
  readonly results: readonly ToolResult[];
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
  const waiting = new Set(pending.pending.map((call) => call.id));
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
    if (pending !== undefined) throw approvalPending(sessionId, pending.pending);
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
  if ((value.pending as unknown[]).length === 0) return "must wait for at least one call";
  return undefined;
}
