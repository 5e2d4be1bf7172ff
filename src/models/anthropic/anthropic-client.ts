import { reportConstruction } from "../../core/construction.ts";
import { UserError } from "../../core/errors.ts";
import type {
  CallOptions,
  ModelClient,
  ModelInfo,
  ModelRequest,
  ModelResponse,
  ModelStreamChunk,
} from "../../core/model-client.ts";
import { outgoingTraceparent } from "../../core/operations.ts";
import { type SyntheticExchange, syntheticExchange } from "../../core/synthetic.ts";
import { addSecrets } from "../../internal/redact.ts";
import { type ConnectionPools, sharedConnectionPools } from "../connection-pools.ts";
import { HttpCall } from "../http-call.ts";
import { modelInfoFor } from "../model-info.ts";
import { credentialsIn, parseBaseURL, prepended } from "../openai/openai-client.ts";
import { SseParser } from "../openai/sse.ts";
import { defaultRetryPolicy, type RetryPolicy, withRetries } from "../retry.ts";
import { type AnthropicSamplingOptions, answerTool, toWireRequest } from "./wire-request.ts";
import { fromWireResponse, parseJson, StreamAssembler } from "./wire-response.ts";
import { wireResponseBody, wireStreamText } from "./wire-synthetic.ts";
import { knownOptions } from "../../core/known-options.ts";
import { anthropicClientOptionNames, type ModelClientAutoGenNames } from "../option-names.ts";

export interface AnthropicChatCompletionClientOptions extends AnthropicSamplingOptions {
  /** For example "claude-sonnet-4-5" or "claude-haiku-4-5". */
  readonly model: string;
  /** How errors name the provider. Default "anthropic" for api.anthropic.com, else "anthropic-compatible". */
  readonly provider?: string;
  /** Defaults to `ANTHROPIC_API_KEY`; sent as `x-api-key`. */
  readonly apiKey?: string | undefined;
  /** Defaults to `ANTHROPIC_BASE_URL`, then `https://api.anthropic.com` (without `/v1`, as Anthropic's SDKs take it). */
  readonly baseURL?: string | undefined;
  readonly headers?: Readonly<Record<string, string>>;
  /** Until the response headers arrive, and then between two chunks of the body. Default 60 s. */
  readonly timeoutMs?: number;
  /** Default 2. */
  readonly maxRetries?: number;
  readonly retry?: Partial<Omit<RetryPolicy, "maxRetries">>;
  /** What the model can do, for models hearth does not know. */
  readonly modelInfo?: Partial<ModelInfo>;
  readonly connectionPools?: ConnectionPools;
}

/** The Messages API version hearth speaks. */
export const anthropicVersion = "2023-06-01";

/**
 * A client for Anthropic's Messages API (AutoGen's `AnthropicChatCompletionClient`), on hearth's
 * own HTTP layer and the process-wide connection pools, as the OpenAI client is: no SDK to load.
 * It holds configuration only; any number of concurrent calls are safe.
 */
export class AnthropicChatCompletionClient implements ModelClient {
  readonly model: string;
  readonly modelInfo: ModelInfo;
  readonly provider: string;
  readonly #messagesURL: URL;
  readonly #warmupURL: URL;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #sampling: AnthropicSamplingOptions;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #pools: ConnectionPools;

