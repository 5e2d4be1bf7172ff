import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { mockTlsCertificate, mockTlsKey } from "./mock-tls.ts";

// What the mock model servers (OpenAI-compatible, Anthropic) share: the HTTP server and its
// connections, recording requests, picking each reply (a queue, a latency, a responder), a
// capacity, and the faults that do not depend on the provider's format.

/** A fault the next request meets instead of (or before) its reply. */
export type MockFault =
  | { readonly fault: "delay"; readonly ms: number }
  | { readonly fault: "rate-limit"; readonly retryAfterSeconds?: number; readonly retryAfterMs?: number }
  | { readonly fault: "server-error"; readonly status?: number }
  | { readonly fault: "status"; readonly status: number; readonly body?: unknown }
  | { readonly fault: "reset" }
  | { readonly fault: "reset-mid-stream"; readonly afterChunks?: number }
  /** Each streamed chunk comes `chunkDelayMs` after the last; a plain reply is held as long as its stream would take. */
  | { readonly fault: "slow-stream"; readonly chunkDelayMs: number }
  /** The answer starts (`afterChunks` stream chunks, default 2, or half a plain body), then nothing more, until the client hangs up. */
  | { readonly fault: "stall-mid-stream"; readonly afterChunks?: number }
  | { readonly fault: "malformed-json" };

export interface RecordedRequest<Body> {
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Body | undefined;
  readonly receivedAt: number;
  /** Set when the client closed the connection before the response was complete. */
  closedEarlyAt: number | undefined;
}

export interface MockHttpServerOptions {
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /**
   * Serve HTTPS, as providers do, with a self-signed certificate for localhost and 127.0.0.1: give
   * the client `certificate` to trust (`new ConnectionPools({ ca: mock.certificate })`, or
   * NODE_EXTRA_CA_CERTS for another process). Default false.
   */
  readonly tls?: boolean;
  /** Added before the first answer on each new connection: what a real handshake (DNS, TCP, TLS) costs. Default 0. */
  readonly connectionDelayMs?: number;
  /** A connection quiet this long is closed by the server, as providers close theirs. Default 5000 (Node's). */
  readonly idleTimeoutMs?: number;
}

/** One request in hand: what a mock's handler answers. */
export interface MockExchange<Body> {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly record: RecordedRequest<Body>;
  /** The request path without its query. */
  readonly path: string;
  /** Waits `ms`; resolves false instead if the client goes away first. */
  sleep(ms: number): Promise<boolean>;
  /** Sends nothing more; resolves when the client hangs up (or the mock closes). */
  stall(): Promise<void>;
}

