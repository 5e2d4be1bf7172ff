import { HearthError, UserError } from "../core/errors.ts";
import type { SessionStore } from "../core/session-store.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { HttpRequest, HttpResponse } from "./http-types.ts";

export const sessionPath = /^\/v1\/sessions\/([A-Za-z0-9_-]{1,128})$/;
/** A model's id, percent-encoded as clients send it (`team:support` as `team%3Asupport`). */
export const modelPath = /^\/v1\/models\/([^/]{1,300})$/;
const hearthRoutes = [
  "/v1/chat",
  "/v1/chat/completions",
  "/v1/models",
  "/v1/startup",
  "/healthz",
  "/readyz",
  "/metrics",
  "/openapi.json",
];

/** The playground's page (`/playground`) and its parts (`/playground/app.js`, ...). */
export const playgroundPath = /^\/playground(?:\/([A-Za-z0-9._-]{1,64}))?$/;

/** The routes that answer as OpenAI's API does, errors included. */
export const openAIRoutes: ReadonlySet<string> = new Set(["/v1/chat/completions", "/v1/models", "/v1/models/:id"]);

/** The route a path belongs to, as logs and metrics name it ("unknown" for none of hearth's). */
export function routeOf(path: string): string {
  if (sessionPath.test(path)) return "/v1/sessions/:id";
  if (modelPath.test(path)) return "/v1/models/:id";
  const playground = playgroundPath.exec(path);
  if (playground !== null) return playground[1] === undefined ? "/playground" : "/playground/:part";
  return hearthRoutes.includes(path) ? path : "unknown";
}

const basePathPattern = /^(\/[A-Za-z0-9._~-]+)+$/;

/** The server's `basePath` option, checked: "" for none. */
export function basePathOf(value: string | undefined): string {
  if (value === undefined) return "";
  if (typeof value !== "string" || !basePathPattern.test(value))
    throw new UserError(
      `The server option \`basePath\` must look like "/agents" (segments of letters, digits, ".", "_", "~" or "-", no trailing "/"), not ${JSON.stringify(value)}.`,
      { field: "basePath" },
    );
  return value;
}

/** What a route of the app's own is given beside the request. */
export interface RouteContext {
  readonly runtime: Runtime;
  /** The server's session store: pass it to `runtime.runTurn`. */
  readonly store: SessionStore;
  /** The request's id (its log line, `x-request-id`). */
  readonly requestId: string;
  /**
   * The caller's tenant, from `Authorization: Bearer <key>` as hearth's own routes read it: a
   * missing or unknown key is a 401 (HEARTH_UNAUTHORIZED). "default" for an app without keys.
   */
  tenant(): Promise<string>;
  /** The body as JSON, within the server's body limits (415 unless sent as JSON, 400 when it is not JSON). */
  readJson(): Promise<unknown>;
}

/** A route of the app's own: answers a request, or throws (a HearthError keeps its status; anything else is a 500). */
export type RouteHandler = (request: HttpRequest, context: RouteContext) => HttpResponse | Promise<HttpResponse>;

const routeKey = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (\/[A-Za-z0-9._~\-/]*)$/;

/**
 * The app's own routes (`routes: { "POST /chat": handler }`), served beside hearth's: logged,
 * counted and answered with problem documents like them. A path of hearth's own cannot be taken.
 */
export class OwnRoutes {
  readonly #byPath = new Map<string, Map<string, RouteHandler>>();

  constructor(routes: Readonly<Record<string, RouteHandler>> | undefined) {
    for (const [key, handler] of Object.entries(routes ?? {})) {
      const match = routeKey.exec(key);
      if (match === null)
        throw new UserError(`The server's route ${JSON.stringify(key)} must read "METHOD /path", as "POST /chat".`, {
          field: "routes",
        });
      const [, method = "", path = ""] = match;
      if (routeOf(path) !== "unknown")
        throw new UserError(`The server's route ${JSON.stringify(key)} takes a path of hearth's own.`, {
          field: "routes",
        });
      if (typeof handler !== "function")
        throw new UserError(`The server's route ${JSON.stringify(key)} must be a function.`, { field: "routes" });
      const methods = this.#byPath.get(path) ?? new Map<string, RouteHandler>();
      methods.set(method, handler);
      this.#byPath.set(path, methods);
    }
  }

  has(path: string): boolean {
    return this.#byPath.has(path);
  }

  /** The handler for a path `has` knows; another method on it is a 405 naming the ones it takes. */
  handler(method: string, path: string): RouteHandler {
    const methods = this.#byPath.get(path);
    const handler = methods?.get(method);
    if (handler === undefined)
      throw new HearthError(
        "HEARTH_METHOD_NOT_ALLOWED",
        `${path} takes ${[...(methods?.keys() ?? [])].join(", ")}, not ${method}.`,
      );
    return handler;
  }
}
