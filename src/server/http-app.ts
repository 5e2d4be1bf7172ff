import { defaultImageLimits, type ImageLimits } from "../core/images.ts";
import { checkCors, type CorsOptions, corsHeaders, preflight } from "./cors.ts";
import { HearthError, UserError } from "../core/errors.ts";
import { newId } from "../core/messages.ts";
import type { SessionStore } from "../core/session-store.ts";
import { type Logger, safeLogger } from "../internal/log.ts";
import type { AnyApp } from "../runtime/app.ts";
import { createRuntime, Runtime, type AnyRuntime, type RuntimeOptions } from "../runtime/runtime.ts";
import { SqliteSessionStore } from "../state/sqlite-session-store.ts";
import { MemorySessionStore } from "../state/memory-session-store.ts";
import { withNetworkRefused } from "../internal/synthetic-tripwire.ts";
import { HearthMetrics } from "../telemetry/metrics.ts";
import { defaultTenant, keyIndexOf, matchesDigest, secretDigest, tenantOf } from "./auth.ts";
import { chat, type ChatRequest, parseChatRequest, type ReplyFormat, runnersFor } from "./chat.ts";
import { json, type HttpRequest, type HttpResponse } from "./http-types.ts";
import { openApiDocument } from "./openapi.ts";
import { problemOf, problemResponse } from "./problem.ts";
import { type RequestContextReader, requestContextReader } from "../runtime/request-context.ts";
import { readJsonBody } from "./json-body.ts";
import {
  basePathOf,
  modelPath,
  openAIRoutes,
  OwnRoutes,
  playgroundPath,
  type RouteHandler,
  routeOf,
  sessionPath,
} from "./routes.ts";
import type { Playground } from "./playground/playground.ts";
import { TenantLimiter, type TenantLimitsOptions } from "./tenant-limits.ts";
import { Admission, type AdmissionOptions } from "./admission.ts";
import { CompletionReplies, completionSessionId, parseCompletionRequest } from "./openai/chat-completions.ts";
import { openAIErrorResponse } from "./openai/errors.ts";
import { isUIChatRequest, parseUIChatRequest } from "./ai-sdk/ui-message-stream.ts";
import { listModels, retrieveModel } from "./openai/models.ts";
import { addServerSecrets, logRequest, noteFailure, type RequestRecord } from "./request-log.ts";

