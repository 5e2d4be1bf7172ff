import type { ChatAgent } from "../core/agent.ts";
import { abortError, HearthError } from "../core/errors.ts";
import { chatMessageText, isChatMessage, type AgentMessage, type TaskResult } from "../core/messages.ts";
import { linkAbort, type LinkedAbort } from "../core/linked-abort.ts";
import { Session } from "../core/session.ts";
import type { SessionStore } from "../core/session-store.ts";
import type { Team } from "../core/team.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { canWarmRunner } from "../runtime/synthetic-turns.ts";
import { isSyntheticTurn } from "../core/synthetic.ts";
import { AsyncQueue } from "../core/async-queue.ts";
import type { HttpResponse } from "./http-types.ts";
import { json } from "./http-types.ts";
import type { KeyedLock } from "./keyed-lock.ts";
import { problemOf } from "./problem.ts";
import type { RequestRecord } from "./request-log.ts";

export interface ChatRequest {
  readonly message: string;
  readonly agent?: string;
  readonly team?: string;
  readonly sessionId?: string;
  readonly stream: boolean;
}

const sessionIdPattern = /^[A-Za-z0-9_-]{1,128}$/;
const maxMessageLength = 100_000;
const chatFields = new Set(["message", "agent", "team", "sessionId", "stream"]);

function invalid(field: string, why: string): HearthError {
  return new HearthError("HEARTH_INVALID_REQUEST", `\`${field}\` ${why}.`, { field });
}

/** Checks a chat body field by field; anything wrong is a 400 naming the field, and changes nothing. */
export function parseChatRequest(body: unknown, wantsStream: boolean): ChatRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("body", "must be a JSON object");
  const data = body as Record<string, unknown>;
  const unknown = Object.keys(data).find((key) => !chatFields.has(key));
  if (unknown !== undefined) throw invalid(unknown, "is not a field of a chat request (message, agent, team, sessionId, stream)");
  if (data.message === undefined) throw invalid("message", "is required");
  if (typeof data.message !== "string" || data.message.trim() === "") throw invalid("message", "must be a non-empty string");
  if (data.message.length > maxMessageLength) throw invalid("message", `must be at most ${maxMessageLength} characters`);
  for (const field of ["agent", "team"] as const) {
    if (data[field] !== undefined && (typeof data[field] !== "string" || data[field] === "")) throw invalid(field, "must be a non-empty string");
  }
  if (data.agent !== undefined && data.team !== undefined) throw invalid("team", "cannot be given together with `agent`");
  if (data.sessionId !== undefined && (typeof data.sessionId !== "string" || !sessionIdPattern.test(data.sessionId))) {
    throw invalid("sessionId", "must be 1-128 letters, digits, `_` or `-`");
  }
  if (data.stream !== undefined && typeof data.stream !== "boolean") throw invalid("stream", "must be true or false");
  return {
    message: data.message,
    stream: data.stream === true || wantsStream,
    ...(data.agent === undefined ? {} : { agent: data.agent as string }),
    ...(data.team === undefined ? {} : { team: data.team as string }),
    ...(data.sessionId === undefined ? {} : { sessionId: data.sessionId as string }),
  };
}

export interface ChatContext {
  readonly runtime: Runtime;
  readonly store: SessionStore;
  readonly locks: KeyedLock;
  readonly tenant: string;
  readonly record: RequestRecord;
  readonly clientSignal: AbortSignal;
  readonly requestTimeoutMs: number;
  readonly sessionTtlMs: number | undefined;
  /** Removes secrets from what the client is told. */
  readonly redact: (text: string) => string;
}

interface Target {
  readonly runner: ChatAgent | Team;
  readonly kind: "agent" | "team";
  readonly name: string;
}

/**
 * The agent or team asked for: from the tenant's own stack first (with a tenant cache), then the
 * app's. Without a tenant cache the answer is at hand, and no promise is made for it.
 */