/** What every mock model server shows of its HTTP side: its port, connections and the requests it recorded. */
export interface MockServerConnections<Body> {
  readonly port: number;
  readonly requests: RecordedRequest<Body>[];
  /** TCP connections accepted since start. */
  readonly connectionCount: number;
  /** Connections open now. */
  readonly openConnections: number;
  /** With `tls`: the certificate (PEM) a client must trust to reach it. */
  readonly certificate: string | undefined;
  /** With `tls`: connections whose client resumed an earlier TLS session instead of a full handshake. */
  readonly resumedSessions: number;
  /** Resolves when the request with this index sees its connection close early. */
  waitForEarlyClose(index: number, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export interface MockHttpServer<Body> extends MockServerConnections<Body> {
  /** `http://host:port` (or https). */
  readonly origin: string;
}

/**
 * A real HTTP server on loopback that reads each request's JSON body, records it, and hands it to
 * `handle`; a body that is not JSON gets a 400 with `badJson`'s body.
 */
export async function startMockHttpServer<Body>(
  options: MockHttpServerOptions,
  badJson: unknown,
  handle: (exchange: MockExchange<Body>) => Promise<void>,
): Promise<MockHttpServer<Body>> {
  const requests: RecordedRequest<Body>[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const earlyCloseWaiters = new Map<number, (at: number) => void>();
  let connectionCount = 0;
  let resumedSessions = 0;

  const sleep = (ms: number, response: ServerResponse) =>
    new Promise<boolean>((resolve) => {
      if (ms <= 0) return resolve(!response.destroyed);
      const onClose = () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        timers.delete(timer);
        response.off("close", onClose);
        resolve(true);
      }, ms);
      timers.add(timer);
      response.once("close", onClose);
    });
  const stall = (response: ServerResponse) =>
    new Promise<void>((resolve) => {
      if (response.destroyed) return resolve();
      response.once("close", () => resolve());
    });

  // Each connection's first answer waits for its handshake cost.
  const greeted = new WeakSet<object>();
  const onRequest = async (request: IncomingMessage, response: ServerResponse) => {
    if ((options.connectionDelayMs ?? 0) > 0 && !greeted.has(request.socket)) {
      greeted.add(request.socket);
      if (!(await sleep(options.connectionDelayMs ?? 0, response))) return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: Body | undefined;
    try {
      body = text === "" ? undefined : (JSON.parse(text) as Body);
    } catch {
      return sendJson(response, 400, badJson);
    }
    const record: RecordedRequest<Body> = {
      index: requests.length,
      method: request.method ?? "GET",
      path: request.url ?? "/",
      headers: request.headers,
      body,
      receivedAt: Date.now(),
      closedEarlyAt: undefined,
    };
    requests.push(record);
    response.on("close", () => {
      if (response.writableFinished) return;
      record.closedEarlyAt = Date.now();
      earlyCloseWaiters.get(record.index)?.(record.closedEarlyAt);
    });
    await handle({
      request,
      response,
      record,
      path: (request.url ?? "/").split("?")[0] ?? "/",
      sleep: (ms) => sleep(ms, response),
      stall: () => stall(response),
    });
  };

  const server: Server =
    options.tls === true
      ? process.getBuiltinModule("node:https").createServer({ key: mockTlsKey, cert: mockTlsCertificate }, onRequest)
      : process.getBuiltinModule("node:http").createServer(onRequest);
  server.keepAliveTimeout = options.idleTimeoutMs ?? 5_000;
  server.on("connection", (socket: Socket) => {
    connectionCount += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("secureConnection", (socket: TLSSocket) => {
    if (socket.isSessionReused()) resumedSessions += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const host = options.host ?? "127.0.0.1";
  const hostInUrl = host.includes(":") ? `[${host}]` : host;

  return {
    origin: `${options.tls === true ? "https" : "http"}://${hostInUrl}:${port}`,
    port,
    requests,
    certificate: options.tls === true ? mockTlsCertificate : undefined,
    get connectionCount() {
      return connectionCount;
    },
    get resumedSessions() {
      return resumedSessions;
    },
    get openConnections() {
      return sockets.size;
    },
    waitForEarlyClose(index, timeoutMs = 5_000) {
      const known = requests[index]?.closedEarlyAt;
      if (known !== undefined) return Promise.resolve(known);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          earlyCloseWaiters.delete(index);
          reject(new Error(`request ${index} did not close early within ${timeoutMs} ms`));
        }, timeoutMs);
        earlyCloseWaiters.set(index, (at) => {
          clearTimeout(timer);
          earlyCloseWaiters.delete(index);
          resolve(at);
        });
      });
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** The `Retry-After` headers a rate-limit fault asks for. */
export function retryAfterHeaders(fault: Extract<MockFault, { fault: "rate-limit" }>): Record<string, string> {
  const headers: Record<string, string> = {};
  if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs);
  if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
  return headers;
}

/**
 * Writes server-sent events (each already formatted), then `end`, meeting a stream fault on the way:
 * a reset or a stall after `afterChunks` events, or a pause between events.
 */
export async function writeEvents<Body>(
  exchange: MockExchange<Body>,
  events: readonly string[],
  end: string,
  fault: MockFault | undefined,
  chunkDelayMs: number | undefined,
): Promise<void> {
  const { response, request } = exchange;
  response.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  const resetAfter = fault?.fault === "reset-mid-stream" ? (fault.afterChunks ?? 2) : undefined;
  const stallAfter = fault?.fault === "stall-mid-stream" ? (fault.afterChunks ?? 2) : undefined;
  const delay = fault?.fault === "slow-stream" ? fault.chunkDelayMs : chunkDelayMs;
  let sent = 0;
  for (const event of events) {
    if (resetAfter !== undefined && sent >= resetAfter) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      request.socket.destroy();
      return;
    }
    if (stallAfter !== undefined && sent >= stallAfter) {
      response.flushHeaders();
      return exchange.stall();
    }
    if (response.destroyed) return;
    // Wait for each write to reach the socket, so a reset mid-stream really comes after data.
    await new Promise((resolve) => response.write(event, resolve));
    sent += 1;
    if (delay !== undefined && !(await exchange.sleep(delay))) return;
  }
  response.end(end);
}

/** A plain (not streamed) JSON answer, meeting a stream fault the way a body can. */
export async function writeBody<Body>(
  exchange: MockExchange<Body>,
  json: unknown,
  fault: MockFault | undefined,
  streamedChunks: number,
): Promise<void> {
  switch (fault?.fault) {
    case "reset-mid-stream":
      return void exchange.request.socket.destroy();
    case "slow-stream":
      if (!(await exchange.sleep(fault.chunkDelayMs * streamedChunks))) return;
      return sendJson(exchange.response, 200, json);
    case "stall-mid-stream": {
      const text = JSON.stringify(json);
      exchange.response.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
      });
      exchange.response.write(text.slice(0, Math.floor(text.length / 2)));
      return exchange.stall();
    }
    default:
      return sendJson(exchange.response, 200, json);
  }
}

/** How a provider mock answers requests: a queue of replies and faults, a latency, and a responder for the rest. */
export interface MockScript<Body, Fault extends { readonly fault: string }, Reply extends object> {
  readonly queue: (Fault | Reply)[];
  readonly latencyMs: number | undefined;
  readonly respond: (body: Body) => Reply | Promise<Reply>;
  /** Answers a fault that replaces the reply, in the provider's format; false for a fault met on the way. */
  answeredByFault(fault: Fault, exchange: MockExchange<Body>): boolean;
  /** The body of the 500 a responder that throws gets, in the provider's format. */
  responderFailed(message: string): unknown;
}

/**
 * The reply to a request, after a queued `delay` and the latency: the queue's next reply, else the
 * responder's; with the queued fault to meet on the way (a reset, stall or pause). Undefined when
 * the request needs nothing more: the client went away, a fault answered it, or the responder threw.
 */
export async function nextReply<Body, Fault extends { readonly fault: string }, Reply extends object>(
  script: MockScript<Body, Fault, Reply>,
  exchange: MockExchange<Body>,
  body: Body,
): Promise<{ readonly reply: Reply; readonly fault: Fault | undefined } | undefined> {
  let item = script.queue.shift();
  if (item !== undefined && isFault(item) && item.fault === "delay" && "ms" in item && typeof item.ms === "number") {
    if (!(await exchange.sleep(item.ms))) return undefined;
    item = undefined;
  }
  if (!(await exchange.sleep(script.latencyMs ?? 0))) return undefined;
  const fault = item !== undefined && isFault(item) ? item : undefined;
  if (fault !== undefined && script.answeredByFault(fault, exchange)) return undefined;
  try {
    return { reply: item !== undefined && !isFault(item) ? item : await script.respond(body), fault };
  } catch (error) {
    sendJson(exchange.response, 500, script.responderFailed(`The mock responder threw: ${String(error)}`));
    return undefined;
  }
}

function isFault<Fault extends { readonly fault: string }, Reply extends object>(item: Fault | Reply): item is Fault {
  return "fault" in item;
}

/** At most `limit` holders at once (none when undefined); the next wait in arrival order. */
export function places(limit: number | undefined): {
  take(): Promise<() => void>;
  /** Runs `work` holding a place. */
  hold<T>(work: () => Promise<T>): Promise<T>;
} {
  let held = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    held -= 1;
    const next = waiting.shift();
    if (next !== undefined) {
      held += 1;
      next();
    }
  };
  const take = (): Promise<() => void> => {
    if (limit === undefined || held < limit) {
      held += 1;
      return Promise.resolve(release);
    }
    return new Promise((resolve) => waiting.push(() => resolve(release)));
  };
  return {
    take,
    async hold(work) {
      const done = await take();
      try {
        return await work();
      } finally {
        done();
      }
    },
  };
}