export interface HttpAppOptions {
  /** Where sessions live. Default: SQLite in `./.hearth/sessions.db` (see openSessionStore). */
  readonly store?: SessionStore;
  /** Default 1 MiB. */
  readonly bodyLimitBytes?: number;
  /** A request body must arrive in whole within this (408 `HEARTH_BODY_TIMEOUT`). Default 10 s. */
  readonly bodyTimeoutMs?: number;
  /** A chat turn that takes longer is aborted (504). Default 120 s. */
  readonly requestTimeoutMs?: number;
  /**
   * Stored sessions expire after this long without a turn, whatever the store's own TTL. Default:
   * the store's (30 days for a store hearth opens: see openSessionStore).
   */
  readonly sessionTtlMs?: number;
  /** The most a stored session's JSON may weigh (413 `HEARTH_SESSION_TOO_LARGE`). Default 1 MiB. */
  readonly maxSessionBytes?: number;
  /**
   * A streamed reply is cut off when more than this waits for its client to read it
   * (`HEARTH_SLOW_CLIENT`). A reply's text goes out up to three times (its deltas, its final
   * message, `done`) and the last two at once: keep it over twice the largest reply. Default 4 MiB.
   */
  readonly streamBufferBytes?: number;
  /** A streamed reply is cut off when one write waits longer than this for its client. Default 30 s. */
  readonly streamWriteTimeoutMs?: number;
  /** Distinct tool names `/metrics` keeps apart; more, and unknown ones, are counted together. Default 200. */
  readonly maxToolLabels?: number;
  /**
   * Tenants `/metrics` names in its token and cost counters; more are counted together. Default 0:
   * `/metrics` is open to scrapers, and a tenant's name is the operator's to reveal. Set it when
   * `/metrics` is reachable only from inside.
   */
  readonly maxTenantLabels?: number;
  /** Log lines (one per request, and the runtime's). Default: the runtime's logger. */
  readonly log?: Logger;
  /** Values that must never appear in what the server lets out; the app's API keys and the provider keys in the environment are always added. */
  readonly secrets?: readonly string[];
  /**
   * Serve hearth's routes under this path (`/agents`: `POST /agents/v1/chat`), for a host that
   * passes requests on with their full path (Fastify, a fetch handler behind a router). Anything
   * outside it is a 404. Default: the routes at the root.
   */
  readonly basePath?: string;
  /** Browsers allowed to call hearth's routes from other origins (see cors.ts). Default off: no CORS headers. */
  readonly cors?: CorsOptions;
  /**
   * Routes of the app's own, served beside hearth's (`{ "POST /chat": (request, { runtime, store,
   * tenant, readJson }) => response }`): logged, counted and answered with problem documents like
   * hearth's. See docs/server.md.
   */
  readonly routes?: Readonly<Record<string, RouteHandler>>;
  /**
   * Serve `/metrics` to anyone even when the app has keys, for a scraper that cannot send one.
   * Default false: an app with keys (or tenants) answers `/metrics` only to a caller with one, as
   * `/v1/chat`; without keys, `/metrics` is open. `/healthz` and `/readyz` are open either way, for probes.
   */
  readonly publicMetrics?: boolean;
  /**
   * Limits on each tenant's chat turns (both chat routes): requests per minute, turns in flight,
   * tokens per day; a turn past one is a 429 naming it (docs/server.md). Default: none.
   */
  readonly tenantLimits?: TenantLimitsOptions;
  /**
   * Admission control for this process's chat turns: at most `maxTurnsInFlight` at once, the next
   * ones queued (at most `maxQueued`, each at most `queueTimeoutMs`), past that a 503 with
   * `Retry-After` (docs/server.md). Default: no limit.
   */
  readonly admission?: AdmissionOptions;
  /**
   * Serve the playground at `/playground`: a page to chat with the app's agents and teams and watch
   * their tool calls, sessions, startup and request timings (docs/server.md). Default off; its code
   * is loaded only when on.
   */
  readonly playground?: boolean;
  /**
   * Images in a chat message (content parts on `/v1/chat` and `/v1/chat/completions`): at most
   * `maxImages` a message (default 8), `maxImageBytes` each when inline, decoded (default 5 MiB:
   * raise `bodyLimitBytes` and `maxSessionBytes` too), `maxImageUrlLength` characters a URL (default
   * 2048). See docs/server.md.
   */
  readonly images?: Partial<ImageLimits>;
}

/** The options with their defaults, each checked: a wrong one is a UserError before anything starts. */
function limitsOf(options: HttpAppOptions) {
  const limits = {
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 10_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 120_000,
    maxSessionBytes: options.maxSessionBytes ?? 1024 * 1024,
    streamBufferBytes: options.streamBufferBytes ?? 4 * 1024 * 1024,
    streamWriteTimeoutMs: options.streamWriteTimeoutMs ?? 30_000,
    maxToolLabels: options.maxToolLabels ?? 200,
  };
  if (options.publicMetrics !== undefined && typeof options.publicMetrics !== "boolean")
    throw new UserError("The server option `publicMetrics` must be true or false.", { field: "publicMetrics" });
  if (options.playground !== undefined && typeof options.playground !== "boolean")
    throw new UserError("The server option `playground` must be true or false.", { field: "playground" });
  const maxTenantLabels = options.maxTenantLabels ?? 0;
  if (!Number.isInteger(maxTenantLabels) || maxTenantLabels < 0)
    throw new UserError("The server option `maxTenantLabels` must be a whole number, 0 or more.", {
      field: "maxTenantLabels",
    });
  const sessionTtlMs = options.sessionTtlMs;
  for (const [name, value] of Object.entries({ ...limits, ...(sessionTtlMs === undefined ? {} : { sessionTtlMs }) })) {
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
      throw new UserError(`The server option \`${name}\` must be a positive number.`, { field: name });
  }
  const images = { ...defaultImageLimits, ...options.images };
  for (const name of ["maxImages", "maxImageBytes", "maxImageUrlLength"] as const) {
    if (!Number.isInteger(images[name]) || images[name] < 1)
      throw new UserError(`The server option \`images.${name}\` must be a whole number, 1 or more.`, {
        field: `images.${name}`,
      });
  }
  return { ...limits, sessionTtlMs, maxTenantLabels, images: Object.freeze(images) };
}

