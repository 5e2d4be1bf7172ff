import type { ChatAgent } from "../core/agent.ts";
import { abortError, HearthError } from "../core/errors.ts";
import { defaultImageLimits, type ImageLimits, type Task } from "../core/images.ts";
import type { AgentMessage, TaskResult } from "../core/messages.ts";
import { startDeadline } from "../internal/deadline.ts";
import type { SessionStore } from "../core/session-store.ts";
import type { Team } from "../core/team.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { type ContextForTurn, isSessionId } from "../runtime/session-turn.ts";
import { canWarmRunner } from "../runtime/synthetic-turns.ts";
import type { HistoryMessage } from "../runtime/session-history.ts";
import type { RequestContext, RunContext } from "../core/run-context.ts";
import type { Logger } from "../internal/log.ts";
import { checkApprovalList, type ToolApproval } from "../core/tool-approval.ts";
import type { HttpResponse } from "./http-types.ts";
import { json } from "./http-types.ts";
import { problemOf } from "./problem.ts";
import { measureInto, noteFailure, type RequestRecord } from "./request-log.ts";
import { contentFromParts } from "./image-parts.ts";
import { SseBody } from "./sse-body.ts";

export interface ChatRequest {
  /**
   * The new user message: the turn's task, as text, or as text and images (from content parts: see
   * image-parts.ts). Absent when the request answers `approvals`.
   */
  readonly message?: Task;
  /** Answers to the tool calls the session waits for (hearth's own route); the waiting turn goes on. */
  readonly approvals?: readonly ToolApproval[];
  readonly agent?: string;
  readonly team?: string;
  /** An agent's or a team's name, as other APIs name it (`model`): an agent first, `team:<name>` for a team only. */
  readonly runner?: string;
  readonly sessionId?: string;
  /** Start the session under `sessionId` when it is unknown (see SessionTurnOptions.createSession). */
  readonly createSession?: boolean;
  readonly stream: boolean;
  /** The `context` field as sent (any JSON value): the app's context option reads it. */
  readonly context?: unknown;
  /** The conversation before `message`, for a new session (a client that keeps its own history). */
  readonly history?: readonly HistoryMessage[];
}

/** How a chat turn ended, as a reply format renders it. */
export interface ChatOutcome {
  readonly result: TaskResult;
  readonly sessionId: string;
  /** The text of the turn's last chat message. */
  readonly reply: string;
}

/**
 * How a chat turn is answered: hearth's own JSON and events (`hearthReplies`), or another API's
 * (OpenAI's chat completions, the AI SDK's UI message stream). A format lives for one request.
 */
export interface ReplyFormat {
  /** The reply in one piece. */
  whole(outcome: ChatOutcome): HttpResponse;
  /** Headers of a streamed reply beside the event-stream ones. */
  readonly streamHeaders?: Readonly<Record<string, string>>;
  /** What a streamed reply begins with, before the run's first item ("" for nothing); told the runner that answers. */
  start(runner: { readonly kind: "agent" | "team"; readonly name: string }): string;
  /** The events for one item of the run ("" for none). */
  item(item: AgentMessage): string;
  /** The last events of a turn that ended. */
  done(outcome: ChatOutcome): string;
  /** The last events of a turn that failed, from its problem document. */
  failed(problem: { readonly status: number; readonly body: Record<string, unknown> }, error: unknown): string;
}

/** The longest message a turn takes as its task, on every chat route. */
const maxMessageLength = 100_000;
const chatFields = new Set([
  "message",
  "approvals",
  "agent",
  "team",
  "sessionId",
  "createSession",
  "stream",
  "context",
]);

/** A 400 naming the request's field. */
export function invalid(field: string, why: string): HearthError {
  return new HearthError("HEARTH_INVALID_REQUEST", `\`${field}\` ${why}.`, { field });
}

/** The `agent` or `team` a body names, checked: each a non-empty string, not both. */
export function runnerOf(data: Readonly<Record<string, unknown>>): Pick<ChatRequest, "agent" | "team"> {
  for (const field of ["agent", "team"] as const) {
    if (data[field] !== undefined && (typeof data[field] !== "string" || data[field] === ""))
      throw invalid(field, "must be a non-empty string");
  }
  if (data.agent !== undefined && data.team !== undefined)
    throw invalid("team", "cannot be given together with `agent`");
  return {
    ...(data.agent === undefined ? {} : { agent: data.agent as string }),
    ...(data.team === undefined ? {} : { team: data.team as string }),
  };
}

/**
 * A conversation a client sent (OpenAI's `messages`, the AI SDK's): its last message, the user's,
 * is the turn's task; the ones before it with text are its history (an empty message tells the
 * model nothing, and some providers refuse one).
 */
