import type { ChatAgent } from "../core/agent.ts";
import { abortError, HearthError } from "../core/errors.ts";
import { type AgentMessage, chatMessageText, isChatMessage, type TaskResult } from "../core/messages.ts";
import type { Task } from "../core/images.ts";
import type { RequestContext, RunContext } from "../core/run-context.ts";
import { Session } from "../core/session.ts";
import type { SessionStore } from "../core/session-store.ts";
import type { Team } from "../core/team.ts";
import type { ToolApproval } from "../core/tool-approval.ts";
import type { KeyedLock } from "../internal/keyed-lock.ts";
import { historyChange, type HistoryMessage } from "./session-history.ts";
import { sleep } from "../models/retry.ts";

const sessionIdPattern = /^[A-Za-z0-9_-]{1,128}$/;

/** A session id a client or app may choose: 1-128 letters, digits, `_` or `-`. */
export function isSessionId(value: unknown): value is string {
  return typeof value === "string" && sessionIdPattern.test(value);
}

/** One turn on a stored session, as every front door (hearth's HTTP API, a route of the app's own) asks for it. */
export interface SessionTurnOptions {
  /** The agent or team that takes the turn. */
  readonly runner: ChatAgent | Team;
  readonly store: SessionStore;
  readonly tenant: string;
  /**
   * The session to continue; without one, a new session. An unknown id is HEARTH_SESSION_NOT_FOUND,
   * unless `createSession` is set.
   */
  readonly sessionId?: string;
  /**
   * With `sessionId`: an unknown id starts a new session under that id (an id the app already has
   * for the conversation), a known one is continued. The id must be 1-128 letters, digits, `_` or `-`.
   */
  readonly createSession?: boolean;
  /** The new user message; omitted when the turn answers `approvals`. */
  readonly task?: Task;
  /**
   * Answers to the tool calls the session waits for (see RunOptions.approvals): the waiting turn
   * goes on. A session that waits refuses a turn without them (HEARTH_APPROVAL_PENDING).
   */
  readonly approvals?: readonly ToolApproval[];
  /**
   * The conversation before `task`, as a client that keeps its own history sends it: a new session
   * starts with it (see session-history.ts); a stored session keeps its own and this is ignored.
   */
  readonly history?: readonly HistoryMessage[];
  readonly signal?: AbortSignal;
  /**
   * The app's request context, given to every tool and dynamic system message of the turn. Not
   * stored, unless `keepContext`. As a function, it is given the context the session keeps and
   * answers the turn's context and what to keep (the HTTP layer reads the request's so).
   */
  readonly context?: RequestContext | ContextForTurn;
  /**
   * Keep `context` with the session (it replaces the one kept before), and run a turn that gives
   * none with the kept one. Default false: the context is the request's alone.
   */
  readonly keepContext?: boolean;
  /** What the run carries (its tenant and session id are set here). Default: a plain run. */
  readonly run?: RunContext;
  /** Each message and event as it happens: a stream. Once one has gone out, the turn is never run again. */
  readonly onItem?: (item: AgentMessage) => void;
  /** Told the session's id as soon as it is known (a new session's included), for a log line. */
  readonly onSession?: (sessionId: string) => void;
  /** How long a store lock across instances is held at most, should this process die holding it. Default 125 s. */
  readonly lockTtlMs?: number;
  /** The stored session expires after this long without a turn. Default: the store's own TTL. */
  readonly ttlMs?: number;
  /** The most the stored session's JSON may weigh (HEARTH_SESSION_TOO_LARGE). Default: no limit. */
  readonly maxBytes?: number;
}

/** Makes a turn's request context once its session is loaded, from the context the session keeps. */
export type ContextForTurn = (kept: RequestContext | undefined) => Promise<{
  readonly context: RequestContext | undefined;
  /** To keep with the session once the turn is stored; undefined keeps what it kept. */
  readonly keep?: RequestContext | undefined;
}>;

export interface SessionTurnResult {
  readonly result: TaskResult;
  readonly sessionId: string;
  /** The text of the turn's last chat message (what `/v1/chat` answers as `reply`); "" when there is none. */
  readonly reply: string;
}

/**
 * One turn on a stored session: the session is loaded (or created) for its tenant, held against
 * other turns on it in this process (`locks`) and, with a shared store, across instances, run by
 * the agent or team, and stored with a compare-and-set. A turn that fails, is aborted or whose
 * store write keeps conflicting stores nothing: the session stays as it was. A write that finds
 * the session moved on (another instance wrote it, its lock having expired) runs the turn again on
 * the new version, up to five times, so no turn is lost or applied twice; a stream that has already
 * sent events is not run again, since its client has seen them.
 */