/**
 * hearth's HTTP API as one function from request to response, shared by every adapter (Node,
 * fetch, Lambda): routes, authentication, input checks, errors as problem documents, one log line
 * per request, and metrics.
 */
export class HttpApp {
  readonly runtime: Runtime;
  readonly store: SessionStore;
  readonly limits: ReturnType<typeof limitsOf>;
  readonly #cors: CorsOptions | undefined;
  readonly #log: Logger;
  #metrics: HearthMetrics | undefined;
  /** Set while the synthetic warm-up requests run. */
  #warmupSinks: { readonly log: Logger; readonly metrics: HearthMetrics } | undefined;
  readonly #scratchStore = new MemorySessionStore();
  readonly #readContext: RequestContextReader;
  readonly #basePath: string;
  readonly #own: OwnRoutes;
  /** Marks this process's own synthetic warm-up requests: random and unguessable, so no client can send one. */
  readonly #warmupToken = process.getBuiltinModule("node:crypto").randomUUID();
  /** What a request's token is compared with, in constant time: a token guessed in part is not told so by the time it takes. */
  readonly #warmupDigest = secretDigest(this.#warmupToken);
  readonly #limiter: TenantLimiter | undefined;
  readonly #admission: Admission | undefined;
  readonly #publicMetrics: boolean;
  /** The playground, once its module has loaded (only when the option is on). */
  #playground: Playground | undefined;
  readonly #playgroundLoading: Promise<Playground> | undefined;
  /** When this server began, in seconds: the `created` of the models it lists. */
  readonly #createdAt = Math.floor(Date.now() / 1000);

  constructor(runtime: Runtime, options: HttpAppOptions = {}) {
    this.limits = limitsOf(options);
    checkCors(options.cors);
    this.#cors = options.cors;
    this.runtime = runtime;
    this.store = options.store ?? new SqliteSessionStore();
    addServerSecrets(runtime.app.auth, options.secrets);
    if (runtime.app.auth?.apiKeys !== undefined) keyIndexOf(runtime.app.auth.apiKeys);
    this.#log = safeLogger(options.log);
    this.#readContext = requestContextReader(runtime.app.context);
    this.#basePath = basePathOf(options.basePath);
    this.#own = new OwnRoutes(options.routes);
    this.#limiter = options.tenantLimits === undefined ? undefined : new TenantLimiter(options.tenantLimits);
    this.#admission = options.admission === undefined ? undefined : new Admission(options.admission);
    this.#publicMetrics = options.publicMetrics === true;
    const basePath = this.#basePath;
    this.#playgroundLoading =
      options.playground === true
        ? import("./playground/playground.ts").then(
            ({ Playground }) => (this.#playground = new Playground(runtime, basePath)),
          )
        : undefined;
    // Metrics subscribe once the runtime is ready, not during warm-up (whose requests, tenant builds
    // and model calls are not traffic), and before any request can reach a ready server.
    void runtime.ready.then(
      () => (this.#metrics ??= this.#newMetrics()),
      () => undefined,
    );
  }

  /** The request with the base path taken off; a path outside it becomes one no route has (a 404). */
  #withinBase(request: HttpRequest): HttpRequest {
    const { path } = request;
    const base = this.#basePath;
    const inner = path === base ? "/" : path.startsWith(`${base}/`) ? path.slice(base.length) : "";
    return { ...request, path: inner };
  }

  #newMetrics(): HearthMetrics {
    return new HearthMetrics({
      maxToolLabels: this.limits.maxToolLabels,
      maxTenantLabels: this.limits.maxTenantLabels,
      ...(this.runtime.app.prices === undefined ? {} : { prices: this.runtime.app.prices }),
    });
  }

