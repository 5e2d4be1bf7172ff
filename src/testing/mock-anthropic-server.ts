import type { MockReply } from "./mock-openai-server.ts";
import {
  type MockExchange,
  type MockFault,
  type MockHttpServerOptions,
  type MockScript,
  nextReply,
  places,
  type RecordedRequest,
  retryAfterHeaders,
  sendJson,
  startMockHttpServer,
  writeBody,
  writeEvents,
} from "./mock-http-server.ts";

/** A content block of a Messages request, as a responder reads it. */
export interface MockContentBlock {
  readonly type: string;
  readonly text?: string;
  readonly id?: string;
  readonly name?: string;
  readonly input?: unknown;
  readonly tool_use_id?: string;
  readonly content?: unknown;
  readonly is_error?: boolean;
  readonly source?: unknown;
  readonly [key: string]: unknown;
}

/** The parts of a Messages request a responder looks at. */
export interface MockMessagesRequest {
  readonly model: string;
  readonly max_tokens: number;
  readonly system?: unknown;
  readonly messages: readonly { readonly role: string; readonly content: string | readonly MockContentBlock[] }[];
  readonly tools?: readonly { readonly name: string; readonly input_schema?: unknown }[];
  readonly tool_choice?: { readonly type: string; readonly name?: string };
  readonly stream?: boolean;
  readonly [key: string]: unknown;
}

/** A reply: the OpenAI mock's, with Anthropic's thinking signature and prompt-cache counts. */
export interface MockAnthropicReply extends MockReply {
  /** Sent with `reasoning`, as the thinking block's signature. */
  readonly signature?: string;
  readonly cacheReadTokens?: number;
  readonly cacheWriteTokens?: number;
}

/** The faults of the OpenAI mock, and two of Anthropic's own. */
export type MockAnthropicFault =
  | MockFault
  /** 529 with an `overloaded_error`, as Anthropic answers under load. */
  | { readonly fault: "overloaded" }
  /** A 200 stream that sends `afterChunks` events (default 2), then an `error` event of `errorType` (default `overloaded_error`). */
  | { readonly fault: "stream-error"; readonly afterChunks?: number; readonly errorType?: string };

export interface MockAnthropicServerOptions extends MockHttpServerOptions {
  readonly latencyMs?: number;
  readonly maxConcurrent?: number;
  readonly chunkDelayMs?: number;
  /** Characters per streamed text or tool-input delta. Default 6. */
  readonly chunkSize?: number;
  /** When set, any other `x-api-key` gets 401. */
  readonly apiKeys?: readonly string[];
  /** Model ids listed by GET /v1/models. */
  readonly models?: readonly string[];
  /** Decides each reply. The default echoes the last user text. */
  readonly respond?: (request: MockMessagesRequest) => MockAnthropicReply | Promise<MockAnthropicReply>;
}

