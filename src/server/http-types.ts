/** A request as every adapter (Node, fetch, Lambda) hands it to hearth's one HTTP app. */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /**
   * Reads the body; more than `limitBytes` is HEARTH_BODY_TOO_LARGE without reading the rest, and a
   * body not whole within `timeoutMs` is HEARTH_BODY_TIMEOUT.
   */
  readonly readBody: (limitBytes: number, timeoutMs: number) => Promise<Uint8Array>;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** A whole body, or server-sent events as they are produced. */
  readonly body: string | AsyncIterable<string>;
  /** For a streamed body: aborted when the server gives up on it (its client reads too slowly); the adapter closes the connection. */
  readonly abandon?: AbortSignal;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(body),
  };
}
