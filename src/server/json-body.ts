import { HearthError } from "../core/errors.ts";
import type { HttpRequest } from "./http-types.ts";

// One decoder for every body: without `stream`, decode() keeps no state between calls.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A request's body as JSON: 415 unless it is sent as JSON, 400 when it is not valid JSON, within the server's limits. */
export async function readJsonBody(
  request: HttpRequest,
  limits: { readonly bodyLimitBytes: number; readonly bodyTimeoutMs: number },
): Promise<unknown> {
  const type = request.headers["content-type"] ?? "";
  if (!/^application\/(.+\+)?json\s*(;|$)/i.test(type)) {
    throw new HearthError(
      "HEARTH_UNSUPPORTED_MEDIA_TYPE",
      `Send the body as application/json${type === "" ? "" : `, not ${type}`}.`,
    );
  }
  const bytes = await request.readBody(limits.bodyLimitBytes, limits.bodyTimeoutMs);
  try {
    return JSON.parse(utf8.decode(bytes)) as unknown;
  } catch {
    throw new HearthError("HEARTH_INVALID_REQUEST", "The body is not valid JSON.", { field: "body" });
  }
}

export function bodyTooLarge(limitBytes: number): HearthError {
  return new HearthError("HEARTH_BODY_TOO_LARGE", `The body is over the limit of ${limitBytes} bytes.`);
}

export function bodyTimedOut(timeoutMs: number): HearthError {
  return new HearthError("HEARTH_BODY_TIMEOUT", `The body did not arrive within ${timeoutMs} ms.`, { timeoutMs });
}
