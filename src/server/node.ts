import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HearthError, UserError } from "../core/errors.ts";
import type { AnyApp } from "../runtime/app.ts";
import type { AnyRuntime, Runtime, RuntimeOptions } from "../runtime/runtime.ts";
import { flushCompileCache } from "./compile-cache.ts";
import { splitTarget } from "./request-target.ts";
import { runtimeWithApp, type HttpApp, type HttpAppOptions } from "./http-app.ts";
import { bodyTimedOut, bodyTooLarge } from "./json-body.ts";
import type { HttpRequest, HttpResponse } from "./http-types.ts";
import type { SessionStore } from "../core/session-store.ts";
import { openSessionStore, type SessionStoreConfig } from "../state/open-session-store.ts";

function readBody(request: IncomingMessage, limitBytes: number, timeoutMs: number): Promise<Uint8Array> {
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  if (declared > limitBytes) return Promise.reject(bodyTooLarge(limitBytes));
  // Gone before its body was read (during authentication, say): a destroyed stream gives no more.
  if (request.destroyed) return Promise.reject(clientGone());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const refuse = (error: HearthError) => {
      clearTimeout(timer);
      request.pause();
      // What was read is let go at once: the request lives on while its answer is sent and its
      // connection lingers, and a client sending one oversized body after another would have the
      // server hold up to the limit for each (measured: hundreds of MB).
      chunks.length = 0;
      reject(error);
    };
    // A client that sends its body slowly, or never finishes it, does not hold the request open.
    const timer = setTimeout(() => refuse(bodyTimedOut(timeoutMs)), timeoutMs);
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) return refuse(bodyTooLarge(limitBytes));
      chunks.push(chunk);
    });
    request.on("end", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    // A request stream fails only when its connection does ("aborted"): the client is gone.
    request.on("error", () => {
      clearTimeout(timer);
      reject(clientGone());
    });
    // The client went away before its body was whole: no "end" will come.
    request.on("close", () => {
      clearTimeout(timer);
      if (!request.complete) reject(clientGone());
    });
  });
}

function clientGone(): HearthError {
  return new HearthError("HEARTH_ABORTED", "The client closed the connection before its body arrived.");
}

/**
 * Waits until the response can take more, or its client is gone (`gone`: aborted when the
 * connection closes); a client that reads nothing for `timeoutMs` is cut off.
 */
function drained(response: ServerResponse, gone: AbortSignal, timeoutMs: number, cutOff: () => void): Promise<void> {
  if (gone.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      response.off("drain", done);
      gone.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(() => {
      cutOff();
      done();
    }, timeoutMs);
    response.on("drain", done);
    gone.addEventListener("abort", done);
  });
}

/**
 * Ends the response; a client that has not taken the rest of it within `timeoutMs` is cut off:
 * left to itself, Node keeps an answer its client never reads, and the connection, for ever.
 */
function endWithin(response: ServerResponse, timeoutMs: number, body?: string): void {
  response.end(body);
  if (response.writableFinished) return;
  const timer = setTimeout(() => response.destroy(), timeoutMs);
  const clear = () => clearTimeout(timer);
  response.once("finish", clear);
  response.once("close", clear);
}

/** Node joins repeated request headers into one string, except set-cookie: only then is a copy needed. */
function headersOf(request: IncomingMessage): Readonly<Record<string, string | undefined>> {
  if (request.headers["set-cookie"] === undefined)
    return request.headers as Readonly<Record<string, string | undefined>>;
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers))
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  return headers;
}

/** A `node:http` request listener for an HttpApp. */
export function createNodeListener(app: HttpApp): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const { path, search } = splitTarget(request.url ?? "/");
    let query: URLSearchParams | undefined;
    const controller = new AbortController();
    // The client went away before the response was complete: abort the run.
    response.on("close", () => {
      if (!response.writableFinished)
        controller.abort(new HearthError("HEARTH_ABORTED", "The client closed the connection."));
    });
    const hearthRequest: HttpRequest = {
      method: request.method ?? "GET",
      path,
      get query() {
        query ??= new URLSearchParams(search);
        return query;
      },
      headers: headersOf(request),
      readBody: (limit, timeoutMs) => readBody(request, limit, timeoutMs),
      signal: controller.signal,
    };
    // Whatever goes wrong writing the answer is logged and the connection closed: never a rejection nobody handles.
    app
      .handle(hearthRequest)
      .then((result) => respond(app, request, response, controller, result))
      .catch((error: unknown) => {
        app.log({
          level: "error",
          msg: "unexpected error while answering",
          error: String((error as Error)?.stack ?? error),
        });
        response.destroy();
      });
  };
}