export interface MockAnthropicServer {
  /** The base URL to give a client (`baseURL` or ANTHROPIC_BASE_URL): the origin, without `/v1`. */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest<MockMessagesRequest>[];
  readonly connectionCount: number;
  readonly openConnections: number;
  readonly certificate: string | undefined;
  readonly resumedSessions: number;
  enqueue(...items: (MockAnthropicFault | MockAnthropicReply)[]): void;
  waitForEarlyClose(index: number, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

const errorBody = (type: string, message: string) => ({ type: "error", error: { type, message } });

/** The text of the last user message, without its tool results. */
function lastUserText(request: MockMessagesRequest): string {
  for (let index = request.messages.length - 1; index >= 0; index--) {
    const message = request.messages[index];
    if (message?.role !== "user") continue;
    if (typeof message.content === "string") return message.content;
    const text = message.content.flatMap((block) =>
      block.type === "text" && typeof block.text === "string" ? [block.text] : [],
    );
    if (text.length > 0) return text.join("");
  }
  return "";
}

export const echoMessagesResponder = (request: MockMessagesRequest): MockAnthropicReply => ({
  content: `You said: ${lastUserText(request)}`,
});

/**
 * A real HTTP server on loopback speaking Anthropic's Messages API, for tests and demos: messages,
 * plain and streamed (SSE events as Anthropic sends them), tool_use, thinking, usage with cache
 * counts, `GET /v1/models`, `x-api-key` and `anthropic-version` checks, and the OpenAI mock's faults
 * with Anthropic's error bodies, plus a 529 `overloaded_error` and an `error` event mid-stream.
 */
export async function startMockAnthropicServer(options: MockAnthropicServerOptions = {}): Promise<MockAnthropicServer> {
  const queue: (MockAnthropicFault | MockAnthropicReply)[] = [];
  const script: MockScript<MockMessagesRequest, MockAnthropicFault, MockAnthropicReply> = {
    queue,
    latencyMs: options.latencyMs,
    respond: options.respond ?? echoMessagesResponder,
    answeredByFault,
    responderFailed: (message) => errorBody("api_error", message),
  };
  const capacity = places(options.maxConcurrent);
  let messageCounter = 0;

  const server = await startMockHttpServer<MockMessagesRequest>(
    options,
    errorBody("invalid_request_error", "The request body is not JSON."),
    async (exchange) => {
      const { request, response, record, path } = exchange;
      const key = request.headers["x-api-key"];
      if (options.apiKeys !== undefined && (typeof key !== "string" || !options.apiKeys.includes(key)))
        return sendJson(response, 401, errorBody("authentication_error", "invalid x-api-key"));
      if (request.headers["anthropic-version"] === undefined)
        return sendJson(response, 400, errorBody("invalid_request_error", "anthropic-version: header is required"));
      if (request.method === "GET" && path === "/v1/models") {
        const limit = Number(new URL(record.path, "http://mock").searchParams.get("limit") ?? 20);
        const ids = (options.models ?? ["claude-mock"]).slice(0, limit);
        return sendJson(response, 200, {
          data: ids.map((id) => ({ type: "model", id, display_name: id, created_at: "2025-01-01T00:00:00Z" })),
          has_more: false,
          first_id: ids[0] ?? null,
          last_id: ids.at(-1) ?? null,
        });
      }
      if (request.method !== "POST" || path !== "/v1/messages")
        return sendJson(response, 404, errorBody("not_found_error", `No route for ${request.method} ${path}.`));
      const body = record.body;
      if (body === undefined || !Array.isArray(body.messages) || typeof body.max_tokens !== "number")
        return sendJson(response, 400, errorBody("invalid_request_error", "`messages` and `max_tokens` are required."));
      return capacity.hold(() => answer(exchange, body));
    },
  );

  /** A Messages request past its checks: faults and latency, then the reply. */
  async function answer(exchange: MockExchange<MockMessagesRequest>, body: MockMessagesRequest): Promise<void> {
    const next = await nextReply(script, exchange, body);
    if (next === undefined) return;
    const { reply, fault } = next;
    messageCounter += 1;
    const message = buildMessage(body, reply, `msg_mock_${messageCounter}`);
    const events = streamEvents(message, options.chunkSize ?? 6);
    if (body.stream !== true) return writeBody(exchange, message, fault as MockFault | undefined, events.length);
    if (fault?.fault === "stream-error") {
      const sent = events.slice(0, fault.afterChunks ?? 2);
      const error = sse(errorBody(fault.errorType ?? "overloaded_error", "Overloaded"));
      return writeEvents(exchange, sent, error, undefined, options.chunkDelayMs);
    }
    return writeEvents(
      exchange,
      events.slice(0, -1),
      events.at(-1) ?? "",
      fault as MockFault | undefined,
      options.chunkDelayMs,
    );
  }

  function answeredByFault(fault: MockAnthropicFault, exchange: MockExchange<MockMessagesRequest>): boolean {
    const { response, request } = exchange;
    switch (fault.fault) {
      case "rate-limit":
        sendJson(
          response,
          429,
          errorBody("rate_limit_error", "Number of requests has exceeded your rate limit."),
          retryAfterHeaders(fault),
        );
        return true;
      case "overloaded":
        sendJson(response, 529, errorBody("overloaded_error", "Overloaded"));
        return true;
      case "server-error":
        sendJson(response, fault.status ?? 500, errorBody("api_error", "Internal server error"));
        return true;
      case "status":
        sendJson(
          response,
          fault.status,
          fault.body ?? errorBody("invalid_request_error", `Mock status ${fault.status}.`),
        );
        return true;
      case "reset":
        request.socket.destroy();
        return true;
      case "malformed-json":
        response.writeHead(200, { "content-type": "application/json" });
        response.end('{"id": "msg_broken", "type": "message", "content": [');
        return true;
      default:
        return false;
    }
  }

  return {
    url: server.origin,
    port: server.port,
    requests: server.requests,
    get connectionCount() {
      return server.connectionCount;
    },
    get openConnections() {
      return server.openConnections;
    },
    certificate: server.certificate,
    get resumedSessions() {
      return server.resumedSessions;
    },
    enqueue(...items) {
      queue.push(...items);
    },
    waitForEarlyClose: (index, timeoutMs) => server.waitForEarlyClose(index, timeoutMs),
    close: () => server.close(),
  };
}

type Block = Record<string, unknown>;
interface Message {
  readonly id: string;
  readonly type: "message";
  readonly role: "assistant";
  readonly model: string;
  readonly content: Block[];
  readonly stop_reason: string;
  readonly stop_sequence: null;
  readonly usage: Record<string, number>;
}

function buildMessage(request: MockMessagesRequest, reply: MockAnthropicReply, id: string): Message {
  const content: Block[] = [];
  if (reply.reasoning !== undefined)
    content.push({ type: "thinking", thinking: reply.reasoning, signature: reply.signature ?? "mock-signature" });
  if (reply.content !== undefined && reply.content !== "") content.push({ type: "text", text: reply.content });
  for (const [index, call] of (reply.toolCalls ?? []).entries())
    content.push({
      type: "tool_use",
      id: call.id ?? `toolu_${id.slice(-6)}_${index}`,
      name: call.name,
      input: typeof call.arguments === "string" ? JSON.parse(call.arguments) : call.arguments,
    });
  const tools = content.some((block) => block.type === "tool_use");
  const approximate = (text: string) => Math.ceil(text.length / 4);
  return {
    id,
    type: "message",
    role: "assistant",
    model: request.model,
    content,
    stop_reason: reply.finishReason ?? (tools ? "tool_use" : "end_turn"),
    stop_sequence: null,
    usage: {
      input_tokens: reply.usage?.promptTokens ?? approximate(JSON.stringify([request.system, request.messages])),
      ...(reply.cacheWriteTokens === undefined ? {} : { cache_creation_input_tokens: reply.cacheWriteTokens }),
      ...(reply.cacheReadTokens === undefined ? {} : { cache_read_input_tokens: reply.cacheReadTokens }),
      output_tokens: reply.usage?.completionTokens ?? approximate(JSON.stringify(content)),
    },
  };
}

const sse = (data: Block) => `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;

function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let start = 0; start < text.length; start += size) out.push(text.slice(start, start + size));
  return out;
}

/** The message as Anthropic streams it: start, each block's start, deltas and stop, a ping, the stop reason and usage, stop. */
function streamEvents(message: Message, chunkSize: number): string[] {
  const { input_tokens, output_tokens, ...cache } = message.usage;
  const events = [
    sse({
      type: "message_start",
      message: { ...message, content: [], stop_reason: null, usage: { input_tokens, ...cache, output_tokens: 1 } },
    }),
  ];
  for (const [index, block] of message.content.entries()) {
    if (block.type === "text") {
      events.push(sse({ type: "content_block_start", index, content_block: { type: "text", text: "" } }));
      if (index === 0) events.push(sse({ type: "ping" }));
      for (const text of pieces(String(block.text), chunkSize))
        events.push(sse({ type: "content_block_delta", index, delta: { type: "text_delta", text } }));
    } else if (block.type === "thinking") {
      events.push(sse({ type: "content_block_start", index, content_block: { type: "thinking", thinking: "" } }));
      for (const thinking of pieces(String(block.thinking), chunkSize))
        events.push(sse({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking } }));
      events.push(
        sse({ type: "content_block_delta", index, delta: { type: "signature_delta", signature: block.signature } }),
      );
    } else {
      events.push(sse({ type: "content_block_start", index, content_block: { ...block, input: {} } }));
      for (const partial_json of ["", ...pieces(JSON.stringify(block.input), chunkSize)])
        events.push(sse({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } }));
    }
    events.push(sse({ type: "content_block_stop", index }));
  }
  events.push(
    sse({
      type: "message_delta",
      delta: { stop_reason: message.stop_reason, stop_sequence: null },
      usage: { output_tokens },
    }),
    sse({ type: "message_stop" }),
  );
  return events;
}