  get log(): Logger {
    return this.#log;
  }

  /** With `admission`: the chat turns running now, and waiting for a place. */
  get admissionLoad(): { readonly running: number; readonly queued: number } | undefined {
    return this.#admission?.load;
  }

  handle(request: HttpRequest): Promise<HttpResponse> {
    if (this.#basePath !== "") request = this.#withinBase(request);
    const warmup = this.#warmupSinks;
    if (warmup !== undefined && matchesDigest(request.headers["x-hearth-warmup"], this.#warmupDigest)) {
      // A synthetic warm-up request runs the whole path, logging and metrics included, as a
      // synthetic run (stubbed models, tools not called), with a scratch store, a log that goes
      // nowhere and metrics that are thrown away; any network call it makes is refused.
      return withNetworkRefused(() => this.#serve(request, warmup.log, warmup.metrics, true));
    }
    if (this.#cors === undefined) return this.#serve(request, this.#log, this.#metrics, false);
    const answer = preflight(this.#cors, request);
    if (answer !== undefined) return Promise.resolve(answer);
    const allowed = corsHeaders(this.#cors, request);
    const served = this.#serve(request, this.#log, this.#metrics, false);
    return allowed === undefined
      ? served
      : served.then((response) => ({ ...response, headers: { ...response.headers, ...allowed } }));
  }

  async #serve(
    request: HttpRequest,
    log: Logger,
    metrics: HearthMetrics | undefined,
    synthetic: boolean,
  ): Promise<HttpResponse> {
    const started = performance.now();
    const route = this.#own.has(request.path) ? request.path : routeOf(request.path);
    const record: RequestRecord = {
      id: newId("req"),
      method: request.method,
      route,
      modelMs: 0,
      toolMs: 0,
      modelCalls: 0,
      toolCalls: 0,
    };
    const response = await this.#route(request, route, record, log, synthetic).catch((error: unknown) =>
      this.#failed(error, record, log, route),
    );
    record.status ??= response.status;
    const finish = () => {
      const totalMs = performance.now() - started;
      metrics?.requests.observe({ route, status: String(record.status) }, totalMs / 1000);
      logRequest(log, record, totalMs);
      if (!synthetic) this.#playground?.record(record, totalMs);
    };
    if (typeof response.body === "string") {
      finish();
      return { ...response, headers: { ...response.headers, "x-request-id": record.id } };
    }
    // A stream cut short after its turn ended (the client left, or read too slowly) is logged as such, not as the 200 it began as.
    const finishStream = (sent: boolean) => {
      if (!sent && record.code === undefined && request.signal.aborted) {
        const reason = HearthError.is(request.signal.reason)
          ? request.signal.reason
          : new HearthError("HEARTH_ABORTED", "The client closed the connection.");
        noteFailure(record, reason, problemOf(reason).status, log);
      }
      finish();
    };
    return {
      ...response,
      headers: { ...response.headers, "x-request-id": record.id },
      body: logWhenDone(response.body, finishStream),
    };
  }

  #failed(error: unknown, record: RequestRecord, log: Logger, route: string): HttpResponse {
    // OpenAI's clients read its error shape; every other route answers a problem document.
    const response = openAIRoutes.has(route)
      ? openAIErrorResponse(error, record.id)
      : problemResponse(error, record.id);
    noteFailure(record, error, response.status, log);
    // A body that did not arrive in whole (too large, too slow), or one refused before it was read
    // (the tenant's limits, the server's load): the connection is not reused. Node closes it, and a
    // client that was not told so sends its next request into the close (measured by npm run chaos:
    // 9 of 800 requests reset under overload, 0 with the header).
    if (
      HearthError.is(error, "HEARTH_BODY_TIMEOUT") ||
      HearthError.is(error, "HEARTH_BODY_TOO_LARGE") ||
      HearthError.is(error, "HEARTH_OVERLOADED") ||
      HearthError.is(error, "HEARTH_TENANT_LIMITED")
    )
      return { ...response, headers: { ...response.headers, connection: "close" } };
    return response;
  }

  async #route(
    request: HttpRequest,
    route: string,
    record: RequestRecord,
    log: Logger,
    synthetic: boolean,
  ): Promise<HttpResponse> {
    const { method, path } = request;
    if (this.#own.has(path))
      return this.#own.handler(method, path)(request, {
        runtime: this.runtime,
        store: this.store,
        requestId: record.id,
        tenant: async () => (record.tenant = await tenantOf(this.runtime, request.headers.authorization)),
        readJson: () => readJsonBody(request, this.limits),
      });
    const allow = (methods: string[]) => {
      if (!methods.includes(method))
        throw new HearthError("HEARTH_METHOD_NOT_ALLOWED", `${route} takes ${methods.join(", ")}, not ${method}.`);
    };
    switch (route) {
      case "/healthz":
        allow(["GET", "HEAD"]);
        return json(200, { status: "ok" });
      case "/readyz": {
        allow(["GET", "HEAD"]);
        const health = await this.runtime.health();
        // The state and the checks' names for anyone (a load balancer); what failed, only to a caller the app authenticates.
        const detailed = await this.#authenticated(request);
        return json(
          health.ready ? 200 : 503,
          detailed
            ? health
            : {
                ...health,
                checks: Object.fromEntries(
                  Object.entries(health.checks).map(([name, check]) => [name, { ok: check.ok }]),
                ),
              },
        );
      }
      case "/openapi.json":
        allow(["GET"]);
        return json(200, openApiDocument(this.runtime.app.name));
      case "/metrics":
        allow(["GET"]);
        // Cross-tenant figures: with keys, only for a caller that has one (or the server says otherwise).
        if (!this.#publicMetrics && (this.runtime.app.auth !== undefined || this.runtime.app.tenants !== undefined))
          record.tenant = await tenantOf(this.runtime, request.headers.authorization);
        this.#metrics ??= this.#newMetrics();
        return {
          status: 200,
          headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
          body: this.#metrics.render(this.runtime.startupTrace(), this.runtime.providerConnections()),
        };
      case "/v1/startup":
        allow(["GET"]);
        record.tenant = await tenantOf(this.runtime, request.headers.authorization);
        return json(200, this.runtime.startupTrace());
      case "/v1/chat":
        allow(["POST"]);
        // The AI SDK's `useChat` posts its own body (`messages`, not `message`): answered as its UI message stream.
        return this.#chat(request, record, log, synthetic, (body, wantsStream) =>
          isUIChatRequest(body)
            ? parseUIChatRequest(body, this.limits.images)
            : { chat: parseChatRequest(body, wantsStream, this.limits.images) },
        );
      case "/v1/chat/completions": {
        allow(["POST"]);
        const sessionId = completionSessionId(request.headers["x-session-id"]);
        const response = await this.#chat(request, record, log, synthetic, (body, wantsStream) => {
          const parsed = parseCompletionRequest(body, sessionId, wantsStream, this.limits.images);
          return { chat: parsed.chat, format: new CompletionReplies(parsed) };
        });
        return { ...response, headers: { ...response.headers, "x-session-id": sessionId } };
      }
      case "/v1/models":
      case "/v1/models/:id": {
        allow(["GET"]);
        record.tenant = await tenantOf(this.runtime, request.headers.authorization);
        this.runtime.assertServing();
        const runners = await runnersFor(this.runtime, record.tenant, false);
        const owner = this.runtime.app.name;
        return route === "/v1/models"
          ? listModels(runners, this.#createdAt, owner)
          : retrieveModel(runners, decodedModelId(modelPath.exec(path)?.[1] as string), this.#createdAt, owner);
      }
      case "/v1/sessions/:id": {
        allow(["GET", "DELETE"]);
        const tenant = await tenantOf(this.runtime, request.headers.authorization);
        record.tenant = tenant;
        const id = sessionPath.exec(path)?.[1] as string;
        record.session = id;
        if (method === "DELETE") {
          if (!(await this.store.delete(tenant, id)))
            throw new HearthError("HEARTH_SESSION_NOT_FOUND", `No session "${id}" for this tenant.`);
          return { status: 204, headers: {}, body: "" };
        }
        const stored = await this.store.get(tenant, id);
        if (stored === undefined)
          throw new HearthError("HEARTH_SESSION_NOT_FOUND", `No session "${id}" for this tenant.`);
        return json(200, stored.session);
      }
      case "/playground":
      case "/playground/:part": {
        const playground = this.#playground ?? (await this.#playgroundLoading);
        if (playground === undefined) throw new HearthError("HEARTH_NOT_FOUND", `No route ${method} ${path}.`);
        allow(["GET"]);
        const part = playgroundPath.exec(path)?.[1];
        if (part === undefined || part === "app.js") return playground.asset(part);
        record.tenant = await tenantOf(this.runtime, request.headers.authorization);
        return playground.data(part, record.tenant);
      }
      default:
        throw new HearthError("HEARTH_NOT_FOUND", `No route ${method} ${path}.`);
    }
  }

  /**
   * A chat turn over HTTP in one of the formats hearth speaks: the caller's tenant, its limits and
   * the server's admission, then the body read by `parse`, the request's context, and the turn (chat.ts).
   */
  async #chat(
    request: HttpRequest,
    record: RequestRecord,
    log: Logger,
    synthetic: boolean,
    parse: (body: unknown, wantsStream: boolean) => { chat: ChatRequest; format?: ReplyFormat },
  ): Promise<HttpResponse> {
    // A synthetic warm-up request (only this process can send one) reaches only shared runners, and stores nothing.
    record.tenant =
      synthetic && request.headers.authorization === undefined
        ? defaultTenant
        : await tenantOf(this.runtime, request.headers.authorization);
    const tenant = record.tenant;
    const turn = async (): Promise<HttpResponse> => {
      const body = await readJsonBody(request, this.limits);
      const wantsStream = (request.headers.accept ?? "").includes("text/event-stream");
      const { requestTimeoutMs, sessionTtlMs, maxSessionBytes, streamBufferBytes } = this.limits;
      const parsed = parse(body, wantsStream);
      // The server's own warm-up request has no caller to describe: its run gets no context.
      const requestContext = synthetic
        ? undefined
        : await this.#readContext(parsed.chat.context, { tenant, headers: request.headers });
      return chat(
        {
          runtime: this.runtime,
          store: synthetic ? this.#scratchStore : this.store,
          tenant,
          record,
          clientSignal: request.signal,
          requestTimeoutMs,
          sessionTtlMs,
          maxSessionBytes,
          streamBufferBytes,
          log,
          synthetic,
          requestContext,
          traceparent: traceparentOf(request.headers.traceparent),
        },
        parsed.chat,
        parsed.format,
      );
    };
    // Refused before its body is read: a tenant past its limits, or a server past its load, costs as little as can be.
    const release = synthetic ? undefined : this.#limiter?.admit(tenant);
    let leave: (() => void) | undefined;
    try {
      leave = synthetic ? undefined : await this.#admission?.enter(request.signal);
    } catch (error) {
      release?.(0);
      throw error;
    }
    if (release === undefined && leave === undefined) return turn();
    // The turn's place (and the tokens it used) given back once it ends, streamed or not.
    const done = () => {
      release?.((record.inputTokens ?? 0) + (record.outputTokens ?? 0));
      leave?.();
    };
    let response: HttpResponse;
    try {
      response = await turn();
    } catch (error) {
      done();
      throw error;
    }
    if (typeof response.body === "string") {
      done();
      return response;
    }
    return { ...response, body: logWhenDone(response.body, done) };
  }

