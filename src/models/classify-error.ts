import { HearthError } from "../core/errors.ts";
import { redact } from "../internal/redact.ts";

/**
 * How an error names the provider it came from. A client is told the label only (its URL can
 * hold credentials and names an internal host); the URL, without its user info, stays in the
 * error's `url` field for the server's log.
 */
export interface ProviderTarget {
  readonly provider: string;
  readonly url: string;
}

/** A target for errors about `url`, with the URL's user info removed. */
export function providerTarget(provider: string, url: URL): ProviderTarget {
  if (url.username === "" && url.password === "") return { provider, url: url.href };
  const bare = new URL(url.href);
  bare.username = "";
  bare.password = "";
  return { provider, url: bare.href };
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads `retry-after-ms` (OpenAI) or `retry-after` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const milliseconds = header(headers, "retry-after-ms");
  if (milliseconds !== undefined && /^\d+(\.\d+)?$/.test(milliseconds.trim())) return Math.ceil(Number(milliseconds));
  const value = header(headers, "retry-after")?.trim();
  if (value === undefined || value === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Pulls a provider's `error.message` out of an error body, if it has one. */
function providerMessage(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof json.error === "object" && typeof json.error.message === "string") return json.error.message;
    if (typeof json.error === "string") return json.error;
    if (typeof json.message === "string") return json.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 300);
}

/**
 * Classifies a non-2xx answer. 401/403 and 400-class mistakes are never retried. The provider's
 * own message is kept, redacted: some quote the key they were sent.
 */
export function errorFromStatus(status: number, body: string, headers: Headers, target: ProviderTarget): HearthError {
  const detail = redact(providerMessage(body));
  const name = `The model provider "${target.provider}"`;
  const fields = { status, url: target.url };
  if (status === 401 || status === 403) {
    return new HearthError("HEARTH_MODEL_AUTH", `${name} refused the credentials (${status}): ${detail}`, {
      ...fields,
      retryable: false,
    });
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers);
    return new HearthError("HEARTH_MODEL_RATE_LIMITED", `${name} is rate limiting (429): ${detail}`, {
      ...fields,
      retryable: true,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status === 408 || status === 409) {
    return new HearthError("HEARTH_MODEL_SERVER", `${name} answered ${status}: ${detail}`, {
      ...fields,
      retryable: true,
    });
  }
  if (status >= 400 && status < 500) {
    return new HearthError("HEARTH_MODEL_BAD_REQUEST", `${name} rejected the request (${status}): ${detail}`, {
      ...fields,
      retryable: false,
    });
  }
  return new HearthError("HEARTH_MODEL_SERVER", `${name} failed (${status}): ${detail}`, {
    ...fields,
    retryable: status >= 500,
  });
}

const connectionCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
]);

/** Certificate problems do not fix themselves: a retry would only repeat them. */
function isCertificateError(code: string): boolean {
  return (
    code.startsWith("CERT_") ||
    code.includes("SELF_SIGNED") ||
    code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" ||
    code === "ERR_TLS_CERT_ALTNAME_INVALID"
  );
}

/**
 * Classifies what a socket threw (DNS, refused, reset, TLS) into a connection error. The message
 * names the socket's error code, not its text: that names the host and port.
 */
export function errorFromNetwork(error: unknown, target: ProviderTarget): HearthError {
  if (HearthError.is(error)) return error;
  const code = typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : "";
  const url = target.url;
  if (isCertificateError(code)) {
    return new HearthError(
      "HEARTH_MODEL_CONNECTION",
      `TLS certificate check failed for the model provider "${target.provider}" (${code}).`,
      { cause: error, url, retryable: false },
    );
  }
  const dns = code === "ENOTFOUND" || code === "EAI_AGAIN";
  const what = dns ? "could not resolve the host of the model provider" : "could not reach the model provider";
  return new HearthError(
    "HEARTH_MODEL_CONNECTION",
    `hearth ${what} "${target.provider}": ${code || "the connection failed"}.`,
    {
      cause: error,
      url,
      retryable:
        connectionCodes.has(code) || code.startsWith("ERR_TLS") || code === "" || code === "ERR_STREAM_PREMATURE_CLOSE",
    },
  );
}
