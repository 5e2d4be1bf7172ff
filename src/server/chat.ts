import type { ChatAgent } from "../core/agent.ts";
import { abortError, HearthError } from "../core/errors.ts";
import type { AgentMessage } from "../core/messages.ts";
import { startDeadline } from "../internal/deadline.ts";
import type { SessionStore } from "../core/session-store.ts";
import type { Team } from "../core/team.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { type ContextForTurn, isSessionId } from "../runtime/session-turn.ts";
import { canWarmRunner } from "../runtime/synthetic-turns.ts";
import type { RequestContext, RunContext } from "../core/run-context.ts";
import type { Logger } from "../internal/log.ts";
import type { HttpResponse } from "./http-types.ts";
import { json } from "./http-types.ts";
import { problemOf } from "./problem.ts";
import { measureInto, noteFailure, type RequestRecord } from "./request-log.ts";
import { SseBody } from "./sse-body.ts";

export interface ChatRequest {
  readonly message: string;
  readonly agent?: string;
  readonly team?: string;
  readonly sessionId?: string;
  /** Start the session under `sessionId` when it is unknown (see SessionTurnOptions.createSession). */
  readonly createSession?: boolean;
  readonly stream: boolean;
  /** The `context` field as sent (any JSON value): the app's context option reads it. */
  readonly context?: unknown;
}

const maxMessageLength = 100_000;
const chatFields = new Set(["message", "agent", "team", "sessionId", "createSession", "stream", "context"]);

function invalid(field: string, why: string): HearthError {
  return new HearthError("HEARTH_INVALID_REQUEST", `\`${field}\` ${why}.`, { field });
}

/** Checks a chat body field by field; anything wrong is a 400 naming the field, and changes nothing. */
export function parseChatRequest(body: unknown, wantsStream: boolean): ChatRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("body", "must be a JSON object");
  const data = body as Record<string, unknown>;
  const unknown = Object.keys(data).find((key) => !chatFields.has(key));
  if (unknown !== undefined)
    throw invalid(
      unknown,
      "is not a field of a chat request (message, agent, team, sessionId, createSession, stream, context)",
    );
  if (data.message === undefined) throw invalid("message", "is required");
  if (typeof data.message !== "string" || data.message.trim() === "")
    throw invalid("message", "must be a non-empty string");
  if (data.message.length > maxMessageLength)
    throw invalid("message", `must be at most ${maxMessageLength} characters`);
  for (const field of ["agent", "team"] as const) {
    if (data[field] !== undefined && (typeof data[field] !== "string" || data[field] === ""))
      throw invalid(field, "must be a non-empty string");
  }
  if (data.agent !== undefined && data.team !== undefined)
    throw invalid("team", "cannot be given together with `agent`");
  if (data.sessionId !== undefined && !isSessionId(data.sessionId))
    throw invalid("sessionId", "must be 1-128 letters, digits, `_` or `-`");
  if (data.createSession !== undefined && typeof data.createSession !== "boolean")
    throw invalid("createSession", "must be true or false");
  if (data.createSession === true && data.sessionId === undefined)
    throw invalid("createSession", "needs the `sessionId` to create");
  if (data.stream !== undefined && typeof data.stream !== "boolean") throw invalid("stream", "must be true or false");
  return {
    message: data.message,
    stream: data.stream === true || wantsStream,
    ...(data.agent === undefined ? {} : { agent: data.agent as string }),
    ...(data.team === undefined ? {} : { team: data.team as string }),
    ...(data.sessionId === undefined ? {} : { sessionId: data.sessionId as string }),
    ...(data.createSession === true ? { createSession: true } : {}),
    ...(data.context === undefined ? {} : { context: data.context }),
  };
}

export interface ChatContext {
  readonly runtime: Runtime;
  readonly store: SessionStore;
  readonly tenant: string;
  readonly record: RequestRecord;
  readonly clientSignal: AbortSignal;
  readonly requestTimeoutMs: number;
  /** Stored sessions expire after this long without a turn; undefined: the store's own TTL. */
  readonly sessionTtlMs: number | undefined;
  /** The most a stored session's JSON may weigh. */
  readonly maxSessionBytes: number;
  /** The most a streamed reply may hold for a client that does not read it. */
  readonly streamBufferBytes: number;
  /** Where an unexpected error's stack goes. */
  readonly log: Logger;
  /** The server's own synthetic warm-up request: models stubbed, tools not called. */
  readonly synthetic: boolean;
  /** The request's context, as the app's context option read it (undefined: none; a function: kept with the session). */
  readonly requestContext: RequestContext | ContextForTurn | undefined;
  /** The caller's W3C `traceparent`, when it sent a well-formed one: a tracer makes the turn's spans its children. */
  readonly traceparent: string | undefined;
}

