import { reportConstruction } from "../../core/construction.ts";
import { abortError, HearthError, UserError } from "../../core/errors.ts";
import { addSecrets } from "../../internal/redact.ts";
import { syntheticExchange, type SyntheticExchange } from "../../core/synthetic.ts";
import { outgoingTraceparent } from "../../core/operations.ts";
import type {
  CallOptions,
  ModelClient,
  ModelInfo,
  ModelRequest,
  ModelResponse,
  ModelStreamChunk,
} from "../../core/model-client.ts";
import { type ConnectionPools, sharedConnectionPools } from "../connection-pools.ts";
import { HttpCall } from "../http-call.ts";
import { isReasoningModel, modelInfoFor } from "../model-info.ts";
import { defaultRetryPolicy, type RetryPolicy, withRetries } from "../retry.ts";
import { SseParser } from "./sse.ts";
import { type SamplingOptions, toWireRequest } from "./wire-request.ts";
import { fromWireResponse, invalidResponse, parseBody, parseStreamData, StreamAssembler } from "./wire-response.ts";
import { wireResponseBody, wireStreamText } from "./wire-synthetic.ts";
import { knownOptions } from "../../core/known-options.ts";
import { type ModelClientAutoGenNames, openAIClientOptionNames } from "../option-names.ts";

export interface OpenAIChatCompletionClientOptions extends SamplingOptions {
  readonly model: string;
  /**
   * How errors (and the problem documents clients see) name this provider: never by its URL.
   * Default "openai" for api.openai.com, "azure.ai.openai" for Azure, else "openai-compatible".
   */
  readonly provider?: string;
  /** Defaults to `OPENAI_API_KEY`. Local servers (Ollama, vLLM, llama.cpp, LM Studio) need none. */
  readonly apiKey?: string | undefined;
  /** Defaults to `OPENAI_BASE_URL`, then `https://api.openai.com/v1`. */
  readonly baseURL?: string | undefined;
  readonly headers?: Readonly<Record<string, string>>;
  /** Until the response headers arrive, and then between two chunks of the body. Default 60 s. */
  readonly timeoutMs?: number;
  /** Default 2. */
  readonly maxRetries?: number;
  /** Backoff tuning; most users never set it. */
  readonly retry?: Partial<Omit<RetryPolicy, "maxRetries">>;
  /** What the model can do, for models hearth does not know. */
  readonly modelInfo?: Partial<ModelInfo>;
  /** The pools to share; every client uses the process-wide ones unless told otherwise. */
  readonly connectionPools?: ConnectionPools;
  /**
   * `parallel_tool_calls` for requests with tools that do not set it themselves (an agent's
   * `parallelToolCalls` wins). Default: unset, the provider's own default.
   */
  readonly parallelToolCalls?: boolean;
}

/** Where to send a request and with which headers; Azure overrides this. */
export interface Endpoint {
  /** The default label of the provider, for errors. */
  readonly provider: string;
  readonly chatCompletionsURL: URL;
  /** The cheap authenticated call that warm-up makes. */
  readonly warmupURL: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** Bearer tokens that change over time (Azure's Entra ID), sent as `Authorization`; see azure-ad-token.ts. */
  readonly bearerTokens?: BearerTokens;
}

/** Where a client gets a bearer token that expires: held between requests, replaced when refused. */
export interface BearerTokens {
  token(): string | Promise<string>;
  /** A new token after the provider refused `rejected` (401). */
  replace(rejected: string): Promise<string>;
}

/**
 * A client for any OpenAI-compatible Chat Completions endpoint, without the `openai` SDK (about
 * 220 ms of import). It holds configuration only: no conversation, no counters. Connections come
 * from a keep-alive pool shared by every client that points at the same origin.
 */
export class OpenAIChatCompletionClient implements ModelClient {
  readonly model: string;
  readonly modelInfo: ModelInfo;
  /** The provider's label in errors. */
  readonly provider: string;
  readonly #endpoint: Endpoint;
  readonly #sampling: SamplingOptions;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #pools: ConnectionPools;
  readonly #parallelToolCalls: boolean | undefined;