export function taskOf(conversation: readonly HistoryMessage[]): { message: string; history: HistoryMessage[] } {
  const last = conversation.at(-1);
  if (last === undefined || last.role !== "user")
    throw invalid("messages", "must end with the user's message: it is the turn's task");
  if (last.content.trim() === "") throw invalid("messages", "must end with a user message that is not empty");
  if (last.content.length > maxMessageLength)
    throw invalid("messages", `must end with a user message of at most ${maxMessageLength} characters`);
  return {
    message: last.content,
    history: conversation.slice(0, -1).filter((message) => message.content.trim() !== ""),
  };
}

/**
 * Checks a chat body field by field; anything wrong is a 400 naming the field, and changes nothing.
 * `message` is a string, or content parts with images checked against `images`.
 */
export function parseChatRequest(
  body: unknown,
  wantsStream: boolean,
  images: ImageLimits = defaultImageLimits,
): ChatRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("body", "must be a JSON object");
  const data = body as Record<string, unknown>;
  const unknown = Object.keys(data).find((key) => !chatFields.has(key));
  if (unknown !== undefined)
    throw invalid(
      unknown,
      "is not a field of a chat request (message, approvals, agent, team, sessionId, createSession, stream, context)",
    );
  const approvals = data.approvals === undefined ? undefined : checkApprovalList(data.approvals);
  let message = data.message as Task;
  if (approvals !== undefined) {
    if (data.message !== undefined)
      throw invalid("message", "cannot be given together with `approvals`: the turn that waits for them goes on first");
    if (data.sessionId === undefined) throw invalid("approvals", "needs the `sessionId` of the session that waits");
  } else {
    if (data.message === undefined)
      throw invalid("message", "is required (or `approvals`, to answer waiting tool calls)");
    if (Array.isArray(data.message)) message = contentFromParts(data.message, "message", images, maxMessageLength);
    else if (typeof data.message !== "string" || data.message.trim() === "")
      throw invalid("message", "must be a non-empty string, or an array of content parts");
    else if (data.message.length > maxMessageLength)
      throw invalid("message", `must be at most ${maxMessageLength} characters`);
  }
  const runner = runnerOf(data);
  if (data.sessionId !== undefined && !isSessionId(data.sessionId))
    throw invalid("sessionId", "must be 1-128 letters, digits, `_` or `-`");
  if (data.createSession !== undefined && typeof data.createSession !== "boolean")
    throw invalid("createSession", "must be true or false");
  if (data.createSession === true && data.sessionId === undefined)
    throw invalid("createSession", "needs the `sessionId` to create");
  if (data.stream !== undefined && typeof data.stream !== "boolean") throw invalid("stream", "must be true or false");
  return {
    ...(approvals === undefined ? { message } : { approvals }),
    stream: data.stream === true || wantsStream,
    ...runner,
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

/** The agents and teams a request may run on. */
export interface Runners {
  readonly agents: Readonly<Record<string, ChatAgent>>;
  readonly teams: Readonly<Record<string, Team>>;
}

/**
 * The runners a tenant's requests reach. With tenants, a request runs on its tenant's own stack
 * (built with the tenant's credentials), plus the app-level runners the app shares with every
 * tenant (`tenants.shared`); never on an app-level runner the app did not share, whose models hold
 * the operator's key. Without a tenant cache the answer is at hand, and no promise is made for it
 * (with the single-call path of execute-tool-calls.ts: medians 6.7 µs apart; see there).
 */
export function runnersFor(runtime: Runtime, tenant: string, synthetic: boolean): Runners | Promise<Runners> {
  const tenants = runtime.tenants;
  if (tenants === undefined) return { agents: runtime.agents, teams: runtime.teams };
  const shared = runtime.app.tenants?.shared ?? [];
  const sharedAgents = pick(runtime.agents, shared);
  const sharedTeams = pick(runtime.teams, shared);
  // The server's synthetic warm-up request builds no tenant stack: its clients are not stubbed.
  if (synthetic) return { agents: sharedAgents, teams: sharedTeams };
  return tenants.get(tenant).then((stack) => ({
    agents: { ...stack.agents, ...without(sharedAgents, stack.agents) },
    teams: { ...stack.teams, ...without(sharedTeams, stack.teams ?? {}) },
  }));
}

/** The agent or team asked for, among the tenant's runners. */
function pickTarget(
  runtime: Runtime,
  tenant: string,
  request: ChatRequest,
  synthetic: boolean,
): Target | Promise<Target> {
  const runners = runnersFor(runtime, tenant, synthetic);
  return runners instanceof Promise
    ? runners.then((found) => targetIn(found, request, synthetic))
    : targetIn(runners, request, synthetic);
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

/** The runner a request names by `runner`: an agent of that name, else a team; `team:<name>` for a team only. */
function namedTarget({ agents, teams }: Runners, name: string): Target {
  const team = name.startsWith("team:") ? name.slice(5) : undefined;
  // Own properties only: a name like "constructor" is not an agent.
  if (team === undefined && Object.hasOwn(agents, name))
    return { runner: agents[name] as ChatAgent, kind: "agent", name };
  const teamName = team ?? name;
  if (Object.hasOwn(teams, teamName)) return { runner: teams[teamName] as Team, kind: "team", name: teamName };
  throw new HearthError(
    team === undefined ? "HEARTH_AGENT_UNKNOWN" : "HEARTH_TEAM_UNKNOWN",
    `There is no ${team === undefined ? "agent or team" : "team"} "${teamName}" (there is: ${[...Object.keys(agents), ...Object.keys(teams)].join(", ") || "none"}).`,
    { field: "model" },
  );
}

function targetIn(runners: Runners, request: ChatRequest, synthetic: boolean): Target {
  const target =
    request.runner === undefined ? defaultOrKindTarget(runners, request) : namedTarget(runners, request.runner);
  if (synthetic && !canWarmRunner(target.runner, target.kind)) {
    throw new HearthError(
      "HEARTH_NOT_READY",
      `The synthetic warm-up request skips ${target.kind} "${target.name}": a model client the app's \`models\` did not build would reach the provider.`,
    );
  }
  return target;
}

/** The runner a request names by `agent` or `team`, or the app's first agent (else its first team). */
function defaultOrKindTarget({ agents, teams }: Runners, request: ChatRequest): Target {
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
    case "tool-approval-request":
      return "tool-approval-request";
    default:
      return "message";
  }
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\n${sseData(data)}`;
}

/** One server-sent event of data alone (no event name), as OpenAI's and the AI SDK's streams send them. */
export function sseData(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/** hearth's own reply: JSON, or server-sent events named for what each item is. */
export const hearthReplies: ReplyFormat = {
  whole: ({ result, sessionId, reply }) =>
    json(200, {
      reply,
      sessionId,
      stopReason: result.stopReason,
      usage: result.usage,
      messages: result.messages,
      ...(result.output === undefined ? {} : { output: result.output }),
    }),
  start: () => "",
  item: (item) => sse(eventName(item), item),
  done: ({ result, sessionId, reply }) =>
    sse("done", { reply, sessionId, stopReason: result.stopReason, usage: result.usage }),
  failed: (problem) => sse("error", problem.body),
};

/**
 * One chat turn over HTTP: the refusals first (not ready, draining, no such agent), then the
 * session turn the runtime runs (`runtime.runTurn`: load, lock, run, compare-and-set, retry) under
 * the request's deadline, answered as JSON or as server-sent events. A turn that fails, times out or
 * loses its client stores nothing: the session stays as it was.
 */
export async function chat(
  context: ChatContext,
  request: ChatRequest,
  format: ReplyFormat = hearthReplies,
): Promise<HttpResponse> {
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
      ...(request.message === undefined ? {} : { task: request.message }),
      ...(request.approvals === undefined ? {} : { approvals: request.approvals }),
      signal: deadline.signal,
      run,
      ...(context.requestContext === undefined ? {} : { context: context.requestContext }),
      lockTtlMs: context.requestTimeoutMs + 5_000,
      maxBytes: context.maxSessionBytes,
      onSession: (id) => (record.session = id),
      ...(request.sessionId === undefined ? {} : { sessionId: request.sessionId }),
      ...(request.createSession === true ? { createSession: true } : {}),
      ...(request.history === undefined ? {} : { history: request.history }),
      ...(context.sessionTtlMs === undefined ? {} : { ttlMs: context.sessionTtlMs }),
      ...(onItem === undefined ? {} : { onItem }),
    });

  if (!request.stream) {
    try {
      return format.whole(await turn());
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
  const push = (text: string) => {
    if (text !== "") body.push(text);
  };
  push(format.start({ kind: target.kind, name: target.runner.name }));
  const running = turn((item) => push(format.item(item)))
    .then(
      (outcome) => {
        push(format.done(outcome));
        record.status = 200;
      },
      (error: unknown) => {
        const failed = failure(error);
        const problem = problemOf(failed, record.id);
        noteFailure(record, failed, problem.status, context.log);
        push(format.failed(problem, failed));
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
      ...format.streamHeaders,
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