interface Target {
  readonly runner: ChatAgent | Team;
  readonly kind: "agent" | "team";
  readonly name: string;
}

/**
 * The agent or team asked for. With tenants, a request runs on its tenant's own stack (built with
 * the tenant's credentials), plus the app-level runners the app shares with every tenant
 * (`tenants.shared`); never on an app-level runner the app did not share, whose models hold the
 * operator's key. Without a tenant cache the answer is at hand, and no promise is made for it
 * (with the single-call path of execute-tool-calls.ts: medians 6.7 µs apart; see there).
 */
function pickTarget(
  runtime: Runtime,
  tenant: string,
  request: ChatRequest,
  synthetic: boolean,
): Target | Promise<Target> {
  const tenants = runtime.tenants;
  if (tenants === undefined) return targetIn(runtime.agents, runtime.teams, request, synthetic);
  const shared = runtime.app.tenants?.shared ?? [];
  const sharedAgents = pick(runtime.agents, shared);
  const sharedTeams = pick(runtime.teams, shared);
  // The server's synthetic warm-up request builds no tenant stack: its clients are not stubbed.
  if (synthetic) return targetIn(sharedAgents, sharedTeams, request, true);
  return tenants
    .get(tenant)
    .then((stack) =>
      targetIn(
        { ...stack.agents, ...without(sharedAgents, stack.agents) },
        { ...stack.teams, ...without(sharedTeams, stack.teams ?? {}) },
        request,
        false,
      ),
    );
}

function pick<Runner>(runners: Readonly<Record<string, Runner>>, names: readonly string[]): Record<string, Runner> {
  const picked: Record<string, Runner> = {};
  for (const name of names) if (Object.hasOwn(runners, name)) picked[name] = runners[name] as Runner;
  return picked;
}

/** The shared runners a tenant's own stack does not override: its own runner of the same name wins. */
function without<Runner>(
  shared: Record<string, Runner>,
  own: Readonly<Record<string, unknown>>,
): Record<string, Runner> {
  const rest: Record<string, Runner> = {};
  for (const name in shared) if (!Object.hasOwn(own, name)) rest[name] = shared[name] as Runner;
  return rest;
}

function firstKey(record: Readonly<Record<string, unknown>>): string | undefined {
  for (const key in record) return key;
  return undefined;
}