  constructor(options: AnthropicChatCompletionClientOptions & ModelClientAutoGenNames) {
    options = knownOptions("AnthropicChatCompletionClient", options, anthropicClientOptionNames);
    if (typeof options?.model !== "string" || options.model === "")
      throw new UserError("AnthropicChatCompletionClient needs a `model` name.", { field: "model" });
    const timeoutMs = options.timeoutMs ?? 60_000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new UserError("`timeoutMs` must be a positive number.", { field: "timeoutMs" });
    const maxRetries = options.maxRetries ?? defaultRetryPolicy.maxRetries;
    if (!Number.isInteger(maxRetries) || maxRetries < 0)
      throw new UserError("`maxRetries` must be a whole number, 0 or more.", { field: "maxRetries" });
    if (options.maxTokens !== undefined && (!Number.isInteger(options.maxTokens) || options.maxTokens < 1))
      throw new UserError("`maxTokens` must be a whole number, 1 or more.", { field: "maxTokens" });
    if (
      options.thinking !== undefined &&
      (!Number.isInteger(options.thinking.budgetTokens) || options.thinking.budgetTokens < 1024)
    )
      throw new UserError("`thinking.budgetTokens` must be a whole number, 1024 or more (Anthropic's minimum).", {
        field: "thinking",
      });
    if (
      options.provider !== undefined &&
      (typeof options.provider !== "string" || !/^[\w.:-]{1,64}$/.test(options.provider))
    )
      throw new UserError("`provider` must be a short label (letters, digits, `.`, `:`, `_` or `-`), not a URL.", {
        field: "provider",
      });
    const base = parseBaseURL(options.baseURL ?? process.env.ANTHROPIC_BASE_URL ?? "https://api.anthropic.com");
    const apiKey = options.apiKey ?? process.env.ANTHROPIC_API_KEY;
    const headers: Record<string, string> = { "anthropic-version": anthropicVersion, ...options.headers };
    if (apiKey !== undefined && apiKey !== "") headers["x-api-key"] = apiKey;
    const official = base.hostname === "api.anthropic.com";
    // Said at startup, in words, rather than as a 401 at warm-up. A gateway may take its own header.
    if (official && headers["x-api-key"] === undefined && headers.authorization === undefined)
      throw new UserError(
        "AnthropicChatCompletionClient needs an API key for api.anthropic.com: set ANTHROPIC_API_KEY or pass `apiKey`.",
        { field: "apiKey" },
      );
    this.model = options.model;
    this.modelInfo = modelInfoFor(options.model, options.modelInfo);
    this.provider = options.provider ?? (official ? "anthropic" : "anthropic-compatible");
    this.#messagesURL = new URL("v1/messages", base);
    // Listing one model is authenticated and spends no tokens.
    this.#warmupURL = new URL("v1/models?limit=1", base);
    this.#headers = Object.freeze(headers);
    addSecrets(credentialsIn(this.#headers));
    this.#timeoutMs = timeoutMs;
    this.#retry = { ...defaultRetryPolicy, ...options.retry, maxRetries };
    this.#pools = options.connectionPools ?? sharedConnectionPools;
    this.#sampling = pickSampling(options);
    Object.freeze(this);
    reportConstruction("model-client", this.model);
  }

  /** The origin whose pool this client uses. */
  get origin(): string {
    return this.#messagesURL.origin;
  }

  async create(request: ModelRequest, options: CallOptions = {}): Promise<ModelResponse> {
    const body = JSON.stringify(this.#wire(request, false));
    const answer = answerTool(request.responseFormat)?.name;
    return withRetries(this.#retry, options.signal, async () => {
      const call = this.#call("POST", this.#messagesURL, body, "application/json", options);
      await call.open();
      return fromWireResponse(parseJson(await call.readText(), "the body"), answer);
    });
  }

  /**
   * Streams the answer. A failure before the first bytes of the body is retried like `create`;
   * once the body flows, a failure (a reset, a stall, an `error` event) is thrown to the caller,
   * who may have seen part of the answer.
   */
  async *createStream(request: ModelRequest, options: CallOptions = {}): AsyncGenerator<ModelStreamChunk> {
    const body = JSON.stringify(this.#wire(request, true));
    const answer = answerTool(request.responseFormat)?.name;
    const { call, chunks, first } = await withRetries(this.#retry, options.signal, async () => {
      const attempt = this.#call("POST", this.#messagesURL, body, "text/event-stream", options);
      await attempt.open();
      const chunks = attempt.chunks();
      return { call: attempt, chunks, first: await chunks.next() };
    });
    try {
      yield* assembleStream(prepended(first, chunks), answer);
    } finally {
      call.dispose();
    }
  }

  /** The request and response code without the network, for the runtime's synthetic warm-up turns. */
  readonly [syntheticExchange]: SyntheticExchange = {
    create: (request, answer) => {
      JSON.stringify(this.#wire(request, false));
      return fromWireResponse(parseJson(wireResponseBody(answer, this.model), "the body"));
    },
    createStream: (request, answer) => {
      JSON.stringify(this.#wire(request, true));
      return assembleStream(oneChunk(wireStreamText(answer, this.model)));
    },
  };

  /**
   * Opens a pooled connection (DNS, TCP, TLS) and proves the key with `GET /v1/models?limit=1`,
   * which spends no tokens. One attempt: the runtime retries warm-ups by failure class.
   */
  async warmup(options: CallOptions = {}): Promise<void> {
    const call = this.#call("GET", this.#warmupURL, undefined, "application/json", options);
    await call.open();
    await call.readText();
  }

  /** Open connections to this client's origin, in use and idle (see ConnectionPools). */
  connections(): { readonly active: number; readonly idle: number } {
    return this.#pools.stats()[this.origin] ?? { active: 0, idle: 0 };
  }

  /** Milliseconds since any client last sent a request to this client's origin (see ConnectionPools). */
  idleMs(): number {
    return this.#pools.idleMs(this.origin);
  }

  /** Nothing to release: the connection pools are shared and closed with the process's runtime. */
  async close(): Promise<void> {}

  #wire(request: ModelRequest, stream: boolean): Record<string, unknown> {
    return toWireRequest(request, { ...this.#sampling, model: this.model, stream });
  }

  #call(method: "GET" | "POST", url: URL, body: string | undefined, accept: string, options: CallOptions): HttpCall {
    const headers: Record<string, string> = { ...this.#headers, accept };
    const traceparent = outgoingTraceparent(options.run);
    if (traceparent !== undefined) headers.traceparent = traceparent;
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    return new HttpCall({
      url,
      provider: this.provider,
      method,
      headers,
      pool: this.#pools.forOrigin(url),
      timeoutMs: this.#timeoutMs,
      signal: options.signal,
      ...(options.run?.connected === undefined ? {} : { onNewConnection: options.run.connected }),
      ...(body === undefined ? {} : { body }),
    });
  }
}

/** Server-sent events in, stream chunks out: the deltas as they come, then the whole response. */
async function* assembleStream(texts: AsyncIterable<string>, answer?: string): AsyncGenerator<ModelStreamChunk> {
  const parser = new SseParser();
  const assembler = new StreamAssembler(answer);
  for await (const text of texts)
    for (const data of parser.feed(text)) yield* assembler.push(parseJson(data, "a stream event"));
  for (const data of parser.end()) yield* assembler.push(parseJson(data, "a stream event"));
  yield { type: "response", response: assembler.finish() };
}

async function* oneChunk(text: string): AsyncGenerator<string> {
  yield text;
}

function pickSampling(options: AnthropicSamplingOptions): AnthropicSamplingOptions {
  const keys = ["maxTokens", "temperature", "topP", "topK", "stopSequences", "thinking"] as const;
  const sampling: Record<string, unknown> = {};
  for (const key of keys) if (options[key] !== undefined) sampling[key] = options[key];
  return Object.freeze(sampling) as AnthropicSamplingOptions;
}
