import { HearthError } from "../core/errors.ts";
import type { HttpRequest } from "./http-types.ts";

// One decoder for every body: without `stream`, decode() keeps no state between calls.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The deepest a body may nest arrays and objects. JSON.parse takes any depth, but a deep value
 * costs memory to build and overflows the stack of what later walks it (structuredClone of a kept
 * context, JSON.stringify): a 500 after the model was paid for, instead of a 400 before.
 */
const maxBodyDepth = 64;

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
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new HearthError("HEARTH_INVALID_REQUEST", "The body is not valid JSON.", { field: "body" });
  }
  if (nestsDeeperThan(text, maxBodyDepth))
    throw new HearthError(
      "HEARTH_INVALID_REQUEST",
      `The body nests arrays and objects deeper than ${maxBodyDepth} levels.`,
      { field: "body" },
    );
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HearthError("HEARTH_INVALID_REQUEST", "The body is not valid JSON.", { field: "body" });
  }
}

/** Whether JSON text opens more than `limit` arrays and objects inside each other (brackets in strings do not count). */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      // A backslash: the next character is escaped.
      if (code === 0x5c) index++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      if (++depth > limit) return true;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return false;
}

export function bodyTooLarge(limitBytes: number): HearthError {
  return new HearthError("HEARTH_BODY_TOO_LARGE", `The body is over the limit of ${limitBytes} bytes.`);
}

export function bodyTimedOut(timeoutMs: number): HearthError {
  return new HearthError("HEARTH_BODY_TIMEOUT", `The body did not arrive within ${timeoutMs} ms.`, { timeoutMs });
}
