import {
  type MockExchange,
  type MockFault as MockHttpFault,
  type MockHttpServerOptions,
  type MockScript,
  type MockServerConnections,
  nextReply,
  places,
  type RecordedRequest as MockRecordedRequest,
  retryAfterHeaders,
  sendJson,
  startMockHttpServer,
  writeBody,
  writeEvents,
} from "./mock-http-server.ts";
import { buildCompletion, echoResponder, type MockChatRequest, type MockReply } from "./mock-openai-replies.ts";

export { echoResponder, type MockChatRequest, type MockReply } from "./mock-openai-replies.ts";

/** A fault the next chat request meets instead of (or before) its reply. */
export type MockFault =
  | MockHttpFault
  /**
   * A recorded answer sent as it is: `body` unchanged, with `status` (default 200) and `contentType`
   * (default `text/event-stream` for a body that starts with an SSE field or comment, else `application/json`).
   */
  | { readonly fault: "raw"; readonly body: string; readonly status?: number; readonly contentType?: string };

export type RecordedRequest = MockRecordedRequest<MockChatRequest>;

export interface MockOpenAIServerOptions extends MockHttpServerOptions {
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
}

export interface MockOpenAIServer extends MockServerConnections<MockChatRequest> {
  /** The base URL to give a client, ending in `/v1`. */
  readonly url: string;
  /** Faults (or replies) for the next chat requests, in order, before `respond` is used again. */
  enqueue(...items: (MockFault | MockReply)[]): void;
  /** Replaces the keys (bearer tokens) it accepts, as a provider revokes an expired token: the others get 401 from now on. */
  setApiKeys(keys: readonly string[]): void;
}

const errorBody = (message: string, type: string, code?: string) => ({
  error: { message, type, ...(code === undefined ? {} : { code }) },
});

/**
 * A real OpenAI-compatible HTTP server on loopback for tests and the demo: Chat Completions
 * (non-stream and SSE, tool calls, usage), `GET /models`, key checks, and fault injection.
 * It records every request with its headers.
 */
export async function startMockOpenAIServer(options: MockOpenAIServerOptions = {}): Promise<MockOpenAIServer> {
  const queue: (MockFault | MockReply)[] = [];
  const script: MockScript<MockChatRequest, MockFault, MockReply> = {
    queue,
    latencyMs: options.latencyMs,
    respond: options.respond ?? echoResponder,
    answeredByFault,
    responderFailed: (message) => errorBody(message, "server_error"),
  };
  const capacity = places(options.maxConcurrent);
  let completionCounter = 0;
  let apiKeys = options.apiKeys;

  const server = await startMockHttpServer<MockChatRequest>(
    options,
    errorBody("The request body is not JSON.", "invalid_request_error"),
    async (exchange) => {
      const { request, response, record, path } = exchange;
      if (apiKeys !== undefined) {
        const given = request.headers.authorization?.replace(/^Bearer\s+/i, "") ?? request.headers["api-key"];
        if (typeof given !== "string" || !apiKeys.includes(given))
          return sendJson(
            response,
            401,
            errorBody("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
          );
      }
      if (request.method === "GET" && path.endsWith("/models")) {
        const ids = options.models ?? ["mock-model"];
        return sendJson(response, 200, {
          object: "list",
          data: ids.map((id) => ({ id, object: "model", created: 0, owned_by: "hearth-mock" })),
        });
      }
      if (request.method !== "POST" || !path.endsWith("/chat/completions"))
        return sendJson(response, 404, errorBody(`No route for ${request.method} ${path}.`, "invalid_request_error"));
      const body = record.body;
      if (body === undefined || !Array.isArray(body.messages))
        return sendJson(response, 400, errorBody("`messages` is required.", "invalid_request_error"));
      return capacity.hold(() => answerChat(exchange, body));
    },
  );

  /** A chat request past its checks: faults and latency, then the reply. */
  async function answerChat(exchange: MockExchange<MockChatRequest>, body: MockChatRequest): Promise<void> {
    const next = await nextReply(script, exchange, body);
    if (next === undefined) return;
    const { reply, fault } = next;
    completionCounter += 1;
    const completion = buildCompletion(body, reply, `chatcmpl-mock-${completionCounter}`);
    const chunks = completion.chunks(options.chunkSize ?? 6);
    // A fault left here (a reset, stall or pause on the way) is the stream's: writeBody and writeEvents meet it.
    const streamFault = fault as MockHttpFault | undefined;
    if (body.stream !== true) return writeBody(exchange, completion.json, streamFault, chunks.length);
    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    if (includeUsage) chunks.push(completion.usageChunk);
    const events = chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`);
    return writeEvents(exchange, events, "data: [DONE]\n\n", streamFault, options.chunkDelayMs);
  }

  /** Answers the faults that replace the reply; false for the others (none, or one met on the way). */
  function answeredByFault(fault: MockFault, exchange: MockExchange<MockChatRequest>): boolean {
    const { response, request } = exchange;
    switch (fault.fault) {
      case "rate-limit":
        sendJson(
          response,
          429,
          errorBody("Rate limit reached for requests.", "requests", "rate_limit_exceeded"),
          retryAfterHeaders(fault),
        );
        return true;
      case "server-error":
        sendJson(
          response,
          fault.status ?? 500,
          errorBody("The server had an error while processing your request.", "server_error"),
        );
        return true;
      case "status":
        sendJson(
          response,
          fault.status,
          fault.body ?? errorBody(`Mock status ${fault.status}.`, "invalid_request_error"),
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

  return {
    url: `${server.origin}/v1`,
    port: server.port,
    requests: server.requests,
    certificate: server.certificate,
    get connectionCount() {
      return server.connectionCount;
    },
    get resumedSessions() {
      return server.resumedSessions;
    },
    get openConnections() {
      return server.openConnections;
    },
    enqueue(...items) {
      queue.push(...items);
    },
    setApiKeys(keys) {
      apiKeys = [...keys];
    },
    waitForEarlyClose: (index, timeoutMs) => server.waitForEarlyClose(index, timeoutMs),
    close: () => server.close(),
  };
}