function pickTarget(runtime: Runtime, tenant: string, request: ChatRequest): Target | Promise<Target> {
  const synthetic = isSyntheticTurn();
  // The server's synthetic warm-up request builds no tenant stack: its clients are not stubbed.
  if (runtime.tenants === undefined || synthetic) return targetIn(runtime.agents, runtime.teams, request, synthetic);
  return runtime.tenants.get(tenant).then((stack) => targetIn({ ...runtime.agents, ...stack.agents }, { ...runtime.teams, ...stack.teams }, request, false));
}

function firstKey(record: Readonly<Record<string, unknown>>): string | undefined {
  for (const key in record) return key;
  return undefined;
}

function targetIn(agents: Readonly<Record<string, ChatAgent>>, teams: Readonly<Record<string, Team>>, request: ChatRequest, synthetic: boolean): Target {
  const firstAgent = firstKey(agents);
  const name = request.team ?? request.agent ?? firstAgent ?? firstKey(teams);
  if (name === undefined) throw new HearthError("HEARTH_AGENT_UNKNOWN", "This app has no agent or team to chat with.");
  const kind = request.team !== undefined || (request.agent === undefined && firstAgent === undefined) ? "team" : "agent";
  // Own properties only: a name like "constructor" is not an agent.
  const pool: Readonly<Record<string, ChatAgent | Team>> = kind === "team" ? teams : agents;
  const runner = Object.hasOwn(pool, name) ? pool[name] : undefined;
  if (runner === undefined) {
    const available = Object.keys(kind === "team" ? teams : agents);
    throw new HearthError(kind === "team" ? "HEARTH_TEAM_UNKNOWN" : "HEARTH_AGENT_UNKNOWN", `There is no ${kind} "${name}" (there is: ${available.join(", ") || "none"}).`);
  }
  if (synthetic && !canWarmRunner(runner, kind)) {
    throw new HearthError("HEARTH_NOT_READY", `The synthetic warm-up request skips ${kind} "${name}": a model client the app's \`models\` did not build would reach the provider.`);
  }
  return { runner, kind, name };
}

function replyOf(result: TaskResult): string {
  const last = result.messages.findLast(isChatMessage);
  return last === undefined ? "" : chatMessageText(last);
}

