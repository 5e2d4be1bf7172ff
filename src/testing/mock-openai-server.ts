import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { mockTlsCertificate, mockTlsKey } from "./mock-tls.ts";

/** The parts of a Chat Completions request a responder looks at. */
export interface MockChatRequest {
  readonly model: string;
  readonly messages: readonly {
    readonly role: string;
    readonly content?: unknown;
    readonly tool_calls?: unknown;
    readonly tool_call_id?: string;
  }[];
  readonly tools?: readonly { readonly function: { readonly name: string } }[];
  readonly stream?: boolean;
  readonly [key: string]: unknown;
}

export interface MockReply {
  readonly content?: string;
  readonly toolCalls?: readonly {
    readonly id?: string;
    readonly name: string;
    readonly arguments: string | Readonly<Record<string, unknown>>;
  }[];
  readonly reasoning?: string;
  readonly finishReason?: string;
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number };
}

/** A fault the next chat request meets instead of (or before) its reply. */
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
  | { readonly fault: "malformed-json" }
  /**
   * A recorded answer sent as it is: `body` unchanged, with `status` (default 200) and `contentType`
   * (default `text/event-stream` for a body that starts with an SSE field or comment, else `application/json`).
   */
  | { readonly fault: "raw"; readonly body: string; readonly status?: number; readonly contentType?: string };

export interface RecordedRequest {
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: MockChatRequest | undefined;
  readonly receivedAt: number;
  /** Set when the client closed the connection before the response was complete. */
  closedEarlyAt: number | undefined;
}