export async function runSessionTurn(locks: KeyedLock, options: SessionTurnOptions): Promise<SessionTurnResult> {
  if (options.createSession === true && !isSessionId(options.sessionId))
    throw new HearthError(
      "HEARTH_INVALID_REQUEST",
      "`sessionId` must be 1-128 letters, digits, `_` or `-` to create a session under it.",
      { field: "sessionId" },
    );
  let sent = false;
  const forward =
    options.onItem === undefined
      ? undefined
      : (item: AgentMessage) => {
          sent = true;
          options.onItem?.(item);
        };
  const signal = options.signal ?? new AbortController().signal;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt(locks, options, signal, forward);
    } catch (error) {
      if (!HearthError.is(error, "HEARTH_SESSION_CONFLICT") || tries >= 5 || sent || signal.aborted) throw error;
      await sleep(5 * tries + Math.random() * 10, signal);
    }
  }
}

/** One attempt: hold the session (here and, with a shared store, across instances), load, run, store. */
async function attempt(
  locks: KeyedLock,
  options: SessionTurnOptions,
  signal: AbortSignal,
  onItem: ((item: AgentMessage) => void) | undefined,
): Promise<SessionTurnResult> {
  const { store, tenant, sessionId: id } = options;
  const release = id === undefined ? () => undefined : await locks.acquire(`${tenant}\u0000${id}`);
  let releaseShared: (() => Promise<void>) | undefined;
  try {
    if (id !== undefined && store.lock !== undefined)
      releaseShared = await store.lock(tenant, id, { ttlMs: options.lockTtlMs ?? 125_000, signal });
    const stored = id === undefined ? undefined : await store.get(tenant, id);
    if (id !== undefined && stored === undefined && options.createSession !== true)
      throw new HearthError("HEARTH_SESSION_NOT_FOUND", `No session "${id}" for this tenant.`, { tenantId: tenant });
    // Two turns creating one id race to the first write; the loser finds it stored and runs again on it.
    const session =
      stored === undefined ? new Session(id === undefined ? {} : { id }) : Session.fromJSON(stored.session);
    if (stored === undefined && options.history !== undefined && options.history.length > 0)
      session.apply(historyChange(options.runner, options.history));
    options.onSession?.(session.id);
    const runContext: RunContext = { ...(options.run ?? { synthetic: false }), tenant, sessionId: session.id };
    const { context, keep } = await contextOf(options, session.requestContext);
    const run = {
      ...(options.task === undefined ? {} : { task: options.task }),
      ...(options.approvals === undefined ? {} : { approvals: options.approvals }),
      session,
      signal,
      run: runContext,
      ...(context === undefined ? {} : { context }),
    };
    const putOptions = {
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }),
    };
    let result: TaskResult | undefined;
    try {
      if (onItem === undefined) result = await options.runner.run(run);
      else {
        for await (const item of options.runner.runStream(run)) {
          if (item.type === "task-result") result = item;
          else onItem(item);
        }
      }
      if (result === undefined) throw new Error("unreachable: the run ended without a TaskResult");
      // A run that ignored its signal is still not stored once the signal fired (a timeout, a client gone).
      if (signal.aborted) throw abortError(signal);
    } catch (error) {
      // A turn that answered approvals and failed after the approved calls ran (its next model
      // call, say) keeps that step: those calls did their work, and must not run again when the
      // client sends the same approvals once more. The session waits no more; the rest is lost.
      if (stored?.session.pendingApproval !== undefined && session.pendingApproval === undefined)
        await store.put(tenant, session.snapshot(), stored.version, putOptions).catch(() => undefined);
      throw error;
    }
    if (keep !== undefined) session.apply({ requestContext: keep });
    await store.put(tenant, session.snapshot(), stored?.version ?? 0, putOptions);
    // A turn stopped for approvals has no reply of its own (its last chat message is the task).
    const last = result.stopReason === "tool-approval-request" ? undefined : result.messages.findLast(isChatMessage);
    return { result, sessionId: session.id, reply: last === undefined ? "" : chatMessageText(last) };
  } finally {
    await releaseShared?.().catch(() => undefined);
    release();
  }
}

/** The turn's context, and what the session is to keep of it. */
async function contextOf(
  options: SessionTurnOptions,
  kept: RequestContext | undefined,
): Promise<{ context: RequestContext | undefined; keep: RequestContext | undefined }> {
  const given = options.context;
  if (typeof given === "function") {
    const made = await given(kept);
    return { context: made.context, keep: made.keep };
  }
  if (options.keepContext !== true) return { context: given, keep: undefined };
  return given === undefined ? { context: kept, keep: undefined } : { context: given, keep: given };
}