  /** Whether a request carries a key the app knows. An app without authentication has no authenticated callers. */
  async #authenticated(request: HttpRequest): Promise<boolean> {
    if (
      request.headers.authorization === undefined ||
      (this.runtime.app.auth === undefined && this.runtime.app.tenants === undefined)
    )
      return false;
    try {
      await tenantOf(this.runtime, request.headers.authorization);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Synthetic chat requests through this app's whole request path before it takes traffic: model
   * calls are answered by a stub and the session kept in a scratch store, so the first real request
   * finds the path compiled. `send` delivers a request and resolves with its status (the Node
   * adapter sends it over a real loopback connection, so the HTTP server's own code is warmed too).
   * Rejects when a request is refused or fails; callers treat that as a warm-up that did not happen.
   */
  async warmup(
    send: (request: { path: string; headers: Record<string, string>; body: string }) => Promise<number>,
  ): Promise<void> {
    if (this.runtime.app.warmup?.syntheticTurns === false) return;
    if (!this.runtime.isReady && this.runtime.state !== "warming") return;
    // With tenants, only the runners the app shares are warmed this way: a tenant's own are built with its credentials.
    const tenants = this.runtime.app.tenants;
    if (tenants !== undefined && (tenants.shared ?? []).length === 0) return;
    const key =
      this.runtime.app.auth?.apiKeys === undefined ? undefined : Object.keys(this.runtime.app.auth.apiKeys)[0];
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-hearth-warmup": this.#warmupToken,
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
    };
    const body = JSON.stringify({ message: this.runtime.app.warmup?.task ?? "warm-up" });
    const scratchMetrics = this.#newMetrics();
    this.#warmupSinks = { log: () => undefined, metrics: scratchMetrics };
    try {
      for (let round = 0; round < 2; round++) {
        const status = await send({ path: `${this.#basePath}/v1/chat`, headers, body });
        // Refused (an agent whose model the runtime cannot stub) or failed: once is enough to know.
        if (status !== 200)
          throw new HearthError("HEARTH_NOT_READY", `The synthetic chat request was answered ${status}.`);
      }
    } finally {
      this.#warmupSinks = undefined;
      scratchMetrics.close();
      await this.#scratchStore.close();
    }
  }

  /** Stops metrics and closes the session store. */
  async close(): Promise<void> {
    this.#metrics?.close();
    await this.store.close();
  }
}

/** A streamed body that calls `done` once it has been sent (true), or abandoned (false). */
async function* logWhenDone(body: AsyncIterable<string>, done: (sent: boolean) => void): AsyncGenerator<string> {
  let sent = false;
  try {
    yield* body;
    sent = true;
  } finally {
    done(sent);
  }
}

/**
 * The runtime (created from an app, or the one given) and its HttpApp, for an adapter. The
 * runtime's log lines and the requests' are redacted with the same secrets, each once.
 */
export function runtimeWithApp(
  target: AnyApp | AnyRuntime,
  options: HttpAppOptions & { readonly runtime?: RuntimeOptions },
): { runtime: Runtime; app: HttpApp } {
  const definition = target instanceof Runtime ? target.app : target;
  addServerSecrets(definition.auth, options.secrets);
  const runtimeLog = safeLogger(options.log);
  const runtime = target instanceof Runtime ? target : createRuntime(target, { log: runtimeLog, ...options.runtime });
  return { runtime, app: new HttpApp(runtime, options) };
}

/** A model id from the path, percent-decoded; one that does not decode names no model. */
function decodedModelId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * A W3C `traceparent` header (version 00), or undefined when absent, malformed or naming no trace
 * (all-zero ids, which the standard says to ignore): it is only passed on.
 */
function traceparentOf(header: string | undefined): string | undefined {
  if (header === undefined || !/^00-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/.test(header)) return undefined;
  return /^00-0{32}-|-0{16}-/.test(header) ? undefined : header;
}