export interface MockOpenAIServerOptions {
  /** Default 0: any free port. */
  readonly port?: number;
  readonly host?: string;
  /** Added before every chat answer. */
  readonly latencyMs?: number;
  /**
   * Chat requests it works on at once, as a provider's capacity: more wait for a place, and the
   * wait is part of their latency. Default: no limit.
   */
  readonly maxConcurrent?: number;
  /** Pause between SSE chunks. */
  readonly chunkDelayMs?: number;
  /** Characters per streamed content chunk. Default 6. */
  readonly chunkSize?: number;
  /** When set, any other bearer key (or `api-key` header) gets 401. */
  readonly apiKeys?: readonly string[];
  /** Model ids listed by GET /models. */
  readonly models?: readonly string[];
  /** Decides each reply. The default echoes the last user message. */
  readonly respond?: (request: MockChatRequest) => MockReply | Promise<MockReply>;
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

export interface MockOpenAIServer {
  /** The base URL to give a client, ending in `/v1`. */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** TCP connections accepted since start. */
  readonly connectionCount: number;
  /** Connections open now. */
  readonly openConnections: number;
  /** With `tls`: the certificate (PEM) a client must trust to reach it. */
  readonly certificate: string | undefined;
  /** With `tls`: connections whose client resumed an earlier TLS session instead of a full handshake. */
  readonly resumedSessions: number;
  /** Faults (or replies) for the next chat requests, in order, before `respond` is used again. */
  enqueue(...items: (MockFault | MockReply)[]): void;
  /** Replaces the keys (bearer tokens) it accepts, as a provider revokes an expired token: the others get 401 from now on. */
  setApiKeys(keys: readonly string[]): void;
  /** Resolves when the request with this index sees its connection close early. */
  waitForEarlyClose(index: number, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

/** Approximate tokens, as the mock counts them: one per four characters. */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function lastUserText(request: MockChatRequest): string {
  for (let index = request.messages.length - 1; index >= 0; index--) {
    const message = request.messages[index];
    if (message?.role !== "user") continue;
    if (typeof message.content === "string") return message.content;
    if (Array.isArray(message.content))
      return message.content
        .map((part: { text?: unknown }) => (typeof part.text === "string" ? part.text : ""))
        .join("");
  }
  return "";
}

export const echoResponder = (request: MockChatRequest): MockReply => ({
  content: `You said: ${lastUserText(request)}`,
});

/**
 * A real OpenAI-compatible HTTP server on loopback for tests and the demo: Chat Completions
 * (non-stream and SSE, tool calls, usage), `GET /models`, key checks, and fault injection.
 * It records every request with its headers.
 */
export async function startMockOpenAIServer(options: MockOpenAIServerOptions = {}): Promise<MockOpenAIServer> {
  const http = process.getBuiltinModule("node:http");
  const respond = options.respond ?? echoResponder;
  const queue: (MockFault | MockReply)[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const earlyCloseWaiters = new Map<number, (at: number) => void>();
  let connectionCount = 0;
  let resumedSessions = 0;
  let completionCounter = 0;
  let apiKeys = options.apiKeys;

  /** Waits `ms`; resolves false instead if the client goes away first. */
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

  // Each connection's first answer waits for its handshake cost.
  const greeted = new WeakSet<object>();
  const capacity = places(options.maxConcurrent);
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if ((options.connectionDelayMs ?? 0) > 0 && !greeted.has(request.socket)) {
      greeted.add(request.socket);
      if (!(await sleep(options.connectionDelayMs ?? 0, response))) return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: MockChatRequest | undefined;
    try {
      body = text === "" ? undefined : (JSON.parse(text) as MockChatRequest);
    } catch {
      return sendJson(response, 400, {
        error: { message: "The request body is not JSON.", type: "invalid_request_error" },
      });
    }
    const record: RecordedRequest = {
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

    if (apiKeys !== undefined) {
      const given = request.headers.authorization?.replace(/^Bearer\s+/i, "") ?? request.headers["api-key"];
      if (typeof given !== "string" || !apiKeys.includes(given)) {
        return sendJson(response, 401, {
          error: { message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key" },
        });
      }
    }
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    if (request.method === "GET" && path.endsWith("/models")) {
      const ids = options.models ?? ["mock-model"];
      return sendJson(response, 200, {
        object: "list",
        data: ids.map((id) => ({ id, object: "model", created: 0, owned_by: "hearth-mock" })),
      });
    }
    if (request.method !== "POST" || !path.endsWith("/chat/completions")) {
      return sendJson(response, 404, {
        error: { message: `No route for ${request.method} ${path}.`, type: "invalid_request_error" },
      });
    }
    if (body === undefined || !Array.isArray(body.messages)) {
      return sendJson(response, 400, { error: { message: "`messages` is required.", type: "invalid_request_error" } });
    }

    const release = await capacity.take();
    try {
      await answerChat(body, request, response);
    } finally {
      release();
    }
  };

  /** A chat request past its checks: faults and latency, then the reply. */
  async function answerChat(body: MockChatRequest, request: IncomingMessage, response: ServerResponse): Promise<void> {
    let item = queue.shift();
    if (item !== undefined && "fault" in item && item.fault === "delay") {
      if (!(await sleep(item.ms, response))) return;
      item = undefined;
    }
    if (!(await sleep(options.latencyMs ?? 0, response))) return;
    if (item !== undefined && "fault" in item) {
      const handled = applyFault(item, request, response);
      if (handled) return;
    }
    let reply: MockReply;
    try {
      reply = item !== undefined && !("fault" in item) ? item : await respond(body);
    } catch (error) {
      return sendJson(response, 500, {
        error: { message: `The mock responder threw: ${String(error)}`, type: "server_error" },
      });
    }
    const fault = item !== undefined && "fault" in item ? item : undefined;
    completionCounter += 1;
    const completion = buildCompletion(body, reply, `chatcmpl-mock-${completionCounter}`);
    if (body.stream === true) return streamCompletion(completion, body, response, request, fault);
    switch (fault?.fault) {
      case "reset-mid-stream":
        return void request.socket.destroy();
      case "slow-stream": {
        const chunks = completion.chunks(options.chunkSize ?? 6).length;
        if (!(await sleep(fault.chunkDelayMs * chunks, response))) return;
        return sendJson(response, 200, completion.json);
      }
      case "stall-mid-stream": {
        const text = JSON.stringify(completion.json);
        response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        response.write(text.slice(0, Math.floor(text.length / 2)));
        return stallUntilClosed(response);
      }
      default:
        return sendJson(response, 200, completion.json);
    }
  }

  /** Sends nothing more; resolves when the client hangs up (or the mock closes). */
  const stallUntilClosed = (response: ServerResponse) =>
    new Promise<void>((resolve) => {
      if (response.destroyed) return resolve();
      response.once("close", () => resolve());
    });

  function applyFault(fault: MockFault, request: IncomingMessage, response: ServerResponse): boolean {
    switch (fault.fault) {
      case "rate-limit": {
        const headers: Record<string, string> = {};
        if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs);
        if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
        sendJson(
          response,
          429,
          { error: { message: "Rate limit reached for requests.", type: "requests", code: "rate_limit_exceeded" } },
          headers,
        );
        return true;
      }
      case "server-error":
        sendJson(response, fault.status ?? 500, {
          error: { message: "The server had an error while processing your request.", type: "server_error" },
        });
        return true;
      case "status":
        sendJson(
          response,
          fault.status,
          fault.body ?? { error: { message: `Mock status ${fault.status}.`, type: "invalid_request_error" } },
        );
        return true;
      case "reset":
        request.socket.destroy();
        return true;
      case "raw": {
        const sse = /^(data|event|id|retry)?:/.test(fault.body.trimStart());
        response.writeHead(fault.status ?? 200, {
          "content-type": fault.contentType ?? (sse ? "text/event-stream" : "application/json"),
        });
        response.end(fault.body);
        return true;
      }
      case "malformed-json":
        response.writeHead(200, { "content-type": "application/json" });
        response.end('{"id": "chatcmpl-broken", "choices": [');
        return true;
      default:
        return false;
    }
  }

  async function streamCompletion(
    completion: Completion,
    body: MockChatRequest,
    response: ServerResponse,
    request: IncomingMessage,
    fault: MockFault | undefined,
  ): Promise<void> {
    response.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    const events = completion.chunks(options.chunkSize ?? 6);
    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    if (includeUsage) events.push(completion.usageChunk);
    const resetAfter = fault?.fault === "reset-mid-stream" ? (fault.afterChunks ?? 2) : undefined;
    const stallAfter = fault?.fault === "stall-mid-stream" ? (fault.afterChunks ?? 2) : undefined;
    const chunkDelayMs = fault?.fault === "slow-stream" ? fault.chunkDelayMs : options.chunkDelayMs;
    let sent = 0;
    for (const event of events) {
      if (resetAfter !== undefined && sent >= resetAfter) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        request.socket.destroy();
        return;
      }
      if (stallAfter !== undefined && sent >= stallAfter) {
        response.flushHeaders();
        return stallUntilClosed(response);
      }
      if (response.destroyed) return;
      // Wait for each write to reach the socket, so a reset mid-stream really comes after data.
      await new Promise((resolve) => response.write(`data: ${JSON.stringify(event)}\n\n`, resolve));
      sent += 1;
      if (chunkDelayMs !== undefined && !(await sleep(chunkDelayMs, response))) return;
    }
    response.end("data: [DONE]\n\n");
  }

  const server: Server =
    options.tls === true
      ? process.getBuiltinModule("node:https").createServer({ key: mockTlsKey, cert: mockTlsCertificate }, handle)
      : http.createServer(handle);
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
    url: `${options.tls === true ? "https" : "http"}://${hostInUrl}:${port}/v1`,
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
    enqueue(...items) {
      queue.push(...items);
    },
    setApiKeys(keys) {
      apiKeys = [...keys];
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

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

interface Completion {
  readonly json: Record<string, unknown>;
  readonly usageChunk: Record<string, unknown>;
  chunks(chunkSize: number): Record<string, unknown>[];
}

function buildCompletion(request: MockChatRequest, reply: MockReply, id: string): Completion {
  const model = typeof request.model === "string" ? request.model : "mock-model";
  const created = Math.floor(Date.now() / 1000);
  const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({
    id: call.id ?? `call_${id.slice(-6)}_${index}`,
    type: "function",
    function: {
      name: call.name,
      arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
    },
  }));
  const content = reply.content ?? (toolCalls.length > 0 ? null : "");
  const finishReason = reply.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop");
  const promptText = JSON.stringify(request.messages);
  const usage = {
    prompt_tokens: reply.usage?.promptTokens ?? approximateTokens(promptText),
    completion_tokens: reply.usage?.completionTokens ?? approximateTokens((content ?? "") + JSON.stringify(toolCalls)),
  };
  const totals = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
  const base = { id, created, model, system_fingerprint: "fp_mock" };
  const message: Record<string, unknown> = { role: "assistant", content, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reply.reasoning !== undefined) message.reasoning_content = reply.reasoning;
  return {
    json: {
      ...base,
      object: "chat.completion",
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage: totals,
    },
    usageChunk: { ...base, object: "chat.completion.chunk", choices: [], usage: totals },
    chunks(chunkSize) {
      const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
        ...base,
        object: "chat.completion.chunk",
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      });
      const out = [chunk({ role: "assistant", content: "" })];
      if (reply.reasoning !== undefined) out.push(chunk({ reasoning_content: reply.reasoning }));
      const text = content ?? "";
      for (let start = 0; start < text.length; start += chunkSize)
        out.push(chunk({ content: text.slice(start, start + chunkSize) }));
      toolCalls.forEach((call, index) => {
        out.push(
          chunk({
            tool_calls: [
              { index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } },
            ],
          }),
        );
        const args = call.function.arguments;
        for (let start = 0; start < args.length; start += chunkSize) {
          out.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(start, start + chunkSize) } }] }));
        }
      });
      out.push(chunk({}, finishReason));
      return out;
    },
  };
}

/** At most `limit` holders at once (none when undefined); the next wait in arrival order. */
function places(limit: number | undefined): { take(): Promise<() => void> } {
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
  return {
    take() {
      if (limit === undefined || held < limit) {
        held += 1;
        return Promise.resolve(release);
      }
      return new Promise((resolve) => waiting.push(() => resolve(release)));
    },
  };
}
