// The Lambda front doors hearth takes, each read into one HttpRequest and answered in its own shape:
// API Gateway HTTP APIs and function URLs (payload 2.0), API Gateway REST APIs (the proxy
// integration, payload 1.0: SAM's `Api` and the Serverless Framework's `http:` events), and
// Application Load Balancer targets.
import { HearthError } from "../core/errors.ts";
import type { HttpRequest } from "./http-types.ts";
import { bodyTooLarge } from "./json-body.ts";

/** An API Gateway HTTP API (payload 2.0), function URL, REST API (payload 1.0) or ALB event. */
export interface HttpApiEvent {
  readonly version?: string;
  readonly rawPath?: string;
  readonly rawQueryString?: string;
  readonly cookies?: readonly string[];
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[] | undefined>> | null;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueQueryStringParameters?: Readonly<Record<string, readonly string[] | undefined>> | null;
  readonly httpMethod?: string;
  readonly path?: string;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: {
    readonly http?: { readonly method?: string; readonly path?: string };
    readonly stage?: string;
    readonly domainName?: string;
    readonly elb?: unknown;
    readonly requestId?: string;
  };
  readonly [key: string]: unknown;
}

/** The answer, in the shape the event's front door reads. */
export interface HttpApiResult {
  readonly statusCode: number;
  /** ALB only: "200 OK". */
  readonly statusDescription?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** ALB with multi-value headers on: the headers, each as a list. */
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

export type FrontDoor = "http-api" | "rest-api" | "alb";

/** Which front door sent the event; undefined for an event that is no HTTP request hearth takes. */
export function frontDoorOf(event: unknown): FrontDoor | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const data = event as HttpApiEvent;
  if (typeof data.requestContext?.http?.method === "string") return "http-api";
  if (typeof data.httpMethod !== "string") return undefined;
  return data.requestContext?.elb !== undefined ? "alb" : "rest-api";
}

/** ALB passes query strings on as the client sent them, still percent-encoded; API Gateway decodes them. */
function decoded(value: string, door: FrontDoor): string {
  if (door !== "alb") return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return value;
  }
}

/**
 * The request an event carries. An HTTP API on a named stage, called on API Gateway's own domain,
 * keeps the stage in `rawPath` (`/prod/v1/chat`): it is taken off. A body sent with no content type (SAM's generated events,
 * some API Gateway tests) is read as JSON, hearth's only body.
 */
export function toHttpRequest(event: HttpApiEvent, door: FrontDoor, signal: AbortSignal): HttpRequest {
  const headers: Record<string, string | undefined> = {};
  const query = new URLSearchParams();
  let method: string;
  let path: string;
  if (door === "http-api") {
    for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
    if (event.cookies !== undefined && event.cookies.length > 0 && headers.cookie === undefined)
      headers.cookie = event.cookies.join("; ");
    for (const [name, value] of new URLSearchParams(event.rawQueryString ?? "")) query.append(name, value);
    method = String(event.requestContext?.http?.method).toUpperCase();
    path = event.rawPath ?? event.requestContext?.http?.path ?? "/";
    // Only on API Gateway's own domain: behind a custom domain's mapping, the path has no stage.
    const stage = event.requestContext?.stage;
    const ownDomain = /\.execute-api\./.test(String(event.requestContext?.domainName ?? ""));
    if (
      ownDomain &&
      stage !== undefined &&
      stage !== "$default" &&
      (path === `/${stage}` || path.startsWith(`/${stage}/`))
    )
      path = path.slice(stage.length + 1) || "/";
  } else {
    if (event.multiValueHeaders != null)
      for (const [name, values] of Object.entries(event.multiValueHeaders))
        if (values !== undefined) headers[name.toLowerCase()] = values.join(", ");
    for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] ??= value;
    if (event.multiValueQueryStringParameters != null) {
      for (const [name, values] of Object.entries(event.multiValueQueryStringParameters))
        for (const value of values ?? []) query.append(decoded(name, door), decoded(value, door));
    } else {
      for (const [name, value] of Object.entries(event.queryStringParameters ?? {}))
        if (value !== undefined) query.append(decoded(name, door), decoded(value, door));
    }
    method = (event.httpMethod as string).toUpperCase();
    // A REST API's `path` is the resource path, without the stage.
    path = event.path ?? "/";
  }
  const body = event.body ?? "";
  if (body !== "" && headers["content-type"] === undefined) headers["content-type"] = "application/json";
  return {
    method,
    path,
    query,
    headers,
    readBody: async (limit) => {
      const bytes = event.isBase64Encoded === true ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
      if (bytes.length > limit) throw bodyTooLarge(limit);
      return bytes;
    },
    signal,
  };
}

const reasons: Readonly<Record<number, string>> = {
  200: "OK",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** An answer in the shape the event's front door reads: ALB wants a status line, and multi-value headers when it sent them. */
export function toResult(
  event: unknown,
  door: FrontDoor | undefined,
  status: number,
  headers: Readonly<Record<string, string>>,
  body: string,
): HttpApiResult {
  if (door !== "alb") return { statusCode: status, headers, body, isBase64Encoded: false };
  const statusDescription = `${status} ${reasons[status] ?? ""}`.trim();
  const multi = (event as HttpApiEvent).multiValueHeaders != null;
  return multi
    ? {
        statusCode: status,
        statusDescription,
        multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
        body,
        isBase64Encoded: false,
      }
    : { statusCode: status, statusDescription, headers, body, isBase64Encoded: false };
}

/** The error for an event no front door sent. */
export function notAnHttpEvent(): HearthError {
  return new HearthError(
    "HEARTH_INVALID_REQUEST",
    "This Lambda handler takes API Gateway HTTP API and REST API proxy events, function URL events and ALB events.",
    { field: "event" },
  );
}

/** What a log line may say of a rejected event: its shape, never its content. */
export function eventShape(event: unknown): Record<string, unknown> {
  if (typeof event !== "object" || event === null) return { eventType: typeof event };
  return { eventKeys: Object.keys(event).slice(0, 12) };
}
