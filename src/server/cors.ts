import { UserError } from "../core/errors.ts";
import type { HttpRequest, HttpResponse } from "./http-types.ts";

/** Browsers allowed to call the server from other origins. Off unless given. */
export interface CorsOptions {
  /** Exact origins (`https://app.example.com`), or "*" for any (then no credentials are implied). */
  readonly origins: readonly string[] | "*";
  /** How long a browser may keep a preflight's answer. Default 600 s. */
  readonly maxAgeSeconds?: number;
}

/** Checks the option when the server is made: a wrong origin is an error before anything starts. */
export function checkCors(cors: CorsOptions | undefined): void {
  if (cors === undefined) return;
  const { origins, maxAgeSeconds } = cors;
  if (origins !== "*") {
    if (!Array.isArray(origins) || origins.length === 0)
      throw new UserError('The server option `cors.origins` must be a list of origins, or "*".', {
        field: "cors.origins",
      });
    for (const origin of origins)
      if (typeof origin !== "string" || !URL.canParse(origin) || new URL(origin).origin !== origin)
        throw new UserError(
          `The server option \`cors.origins\` takes origins (scheme, host and port, no path): ${JSON.stringify(origin)} is not one.`,
          { field: "cors.origins" },
        );
  }
  if (maxAgeSeconds !== undefined && (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 0))
    throw new UserError("The server option `cors.maxAgeSeconds` must be a whole number, 0 or more.", {
      field: "cors.maxAgeSeconds",
    });
}

/** The headers a browser request from an allowed origin is answered with; undefined when the origin is not allowed. */
export function corsHeaders(cors: CorsOptions | undefined, request: HttpRequest): Record<string, string> | undefined {
  const origin = request.headers.origin;
  if (cors === undefined || origin === undefined) return undefined;
  if (cors.origins !== "*" && !cors.origins.includes(origin)) return undefined;
  return {
    "access-control-allow-origin": cors.origins === "*" ? "*" : origin,
    // What a browser script may read of the answer: hearth's own headers.
    "access-control-expose-headers": "x-request-id, x-session-id, retry-after",
    ...(cors.origins === "*" ? {} : { vary: "origin" }),
  };
}

/** A browser's preflight (`OPTIONS` with `access-control-request-method`), or undefined for any other request. */
export function preflight(cors: CorsOptions | undefined, request: HttpRequest): HttpResponse | undefined {
  if (request.method !== "OPTIONS" || request.headers["access-control-request-method"] === undefined) return undefined;
  const allowed = corsHeaders(cors, request);
  // Not allowed (or CORS off): answered without CORS headers, so the browser refuses the call.
  if (allowed === undefined) return { status: 204, headers: {}, body: "" };
  return {
    status: 204,
    headers: {
      ...allowed,
      "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
      "access-control-allow-headers": "authorization, content-type, accept, x-session-id, x-request-id, traceparent",
      "access-control-max-age": String(cors?.maxAgeSeconds ?? 600),
    },
    body: "",
  };
}
