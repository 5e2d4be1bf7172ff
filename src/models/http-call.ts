import type { Agent as HttpAgent, ClientRequest, IncomingMessage } from "node:http";
import { abortError, HearthError } from "../core/errors.ts";
import { networkRefused } from "../internal/synthetic-tripwire.ts";
import { dropIdleSockets } from "./connection-pools.ts";
import { errorFromNetwork, errorFromStatus, providerTarget, type ProviderTarget } from "./classify-error.ts";

export interface HttpCallOptions {
  readonly url: URL;
  /** How errors name the provider to whoever reads them; the URL stays in their `url` field. */
  readonly provider: string;
  readonly method: "GET" | "POST";
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly pool: HttpAgent;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Told when the request had to open a new connection instead of reusing a pooled one. */
  readonly onNewConnection?: () => void;
}

/**
 * One HTTP exchange with a model provider over a pooled keep-alive connection. The timeout runs
 * until the response headers and then restarts at each chunk of the body (an idle timeout), so a
 * long stream that keeps moving is never cut while a stalled one is. Aborting the signal destroys
 * the socket at once: the provider sees the connection close and stops generating.
 */
export class HttpCall {
  readonly #options: HttpCallOptions;
  #request: ClientRequest | undefined;
  #response: IncomingMessage | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failure: HearthError | undefined;
  readonly #onAbort = () => this.#fail(abortError(this.#options.signal));

  constructor(options: HttpCallOptions) {
    this.#options = options;
  }

  /** Sends the request and resolves with the response once its headers arrive and say 2xx. */
  async open(): Promise<IncomingMessage> {
    const { signal } = this.#options;
    if (signal?.aborted === true) throw abortError(signal);
    // The last line of defence: whatever a synthetic warm-up runs, it never reaches the network.
    if (networkRefused())
      throw new HearthError(
        "HEARTH_INTERNAL",
        `A synthetic warm-up turn tried to call the model provider "${this.#options.provider}"; hearth refused it.`,
        { url: this.#target.url, retryable: false },
      );
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#armTimer();
    try {
      const response = await this.#send();
      this.#response = response;
      if (response.statusCode === undefined || response.statusCode < 200 || response.statusCode >= 300) {
        const body = await this.readText();
        throw errorFromStatus(response.statusCode ?? 0, body, response.headers, this.#target);
      }
      return response;
    } catch (error) {
      this.dispose();
      throw this.#failure ?? errorFromNetwork(error, this.#target);
    }
  }

  /**
   * Sends the request. A pooled connection may have died while it sat idle (the provider closed
   * it, or the process was frozen): a request that fails on a reused connection before a single
   * byte of answer arrives was never seen by the provider, so it is sent once more, at once, on a
   * fresh connection, and the pool's other idle connections, as suspect, are dropped.
   */
  #send(mayResend = true): Promise<IncomingMessage> {
    const { url, method, headers, body, pool } = this.#options;
    const http =
      url.protocol === "https:" ? process.getBuiltinModule("node:https") : process.getBuiltinModule("node:http");
    return new Promise<IncomingMessage>((resolve, reject) => {
      const request = http.request(url, { method, headers, agent: pool }, resolve);
      this.#request = request;
      let readBefore = 0;
      request.once("socket", (socket) => {
        readBefore = socket.bytesRead;
        if (!request.reusedSocket) this.#options.onNewConnection?.();
      });
      request.on("error", (error: NodeJS.ErrnoException) => {
        const answered = (request.socket?.bytesRead ?? readBefore) !== readBefore;
        if (mayResend && request.reusedSocket && !answered && this.#failure === undefined && isStaleSocket(error)) {
          dropIdleSockets(pool);
          this.#send(false).then(resolve, reject);
        } else reject(error);
      });
      request.end(body);
    });
  }

  /**
   * Reads the whole body as text, under the idle timeout. Plain stream events, not `chunks()`: an
   * async iterator over the response costs several microseconds more per call.
   */
  readText(): Promise<string> {
    const response = this.#response;
    if (response === undefined) return Promise.resolve("");
    return new Promise<string>((resolve, reject) => {
      let text = "";
      let settled = false;
      const settle = (error: unknown) => {
        if (settled) return;
        settled = true;
        this.dispose();
        if (error === undefined && this.#failure === undefined) resolve(text);
        else reject(this.#failure ?? errorFromNetwork(error, this.#target));
      };
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        this.#armTimer();
        text += chunk;
      });
      const ended = () =>
        settle(
          response.complete ? undefined : Object.assign(new Error("the response ended early"), { code: "ECONNRESET" }),
        );
      // `on`, not `once`: settle runs once anyway, and removing a stream's listeners costs more.
      response.on("end", ended);
      response.on("close", ended);
      response.on("error", settle);
      // Failed or destroyed before this was called (a timeout, an abort): its events are gone.
      if (this.#failure !== undefined || response.destroyed)
        settle(response.errored ?? this.#failure ?? new Error("the response was destroyed"));
    });
  }

  /** The body as UTF-8 text chunks; each chunk restarts the idle timeout. */
  async *chunks(): AsyncGenerator<string> {
    const response = this.#response;
    if (response === undefined) return;
    response.setEncoding("utf8");
    try {
      for await (const chunk of response) {
        this.#armTimer();
        yield chunk as string;
      }
      if (this.#failure !== undefined) throw this.#failure;
      if (!response.complete)
        throw errorFromNetwork(
          Object.assign(new Error("the response ended early"), { code: "ECONNRESET" }),
          this.#target,
        );
    } catch (error) {
      throw this.#failure ?? errorFromNetwork(error, this.#target);
    } finally {
      this.dispose();
    }
  }

  /** Stops the timer and the abort listener; destroys the socket if the body was not read to the end. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
    if (this.#response !== undefined && !this.#response.complete) this.#response.destroy();
  }

  #armTimer(): void {
    // Restarting the same timer is cheaper than a new one for every chunk.
    if (this.#timer !== undefined) {
      this.#timer.refresh();
      return;
    }
    const { timeoutMs, provider } = this.#options;
    this.#timer = setTimeout(() => {
      this.#fail(
        new HearthError(
          "HEARTH_MODEL_TIMEOUT",
          `The model provider "${provider}" did not answer within ${timeoutMs} ms.`,
          { timeoutMs, url: this.#target.url, retryable: true },
        ),
      );
    }, timeoutMs);
  }

  /** Made only when an error needs it. */
  get #target(): ProviderTarget {
    return providerTarget(this.#options.provider, this.#options.url);
  }

  #fail(error: HearthError): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    clearTimeout(this.#timer);
    this.#request?.destroy(error);
    this.#response?.destroy(error);
  }
}

/** The errors of a connection that was already gone when the request was written to it. */
function isStaleSocket(error: NodeJS.ErrnoException): boolean {
  return error.code === "ECONNRESET" || error.code === "EPIPE" || error.code === "ECONNABORTED";
}
