import type { ErrorCode } from "../core/error-codes.ts";
import { HearthError } from "../core/errors.ts";
import { redact, redactValue } from "../internal/redact.ts";

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

/** A provider's error object: `body.error` when it is one (OpenAI's shape and most others'). */
function errorObjectIn(json: unknown): Record<string, unknown> | undefined {
  const error = (json as { error?: unknown } | null)?.error;
  return typeof error === "object" && error !== null && !Array.isArray(error)
    ? (error as Record<string, unknown>)
    : undefined;
}

/** Pulls a provider's `error.message` out of an error body, if it has one. */
function providerMessage(json: unknown, body: string): string {
  const error = (json as { error?: unknown } | null)?.error;
  const object = errorObjectIn(json);
  if (typeof object?.message === "string") return object.message;
  if (typeof error === "string") return error;
  const message = (json as { message?: unknown } | null)?.message;
  if (typeof message === "string") return message;
  return body.slice(0, 300);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

const detailCharacters = 2000;

function capStrings(value: unknown): unknown {
  if (typeof value === "string")
    return value.length > detailCharacters
      ? `${value.slice(0, detailCharacters)}... (${value.length} characters)`
      : value;
  if (Array.isArray(value)) return value.map(capStrings);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, capStrings(item)]));
}

/**
 * What a provider's error object says besides its message (`code`, `type`, `param`, Azure's
 * `innererror`, OpenRouter's `metadata.raw`, Groq's `failed_generation`), redacted (some quote
 * what they were sent) and with long strings cut, for the error's `providerDetails`.
 */
export function providerDetailsOf(error: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const details: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error))
    if (key !== "message" && value !== null && value !== undefined && value !== "") details[key] = value;
  if (Object.keys(details).length === 0) return undefined;
  return capStrings(redactValue(details)) as Record<string, unknown>;
}

/** Azure OpenAI's content filter: `code: "content_filter"`, or an `innererror` naming the policy. */
function isContentFilter(error: Readonly<Record<string, unknown>> | undefined): boolean {
  if (error === undefined) return false;
  const inner = error.innererror as { code?: unknown } | null | undefined;
  return error.code === "content_filter" || inner?.code === "ResponsibleAIPolicyViolation";
}

/** How a provider error of this status (undefined: it named none) is classified. */
function classOf(status: number | undefined, contentFilter: boolean): { code: ErrorCode; retryable: boolean } {
  if (contentFilter) return { code: "HEARTH_MODEL_CONTENT_FILTER", retryable: false };
  if (status === undefined) return { code: "HEARTH_MODEL_SERVER", retryable: true };
  if (status === 401 || status === 403) return { code: "HEARTH_MODEL_AUTH", retryable: false };
  if (status === 429) return { code: "HEARTH_MODEL_RATE_LIMITED", retryable: true };
  if (status === 408 || status === 409) return { code: "HEARTH_MODEL_SERVER", retryable: true };
  if (status >= 400 && status < 500) return { code: "HEARTH_MODEL_BAD_REQUEST", retryable: false };
  return { code: "HEARTH_MODEL_SERVER", retryable: status >= 500 };
}

/**
 * Classifies a non-2xx answer. 401/403 and 400-class mistakes are never retried; Azure's content
 * filter is its own class. The provider's own message is kept, redacted: some quote the key they
 * were sent; the rest of its error object goes in `providerDetails`.
 */
export function errorFromStatus(status: number, body: string, headers: Headers, target: ProviderTarget): HearthError {
  const json = parseJson(body);
  const errorObject = errorObjectIn(json);
  const detail = redact(providerMessage(json, body));
  const name = `The model provider "${target.provider}"`;
  const providerDetails = errorObject === undefined ? undefined : providerDetailsOf(errorObject);
  const { code, retryable } = classOf(status, isContentFilter(errorObject));
  const retryAfterMs = code === "HEARTH_MODEL_RATE_LIMITED" ? parseRetryAfter(headers) : undefined;
  const fields = {
    status,
    url: target.url,
    retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(providerDetails === undefined ? {} : { providerDetails }),
  };
  switch (code) {
    case "HEARTH_MODEL_CONTENT_FILTER":
      return new HearthError(code, `${name}'s content filter blocked the request (${status}): ${detail}`, fields);
    case "HEARTH_MODEL_AUTH":
      return new HearthError(code, `${name} refused the credentials (${status}): ${detail}`, fields);
    case "HEARTH_MODEL_RATE_LIMITED":
      return new HearthError(code, `${name} is rate limiting (429): ${detail}`, fields);
    case "HEARTH_MODEL_BAD_REQUEST":
      return new HearthError(code, `${name} rejected the request (${status}): ${detail}`, fields);
    default:
      return new HearthError(
        code,
        status === 408 || status === 409
          ? `${name} answered ${status}: ${detail}`
          : `${name} failed (${status}): ${detail}`,
        fields,
      );
  }
}

/** The HTTP status an error object names: Groq's `status_code`, OpenRouter's numeric `code`, else 400 for an `invalid_request_error`. */
function statusNamedBy(error: Readonly<Record<string, unknown>>): number | undefined {
  for (const value of [error.status_code, error.status, error.code]) {
    const number = typeof value === "string" && /^\d{3}$/.test(value) ? Number(value) : value;
    if (typeof number === "number" && Number.isInteger(number) && number >= 400 && number < 600) return number;
  }
  return error.type === "invalid_request_error" ? 400 : undefined;
}

/**
 * Classifies an error object a provider sent in place of a completion, in a 200 body or inside a
 * stream, as `errorFromStatus` would the status it names: a 400-class error is not retryable.
 */
export function errorFromProviderObject(error: Readonly<Record<string, unknown>>, midStream: boolean): HearthError {
  const status = statusNamedBy(error);
  const contentFilter = isContentFilter(error);
  const { code, retryable } = classOf(status, contentFilter);
  const message = redact(typeof error.message === "string" ? error.message : JSON.stringify(error).slice(0, 300));
  const providerDetails = providerDetailsOf(error);
  const what = contentFilter
    ? "The model provider's content filter blocked the request"
    : "The model provider returned an error";
  return new HearthError(
    code,
    `${what}${midStream ? " mid-stream" : ""}${status === undefined ? "" : ` (${status})`}: ${message}`,
    {
      retryable,
      ...(status === undefined ? {} : { status }),
      ...(providerDetails === undefined ? {} : { providerDetails }),
    },
  );
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