  constructor(options: OpenAIChatCompletionClientOptions & ModelClientAutoGenNames, endpoint?: Endpoint) {
    // Azure's client checks its own options and gives its endpoint.
    if (endpoint === undefined) options = knownOptions("OpenAIChatCompletionClient", options, openAIClientOptionNames);
    if (typeof options?.model !== "string" || options.model === "")
      throw new UserError("OpenAIChatCompletionClient needs a `model` name.", { field: "model" });
    const timeoutMs = options.timeoutMs ?? 60_000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new UserError("`timeoutMs` must be a positive number.", { field: "timeoutMs" });
    const maxRetries = options.maxRetries ?? defaultRetryPolicy.maxRetries;
    if (!Number.isInteger(maxRetries) || maxRetries < 0)
      throw new UserError("`maxRetries` must be a whole number, 0 or more.", { field: "maxRetries" });
    if (
      options.provider !== undefined &&
      (typeof options.provider !== "string" || !/^[\w.:-]{1,64}$/.test(options.provider))
    ) {
      throw new UserError("`provider` must be a short label (letters, digits, `.`, `:`, `_` or `-`), not a URL.", {
        field: "provider",
      });
    }
    if (options.parallelToolCalls !== undefined && typeof options.parallelToolCalls !== "boolean")
      throw new UserError("`parallelToolCalls` must be true or false.", { field: "parallelToolCalls" });
    this.model = options.model;
    this.modelInfo = modelInfoFor(options.model, options.modelInfo);
    this.#endpoint = endpoint ?? openAIEndpoint(options);
    this.provider = options.provider ?? this.#endpoint.provider;
    // The key this client sends is redacted from everything hearth lets out: some providers quote it back.
    addSecrets(credentialsIn(this.#endpoint.headers));
    this.#timeoutMs = timeoutMs;
    this.#retry = { ...defaultRetryPolicy, ...options.retry, maxRetries };
    this.#pools = options.connectionPools ?? sharedConnectionPools;
    this.#sampling = pickSampling(options);
    this.#parallelToolCalls = options.parallelToolCalls;
    Object.freeze(this);
    reportConstruction("model-client", this.model);
  }

  /** The origin whose pool this client uses. */
  get origin(): string {
    return this.#endpoint.chatCompletionsURL.origin;
  }

  async create(request: ModelRequest, options: CallOptions = {}): Promise<ModelResponse> {
    const body = JSON.stringify(this.#wire(request, false));
    return withRetries(this.#retry, options.signal, () =>
      this.#authorized(options.signal, async (token) => {
        const call = this.#call("POST", this.#endpoint.chatCompletionsURL, body, "application/json", options, token);
        await call.open();
        return fromWireResponse(parseBody(await call.readText()));
      }),
    );
  }

  /**
   * Streams the answer. A failure before the first bytes of the body (an error status, a reset, a
   * stream that stalls from its start) is retried like `create`; once the body flows, a failure is
   * thrown to the caller, who may have seen part of the answer.
   */
  async *createStream(request: ModelRequest, options: CallOptions = {}): AsyncGenerator<ModelStreamChunk> {
    const body = JSON.stringify(this.#wire(request, true));
    const url = this.#endpoint.chatCompletionsURL;
    const { call, chunks, first } = await withRetries(this.#retry, options.signal, () =>
      this.#authorized(options.signal, async (token) => {
        const attempt = this.#call("POST", url, body, "text/event-stream", options, token);
        await attempt.open();
        const chunks = attempt.chunks();
        return { call: attempt, chunks, first: await chunks.next() };
      }),
    );
    try {
      yield* assembleStream(prepended(first, chunks));
    } finally {
      call.dispose();
    }
  }

  /** The request and response code without the network, for the runtime's synthetic warm-up turns. */
  readonly [syntheticExchange]: SyntheticExchange = {
    create: (request, answer) => {
      JSON.stringify(this.#wire(request, false));
      return fromWireResponse(parseBody(wireResponseBody(answer, this.model)));
    },
    createStream: (request, answer) => {
      JSON.stringify(this.#wire(request, true));
      return assembleStream(oneChunk(wireStreamText(answer, this.model)));
    },
  };

  /**
   * Opens a pooled connection to the provider (DNS, TCP, TLS) and proves the key with one cheap
   * authenticated call (`GET /models`). One attempt: the runtime retries warm-ups by failure class
   * (auth and bad URLs fail startup at once), and retrying here too would multiply the attempts.
   */
  async warmup(options: CallOptions = {}): Promise<void> {
    await this.#authorized(options.signal, async (token) => {
      const call = this.#call("GET", this.#endpoint.warmupURL, undefined, "application/json", options, token);
      await call.open();
      await call.readText();
    });
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
    const parallel = this.#parallelToolCalls;
    return toWireRequest(
      parallel === undefined || request.parallelToolCalls !== undefined
        ? request
        : { ...request, parallelToolCalls: parallel },
      {
        ...this.#sampling,
        model: this.model,
        stream,
        useMaxCompletionTokens: isReasoningModel(this.model),
      },
    );
  }