/** Writes an HttpApp's answer: a whole body, or a stream written as the client takes it. */
async function respond(
  app: HttpApp,
  request: IncomingMessage,
  response: ServerResponse,
  controller: AbortController,
  result: HttpResponse,
): Promise<void> {
  // The connection closed before the answer (the request listener aborted the signal then).
  if (response.destroyed || controller.signal.aborted) {
    // The client left before the answer: a streamed body is still read to its end (its turn,
    // aborted with the connection, ends at once), so the request is logged and counted.
    if (typeof result.body !== "string") for await (const _ of result.body);
    return;
  }
  // While draining, tell clients not to reuse this connection.
  if (!app.runtime.isReady && app.runtime.state !== "starting" && app.runtime.state !== "warming")
    response.setHeader("connection", "close");
  if (typeof result.body === "string") {
    // Answered before its body was whole (refused for its key, or its size): the connection is cut
    // off below, so the client is told not to reuse it; told nothing, a keep-alive client sent its
    // next request into the cut (found by test/tenant-isolation-fuzz.test.ts).
    if (!request.complete) response.setHeader("connection", "close");
    response.writeHead(result.status, {
      ...result.headers,
      "content-length": String(Buffer.byteLength(result.body)),
    });
    endWithin(response, app.limits.streamWriteTimeoutMs, request.method === "HEAD" ? undefined : result.body);
    // A body left unread (too large, too slow): the connection closes after the answer ("connection:
    // close" ends it), and a client that keeps sending is cut off once it has had time to read it.
    if (!request.complete) response.once("finish", () => setTimeout(() => request.socket.destroy(), 1_000).unref());
    return;
  }
  response.writeHead(result.status, result.headers);
  response.flushHeaders();
  const cutOff = (reason: unknown) => {
    controller.abort(reason);
    response.destroy();
  };
  const stalled = () =>
    cutOff(
      new HearthError(
        "HEARTH_SLOW_CLIENT",
        `The client read nothing for ${app.limits.streamWriteTimeoutMs} ms of a streamed reply.`,
      ),
    );
  // The body gave up on its client (too much waiting to be sent): cut it now, not at the next write.
  result.abandon?.addEventListener("abort", () => cutOff(result.abandon?.reason), { once: true });
  try {
    for await (const chunk of result.body) {
      if (response.destroyed || controller.signal.aborted) break;
      if (!response.write(chunk)) await drained(response, controller.signal, app.limits.streamWriteTimeoutMs, stalled);
    }
    endWithin(response, app.limits.streamWriteTimeoutMs);
  } catch {
    // The body failed (a client too slow to keep up with it): cut the connection, so the
    // client sees a broken stream rather than one that looks complete.
    response.destroy();
  }
}

export interface NodeHandlerOptions extends Omit<HttpAppOptions, "store"> {
  /** A store, or how to open one. Default: SQLite in `./.hearth/sessions.db` (or HEARTH_SESSION_STORE). */
  readonly store?: SessionStore | SessionStoreConfig;
  /** Options for the runtime, when given an app. */
  readonly runtime?: RuntimeOptions;
}

/** A `(request, response)` listener serving hearth's routes, for a server of your own. */
export interface NodeHandler {
  (request: IncomingMessage, response: ServerResponse): void;
  readonly runtime: Runtime;
  readonly app: HttpApp;
  /** Resolves when the runtime is ready (rejects if startup fails): await it before taking traffic. */
  readonly ready: Promise<void>;
  /** Drains (in-flight turns finish until the deadline), closes the runtime and the session store. */
  close(options?: { readonly deadlineMs?: number }): Promise<void>;
}

/**
 * The store (the one given, or one opened from its configuration) and the runtime and HTTP app on
 * it. A wrong option fails here, and a store opened for it (an SQLite file, a Redis connection) is
 * closed again.
 */