function targetIn(
  agents: Readonly<Record<string, ChatAgent>>,
  teams: Readonly<Record<string, Team>>,
  request: ChatRequest,
  synthetic: boolean,
): Target {
  const firstAgent = firstKey(agents);
  const name = request.team ?? request.agent ?? firstAgent ?? firstKey(teams);
  if (name === undefined) throw new HearthError("HEARTH_AGENT_UNKNOWN", "This app has no agent or team to chat with.");
  const kind =
    request.team !== undefined || (request.agent === undefined && firstAgent === undefined) ? "team" : "agent";
  // Own properties only: a name like "constructor" is not an agent.
  const pool: Readonly<Record<string, ChatAgent | Team>> = kind === "team" ? teams : agents;
  const runner = Object.hasOwn(pool, name) ? pool[name] : undefined;
  if (runner === undefined) {
    const available = Object.keys(kind === "team" ? teams : agents);
    throw new HearthError(
      kind === "team" ? "HEARTH_TEAM_UNKNOWN" : "HEARTH_AGENT_UNKNOWN",
      `There is no ${kind} "${name}" (there is: ${available.join(", ") || "none"}).`,
    );
  }
  if (synthetic && !canWarmRunner(runner, kind)) {
    throw new HearthError(
      "HEARTH_NOT_READY",
      `The synthetic warm-up request skips ${kind} "${name}": a model client the app's \`models\` did not build would reach the provider.`,
    );
  }
  return { runner, kind, name };
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
 * One chat turn over HTTP: the refusals first (not ready, draining, no such agent), then the
 * session turn the runtime runs (`runtime.runTurn`: load, lock, run, compare-and-set, retry) under
 * the request's deadline, answered as JSON or as server-sent events. A turn that fails, times out or
 * loses its client stores nothing: the session stays as it was.
 */
export async function chat(context: ChatContext, request: ChatRequest): Promise<HttpResponse> {
  const { runtime, record } = context;
  // What the run carries to every turn, model call and tool.
  const run: RunContext = {
    synthetic: context.synthetic,
    tenant: context.tenant,
    requestId: record.id,
    ...(context.traceparent === undefined ? {} : { traceparent: context.traceparent }),
    traced: (operation) => {
      record.operation = operation;
    },
    measure: measureInto(record),
    connected: () => {
      record.newConnections = (record.newConnections ?? 0) + 1;
    },
  };
  // Refusals (not ready, draining) come first: before ready, the app's agents do not exist yet.
  runtime.assertServing(run);
  const picked = pickTarget(runtime, context.tenant, request, context.synthetic);
  const target = picked instanceof Promise ? await picked : picked;
  record[target.kind] = target.name;
  if (request.sessionId !== undefined) record.session = request.sessionId;

  // The request's deadline follows the client's signal; its error is made only if it passes.
  const deadline = startDeadline(
    [context.clientSignal],
    context.requestTimeoutMs,
    () =>
      new HearthError("HEARTH_REQUEST_TIMEOUT", `The request took longer than ${context.requestTimeoutMs} ms.`, {
        timeoutMs: context.requestTimeoutMs,
      }),
  );
  // Aborted: by the timeout, by a client gone or too slow to read (each says so in the signal's reason), or plainly.
  const failure = (error: unknown) =>
    deadline.signal.aborted
      ? HearthError.is(deadline.signal.reason)
        ? deadline.signal.reason
        : abortError(deadline.signal)
      : error;
  const turn = (onItem?: (item: AgentMessage) => void) =>
    runtime.runTurn({
      runner: target.runner,
      store: context.store,
      tenant: context.tenant,
      task: request.message,
      signal: deadline.signal,
      run,
      ...(context.requestContext === undefined ? {} : { context: context.requestContext }),
      lockTtlMs: context.requestTimeoutMs + 5_000,
      maxBytes: context.maxSessionBytes,
      onSession: (id) => (record.session = id),
      ...(request.sessionId === undefined ? {} : { sessionId: request.sessionId }),
      ...(request.createSession === true ? { createSession: true } : {}),
      ...(context.sessionTtlMs === undefined ? {} : { ttlMs: context.sessionTtlMs }),
      ...(onItem === undefined ? {} : { onItem }),
    });

  if (!request.stream) {
    try {
      const { result, sessionId, reply } = await turn();
      return json(200, {
        reply,
        sessionId,
        stopReason: result.stopReason,
        usage: result.usage,
        messages: result.messages,
        ...(result.output === undefined ? {} : { output: result.output }),
      });
    } catch (error) {
      throw failure(error);
    } finally {
      deadline.end();
    }
  }

  // Streaming: the turn feeds the body as it goes. A client that reads too slowly overflows the
  // body, which aborts the turn.
  const abandon = new AbortController();
  const body = new SseBody(context.streamBufferBytes, (error) => {
    deadline.abort(error);
    abandon.abort(error);
  });
  const running = turn((item) => body.push(sse(eventName(item), item)))
    .then(
      ({ result, sessionId, reply }) => {
        body.push(sse("done", { reply, sessionId, stopReason: result.stopReason, usage: result.usage }));
        record.status = 200;
      },
      (error: unknown) => {
        const failed = failure(error);
        const problem = problemOf(failed, record.id);
        noteFailure(record, failed, problem.status, context.log);
        body.push(sse("error", problem.body));
      },
    )
    .finally(() => {
      deadline.end();
      body.end();
    });
  return {
    status: 200,
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    },
    body: streamUntil(body, running),
    abandon: abandon.signal,
  };
}

/** The body, then the turn's end: however the reader stops (done, gone, too slow), the turn has settled and recorded how it ended before the request is logged. */
async function* streamUntil(body: SseBody, running: Promise<void>): AsyncGenerator<string> {
  try {
    yield* body;
  } finally {
    await running.catch(() => undefined);
  }
}
