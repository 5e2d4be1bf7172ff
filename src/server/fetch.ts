import type { AnyApp } from "../runtime/app.ts";
import type { AnyRuntime, Runtime, RuntimeOptions } from "../runtime/runtime.ts";
import { MemorySessionStore } from "../state/memory-session-store.ts";
import { defaultSessionTtlMs } from "../core/session-store.ts";
import { runtimeWithApp, type HttpApp, type HttpAppOptions } from "./http-app.ts";
import { bodyTimedOut, bodyTooLarge } from "./json-body.ts";
import type { HttpRequest, HttpResponse } from "./http-types.ts";

export interface FetchHandlerOptions extends HttpAppOptions {
  readonly runtime?: RuntimeOptions;
}

export interface FetchHandler {
  (request: Request): Promise<Response>;
  readonly runtime: Runtime;
  readonly app: HttpApp;
}

async function readLimited(request: Request, limitBytes: number, timeoutMs: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limitBytes) throw bodyTooLarge(limitBytes);
  if (request.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(bodyTimedOut(timeoutMs)), timeoutMs);
  });
  timedOut.catch(() => undefined);
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), timedOut]);
      if (done) break;
      size += value.byteLength;
      if (size > limitBytes) throw bodyTooLarge(limitBytes);
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

export function toHttpRequest(request: Request): HttpRequest {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  return {
    method: request.method,
    path: url.pathname,
    query: url.searchParams,
    headers,
    readBody: (limit, timeoutMs) => readLimited(request, limit, timeoutMs),
    signal: request.signal,
  };
}

export function toResponse(response: HttpResponse): Response {
  if (typeof response.body === "string")
    return new Response(response.status === 204 ? null : response.body, {
      status: response.status,
      headers: response.headers,
    });
  const encoder = new TextEncoder();
  const iterator = response.body[Symbol.asyncIterator]();
  const abandon = response.abandon;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      // The body gave up on a client too slow to read it: the stream errors, and the platform closes it.
      abandon?.addEventListener(
        "abort",
        () => {
          controller.error(abandon.reason);
          // No pull or cancel will come after the error: end the body here, so its request is logged.
          void iterator.return?.();
        },
        { once: true },
      );
    },
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done === true) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(stream, { status: response.status, headers: response.headers });
}

/**
 * A `(request: Request) => Promise<Response>` handler for fetch-style platforms (Deno, Bun,
 * Workers-style runtimes). The runtime starts when the handler is created, at module scope, so it
 * warms while the platform finishes loading; requests before ready get liveness and 503s.
 */
export function createFetchHandler(target: AnyApp | AnyRuntime, options: FetchHandlerOptions = {}): FetchHandler {
  // Other runtimes have no node:sqlite, and Lambda's disk is per container: memory unless given a store (Redis, for many containers).
  const { runtime, app } = runtimeWithApp(target, {
    store: new MemorySessionStore({ ttlMs: defaultSessionTtlMs }),
    ...options,
  });
  void runtime.start().catch(() => undefined);
  const handler = async (request: Request) => toResponse(await app.handle(toHttpRequest(request)));
  return Object.assign(handler, { runtime, app });
}