async function runtimeAndStore(
  target: AnyApp | AnyRuntime,
  options: Omit<HttpAppOptions, "store"> & {
    readonly store?: SessionStore | SessionStoreConfig;
    readonly runtime?: RuntimeOptions;
  },
): Promise<ReturnType<typeof runtimeWithApp>> {
  if (isStore(options.store)) return runtimeWithApp(target, { ...options, store: options.store });
  const store = await openSessionStore(options.store);
  try {
    return runtimeWithApp(target, { ...options, store });
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}

/**
 * hearth's routes as a `node:http` listener, to mount in a server you already run: Express
 * (`app.use("/agents", handler)`, before any body parser), Fastify (with `basePath`, see
 * docs/server.md) or `http.createServer`. The runtime starts at once; `ready` says when it is warm.
 * Unlike `serve`, no synthetic HTTP request warms the server's own code: the host's server is not
 * hearth's to call.
 */
export async function createNodeHandler(
  target: AnyApp | AnyRuntime,
  options: NodeHandlerOptions = {},
): Promise<NodeHandler> {
  const { runtime, app } = await runtimeAndStore(target, options);
  const listener = createNodeListener(app);
  const ready = runtime.start();
  ready.catch(() => undefined);
  let closing: Promise<void> | undefined;
  return Object.assign(listener, {
    runtime,
    app,
    ready,
    close(closeOptions: { readonly deadlineMs?: number } = {}) {
      closing ??= (async () => {
        await runtime.close(closeOptions);
        await app.close();
      })();
      return closing;
    },
  });
}

export interface ServeOptions extends Omit<HttpAppOptions, "store"> {
  /** A store, or how to open one. Default: SQLite in `./.hearth/sessions.db` (or HEARTH_SESSION_STORE). */
  readonly store?: SessionStore | SessionStoreConfig;
  /** Default 8787; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. Use 0.0.0.0 in a container. */
  readonly host?: string;
  /** Options for the runtime, when `serve` is given an app. */
  readonly runtime?: RuntimeOptions;
  /** Called as soon as the server listens, before the runtime is ready. */
  readonly onListening?: (url: string) => void;
  /** Listen only once ready (cluster workers do, so no traffic reaches a cold worker). Default false: liveness answers during warm-up. */
  readonly listenWhenReady?: boolean;
  /**
   * A request's headers must arrive in whole within this (Node's `headersTimeout`): past it, Node
   * answers 408 and closes the connection. Default 10 s; at most 300 s (Node's `requestTimeout`).
   */
  readonly headersTimeoutMs?: number;
}

export interface HearthServer {
  readonly runtime: Runtime;
  readonly app: HttpApp;
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  /** Drains (new requests get 503, readiness fails, in-flight turns finish until the deadline), then stops listening. */
  close(options?: { readonly deadlineMs?: number }): Promise<void>;
  /**
   * Leaves without failing a request, as a cluster worker replaced by a warm one does: every answer
   * from now on closes its connection, so clients go elsewhere; after `graceMs` (default 2 s) the
   * server stops listening, its last connections end (closed at `deadlineMs` if they have not),
   * and the runtime closes as `close` closes it.
   */
  retire(options?: { readonly graceMs?: number; readonly deadlineMs?: number }): Promise<void>;
}

/**
 * Serves an app (or a runtime) on `node:http`: listens (so /healthz answers at once), starts the
 * runtime, and resolves when it is ready. If startup fails it stops listening and rejects.
 */
export async function serve(target: AnyApp | AnyRuntime, options: ServeOptions = {}): Promise<HearthServer> {
  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
  if (typeof headersTimeoutMs !== "number" || !(headersTimeoutMs > 0 && headersTimeoutMs <= 300_000))
    throw new UserError("The server option `headersTimeoutMs` must be over 0 and at most 300000 (ms).", {
      field: "headersTimeoutMs",
    });
  const { runtime, app } = await runtimeAndStore(target, options);
  const http = process.getBuiltinModule("node:http");
  const listener = createNodeListener(app);
  // Set while close() stops the server: a request waits for it, so its client does not connect again.
  let held: Promise<void> | undefined;
  let lastAcceptedAt = 0;
  // Set by retire(): each answer closes its connection.
  let retiring = false;
  // Node's own timeouts for a request that is slow to arrive (its headers, slowloris): checked every
  // second, not every 30 s (Node's default), so a connection that sends too slowly is closed on time.
  const timeouts = { keepAliveTimeout: 65_000, headersTimeout: headersTimeoutMs, connectionsCheckingInterval: 1_000 };
  const server = http.createServer(timeouts, (request, response) => {
    if (retiring) response.setHeader("connection", "close");
    if (held === undefined) listener(request, response);
    else void held.then(() => listener(request, response));
  });
  server.on("connection", () => (lastAcceptedAt = performance.now()));
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 8787, options.host ?? "127.0.0.1", () => {
        app.log({ level: "info", msg: "listening", url: urlOf(server) });
        options.onListening?.(urlOf(server));
        resolve();
      });
    });
  // Listening first, the synthetic requests are part of the warm phase: over before /readyz says
  // ready. Listening once ready (cluster workers), or given a runtime already started, they follow it.
  const warmInPhase = options.listenWhenReady !== true && runtime.state === "idle";
  // In the warm phase when it can be; in any case again whenever keep-warm re-warms after a quiet spell.
  runtime.addSyntheticWarmup("http:/v1/chat", () => app.warmup(loopbackSender(server)), { startup: warmInPhase });
  const warmAfterReady = () => app.warmup(loopbackSender(server)).catch(() => undefined);
  try {
    if (options.listenWhenReady === true) {
      await runtime.start();
      await listen();
      await warmAfterReady();
    } else {
      await listen();
      await runtime.start();
      if (!warmInPhase) await warmAfterReady();
    }
  } catch (error) {
    server.close();
    server.closeAllConnections();
    await app.close();
    throw error;
  }
  flushCompileCache();
  const url = urlOf(server);
  if (runtime.app.auth === undefined && runtime.app.tenants === undefined)
    app.log({
      level: "warn",
      msg: `app "${runtime.app.name}" configures no API keys: it serves one tenant, "default", without authentication`,
    });
  let closing: Promise<void> | undefined;
  let retired: Promise<void> | undefined;
  const hearthServer: HearthServer = {
    retire(retireOptions = {}) {
      retiring = true;
      retired ??= (async () => {
        await new Promise((resolve) => setTimeout(resolve, retireOptions.graceMs ?? 2_000));
        // No new connection from here (in a cluster, the primary stops sending any); idle ones are closed.
        await new Promise<void>((resolve) => {
          const stop = setTimeout(() => {
            server.closeAllConnections();
            resolve();
          }, retireOptions.deadlineMs ?? 10_000);
          server.close(() => {
            clearTimeout(stop);
            resolve();
          });
        });
        await hearthServer.close(
          retireOptions.deadlineMs === undefined ? {} : { deadlineMs: retireOptions.deadlineMs },
        );
      })();
      return retired;
    },
    runtime,
    app,
    server,
    url,
    port: (server.address() as AddressInfo).port,
    close(closeOptions = {}) {
      closing ??= (async () => {
        await runtime.close(closeOptions);
        // Closing the listener resets every connection still in the kernel's accept queue, and a
        // client answered 503 with "connection: close" connects again at once: measured, a drain
        // under a loop of clients reset a few of their requests every time. So requests are held
        // (their clients wait instead of connecting again) until no connection has come for 20 ms
        // (1 s at most); the listener closes right after a poll phase, which accepted whatever was
        // queued; then the held requests get their 503.
        let release!: () => void;
        held = new Promise<void>((resolve) => (release = resolve));
        const holdUntil = performance.now() + 1_000;
        do {
          await new Promise((resolve) => setTimeout(resolve, 20));
          await new Promise((resolve) => setImmediate(resolve));
        } while (performance.now() < holdUntil && performance.now() - lastAcceptedAt < 20);
        await new Promise<void>((resolve) => {
          // Also closes each keep-alive connection that is idle; spares one accepted and not read yet.
          server.close(() => resolve());
          release();
          // A connection still open has been answered, or has sent nothing for a second.
          setTimeout(() => server.closeAllConnections(), 1_000).unref();
        });
        await app.close();
      })();
      return closing;
    },
  };
  return hearthServer;
}

function urlOf(server: Server): string {
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function isStore(value: unknown): value is SessionStore {
  return typeof (value as SessionStore | undefined)?.put === "function";
}

/** Sends a request to this server over a real loopback connection, for its synthetic warm-up; resolves with the status. */
function loopbackSender(
  server: Server,
): (request: { path: string; headers: Record<string, string>; body: string }) => Promise<number> {
  const http = process.getBuiltinModule("node:http");
  const address = server.address() as AddressInfo;
  const host = address.address === "0.0.0.0" || address.address === "::" ? "127.0.0.1" : address.address;
  return ({ path, headers, body }) =>
    new Promise((resolve, reject) => {
      // Its own connection, closed after: no socket made in the synthetic scope stays in Node's global pool.
      const request = http.request(
        {
          host,
          port: address.port,
          path,
          method: "POST",
          agent: false,
          headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        },
      );
      request.on("error", reject);
      // A warm-up that hangs must never hold startup.
      request.setTimeout(5_000, () => request.destroy(new Error("the synthetic warm-up request timed out")));
      request.end(body);
    });
}