  /**
   * One attempt with the endpoint's current bearer token, when it has changing ones: a 401 replaces
   * the token and sends the attempt once more (the retry loop never retries a 401).
   */
  async #authorized<T>(signal: AbortSignal | undefined, send: (token: string | undefined) => Promise<T>): Promise<T> {
    const tokens = this.#endpoint.bearerTokens;
    if (tokens === undefined) return send(undefined);
    const current = tokens.token();
    const token = typeof current === "string" ? current : await untilAborted(current, signal);
    try {
      return await send(token);
    } catch (error) {
      if (!HearthError.is(error, "HEARTH_MODEL_AUTH") || error.status !== 401) throw error;
      return send(await untilAborted(tokens.replace(token), signal));
    }
  }

  #call(
    method: "GET" | "POST",
    url: URL,
    body: string | undefined,
    accept: string,
    options: CallOptions,
    token?: string,
  ): HttpCall {
    const headers: Record<string, string> = { ...this.#endpoint.headers, accept };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
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
async function* assembleStream(texts: AsyncIterable<string>): AsyncGenerator<ModelStreamChunk> {
  const parser = new SseParser();
  const assembler = new StreamAssembler();
  let done = false;
  for await (const text of texts) {
    for (const data of parser.feed(text)) {
      if (data === "[DONE]") {
        done = true;
        continue;
      }
      yield* assembler.push(parseStreamData(data));
    }
  }
  for (const data of parser.end()) {
    if (data !== "[DONE]") yield* assembler.push(parseStreamData(data));
    else done = true;
  }
  if (!done && !assembler.sawChunk) throw invalidResponse("the stream ended before any chunk");
  yield { type: "response", response: assembler.finish() };
}

async function* oneChunk(text: string): AsyncGenerator<string> {
  yield text;
}

function pickSampling(options: SamplingOptions): SamplingOptions {
  const keys = [
    "temperature",
    "topP",
    "maxTokens",
    "seed",
    "stop",
    "presencePenalty",
    "frequencyPenalty",
    "user",
  ] as const;
  const sampling: Record<string, unknown> = {};
  for (const key of keys) if (options[key] !== undefined) sampling[key] = options[key];
  return Object.freeze(sampling) as SamplingOptions;
}

function openAIEndpoint(options: OpenAIChatCompletionClientOptions): Endpoint {
  const base = parseBaseURL(options.baseURL ?? process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1");
  const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY;
  const headers: Record<string, string> = { ...options.headers };
  if (apiKey !== undefined && apiKey !== "") headers.authorization = `Bearer ${apiKey}`;
  const provider = base.hostname === "api.openai.com" ? "openai" : "openai-compatible";
  // Said at startup, in words, rather than as the provider's 401 at warm-up.
  if (provider === "openai" && headers.authorization === undefined && headers.Authorization === undefined)
    throw new UserError(
      "OpenAIChatCompletionClient needs an API key for api.openai.com: set OPENAI_API_KEY or pass `apiKey`. (A local or compatible server, set with `baseURL` or OPENAI_BASE_URL, may need none.)",
      { field: "apiKey" },
    );
  return Object.freeze({
    provider,
    chatCompletionsURL: new URL("chat/completions", base),
    warmupURL: new URL("models", base),
    headers: Object.freeze(headers),
  });
}

/** The secret values among a client's headers: its bearer token, an `api-key`, anything named like a token or a secret. */
export function credentialsIn(headers: Readonly<Record<string, string>>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === "authorization") values.push(value.replace(/^(Bearer|Basic)\s+/i, ""));
    else if (lower === "api-key" || lower === "x-api-key" || lower.includes("token") || lower.includes("secret"))
      values.push(value);
  }
  return values;
}

export function parseBaseURL(value: string): URL {
  let url: URL;
  try {
    url = new URL(value.endsWith("/") ? value : `${value}/`);
  } catch (cause) {
    throw new UserError(`\`baseURL\` is not a URL: ${JSON.stringify(value)}.`, { field: "baseURL", cause });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UserError(`\`baseURL\` must be http or https, not ${url.protocol}`, { field: "baseURL" });
  return url;
}

/** The chunks of a body whose first chunk was already read. */
export async function* prepended(first: IteratorResult<string>, rest: AsyncGenerator<string>): AsyncGenerator<string> {
  if (first.done === true) return;
  yield first.value;
  yield* rest;
}

/** The promise, or the abort of the call waiting for it (a token the provider is slow to give). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