/** The SSE event name for each item of a run's stream. */
function eventName(item: AgentMessage): string {
  switch (item.type) {
    case "message-delta":
      return "message-delta";
    case "tool-call-request":
      return "tool-call";
    case "tool-call-execution":
      return "tool-result";
    default:
      return "message";
  }
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * One chat turn: the session is loaded (or created) for this tenant, held against other turns on
 * it in this process, run by the agent or team, and stored with a compare-and-set. A turn that
 * fails, times out or loses its client stores nothing: the session stays as it was.
 */
export async function chat(context: ChatContext, request: ChatRequest): Promise<HttpResponse> {
  const { runtime, record } = context;
  // Refusals (not ready, draining) come first: before ready, the app's agents do not exist yet.
  runtime.assertServing();
  const picked = pickTarget(runtime, context.tenant, request);
  const target = picked instanceof Promise ? await picked : picked;
  record[target.kind] = target.name;
  if (request.sessionId !== undefined) record.session = request.sessionId;

  // The timeout's error is made only if it fires: building an Error (its stack) costs on every request.
  let timer: NodeJS.Timeout | undefined;
  let timedOut: HearthError | undefined;
  let link: LinkedAbort | undefined;
  const signalFor = (runtimeSignal: AbortSignal) => {
    const linked = linkAbort([context.clientSignal, runtimeSignal]);
    link = linked;
    timer = setTimeout(() => {
      timedOut = new HearthError("HEARTH_REQUEST_TIMEOUT", `The request took longer than ${context.requestTimeoutMs} ms.`, { timeoutMs: context.requestTimeoutMs });
      linked.abort(timedOut);
    }, context.requestTimeoutMs);
    return linked.signal;
  };
  const settle = () => {
    clearTimeout(timer);
    link?.unlink();
  };
  const failure = (error: unknown, signal: AbortSignal) => (signal.aborted ? (timedOut ?? abortError(signal)) : error);

  /** One attempt: hold the session (here and, with a shared store, across instances), load, run, store. */
  const attempt = async (signal: AbortSignal, onItem?: (item: AgentMessage) => void): Promise<{ result: TaskResult; sessionId: string }> => {
    const id = request.sessionId;
    const release = id === undefined ? () => undefined : await context.locks.acquire(`${context.tenant}\u0000${id}`);
    let releaseShared: (() => Promise<void>) | undefined;
    try {
      if (id !== undefined && context.store.lock !== undefined) releaseShared = await context.store.lock(context.tenant, id, { ttlMs: context.requestTimeoutMs + 5_000, signal });
      const stored = id === undefined ? undefined : await context.store.get(context.tenant, id);
      if (id !== undefined && stored === undefined) {
        throw new HearthError("HEARTH_SESSION_NOT_FOUND", `No session "${id}" for this tenant.`, { tenantId: context.tenant });
      }
      const session = stored === undefined ? new Session() : Session.fromJSON(stored.session);
      record.session = session.id;
      let result: TaskResult | undefined;
      if (onItem === undefined) {
        result = await target.runner.run({ task: request.message, session, signal });
      } else {
        for await (const item of target.runner.runStream({ task: request.message, session, signal })) {
          if (item.type === "task-result") result = item;
          else onItem(item);
        }
      }
      if (result === undefined) throw new Error("unreachable: the run ended without a TaskResult");
      if (signal.aborted) throw abortError(signal);
      await context.store.put(context.tenant, session.snapshot(), stored?.version ?? 0, context.sessionTtlMs === undefined ? {} : { ttlMs: context.sessionTtlMs });
      return { result, sessionId: session.id };
    } finally {
      await releaseShared?.().catch(() => undefined);
      release();
    }
  };

  /**
   * A turn whose store write finds the session moved on (another instance wrote it, its lock
   * having expired) is run again on the new version, so no turn is lost or applied twice. A stream
   * that has already sent events is not re-run: the client has seen them.
   */
  const turn = async (signal: AbortSignal, onItem?: (item: AgentMessage) => void): Promise<{ result: TaskResult; sessionId: string }> => {
    let sent = false;
    const forward = onItem === undefined ? undefined : (item: AgentMessage) => ((sent = true), onItem(item));
    for (let tries = 1; ; tries++) {
      try {
        return await attempt(signal, forward);
      } catch (error) {
        if (!HearthError.is(error, "HEARTH_SESSION_CONFLICT") || tries >= 5 || sent || signal.aborted) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * tries + Math.random() * 10));
      }
    }
  };

  if (!request.stream) {
    return runtime.track(async (runtimeSignal) => {
      const signal = signalFor(runtimeSignal);
      try {
        const { result, sessionId } = await turn(signal);
        return json(200, { reply: replyOf(result), sessionId, stopReason: result.stopReason, usage: result.usage, messages: result.messages, ...(result.output === undefined ? {} : { output: result.output }) });
      } catch (error) {
        throw failure(error, signal);
      } finally {
        settle();
      }
    });
  }

  // Streaming: the turn runs under runtime.track (so a drain waits for it) and feeds the body.
  const queue = new AsyncQueue<string>();
  const running = runtime.track(async (runtimeSignal) => {
    const signal = signalFor(runtimeSignal);
    try {
      const { result, sessionId } = await turn(signal, (item) => queue.push(sse(eventName(item), item)));
      queue.push(sse("done", { reply: replyOf(result), sessionId, stopReason: result.stopReason, usage: result.usage }));
      record.status = 200;
    } catch (error) {
      const problem = problemOf(failure(error, signal), record.id);
      record.status = problem.status;
      record.code = String(problem.body.code);
      queue.push(context.redact(sse("error", problem.body)));
    } finally {
      settle();
      queue.end();
    }
  });
  running.catch(() => queue.end());
  return { status: 200, headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" }, body: streamUntil(queue, running) };
}

async function* streamUntil(queue: AsyncQueue<string>, running: Promise<void>): AsyncGenerator<string> {
  yield* queue;
  await running.catch(() => undefined);
}
