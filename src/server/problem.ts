import { errorCatalogue, type ErrorCode } from "../core/error-codes.ts";
import { HearthError } from "../core/errors.ts";
import { redact } from "../internal/redact.ts";
import type { HttpResponse } from "./http-types.ts";

/**
 * An RFC 9457 problem document for an error: the one place where errors become HTTP. Its detail is
 * redacted: a provider's or a resource's message can quote a key or a password.
 */
export function problemOf(
  error: unknown,
  instance?: string,
): { status: number; body: Record<string, unknown>; headers: Record<string, string> } {
  const known = HearthError.is(error) && error.code in errorCatalogue ? error : undefined;
  const code: ErrorCode = known?.code ?? "HEARTH_INTERNAL";
  const entry = errorCatalogue[code];
  const status = entry.status === 200 ? 500 : entry.status;
  const body: Record<string, unknown> = {
    type: `urn:hearth:error:${code}`,
    title: entry.summary,
    status,
    // Never a stack trace, and for an unexpected error not even its message: the log has those.
    detail:
      known === undefined ? "An unexpected error occurred; the server's log has the details." : redact(known.message),
    code,
    ...(instance === undefined ? {} : { instance }),
  };
  // Redacted too: a field is named by the request, and a client can send a key as a field's name.
  if (known?.field !== undefined) body.field = redact(known.field);
  if (known?.limit !== undefined) body.limit = known.limit;
  if (known?.callIds !== undefined) body.callIds = known.callIds;
  if (known?.retryable === true) body.retryable = true;
  const headers: Record<string, string> = { "content-type": "application/problem+json; charset=utf-8" };
  if (known?.retryAfterMs !== undefined) headers["retry-after"] = String(Math.ceil(known.retryAfterMs / 1000));
  else if (status === 503) headers["retry-after"] = "1";
  return { status, body, headers };
}

export function problemResponse(error: unknown, instance?: string): HttpResponse {
  const { status, body, headers } = problemOf(error, instance);
  return { status, headers, body: JSON.stringify(body) };
}
