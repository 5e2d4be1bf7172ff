import { UserError } from "../core/errors.ts";
import type { AnyApp } from "../runtime/app.ts";
import type { AnyRuntime, Runtime, RuntimeOptions } from "../runtime/runtime.ts";
import { MemorySessionStore } from "../state/memory-session-store.ts";
import { defaultSessionTtlMs } from "../core/session-store.ts";
import { runtimeWithApp, type HttpApp, type HttpAppOptions } from "./http-app.ts";
import {
  eventShape,
  type FrontDoor,
  frontDoorOf,
  type HttpApiEvent,
  type HttpApiResult,
  notAnHttpEvent,
  toHttpRequest,
  toResult,
} from "./lambda-events.ts";
import type { HttpRequest, HttpResponse } from "./http-types.ts";
import { problemResponse } from "./problem.ts";

export type { HttpApiEvent, HttpApiResult } from "./lambda-events.ts";

export interface LambdaContext {
  getRemainingTimeInMillis?(): number;
  callbackWaitsForEmptyEventLoop?: boolean;
}

export interface LambdaHandlerOptions extends HttpAppOptions {
  readonly runtime?: RuntimeOptions;
}

/**
 * A keep-warm ping: a scheduled EventBridge rule's event, an EventBridge Scheduler invocation
 * (`source: "aws.scheduler"`, or its default input, `{}`), the serverless-plugin-warmup event, or
 * `{ "hearth": "warmup" }`. It is answered once the runtime is ready, without running an agent.
 */
export function isKeepWarmPing(event: unknown): boolean {
  if (typeof event !== "object" || event === null || Array.isArray(event)) return false;
  if (frontDoorOf(event) !== undefined) return false;
  const data = event as Record<string, unknown>;
  return (
    Object.keys(data).length === 0 ||
    data.hearth === "warmup" ||
    data.source === "serverless-plugin-warmup" ||
    data.source === "aws.scheduler" ||
    (data.source === "aws.events" && data["detail-type"] === "Scheduled Event")
  );
}

async function collect(body: HttpResponse["body"]): Promise<string> {
  if (typeof body === "string") return body;
  let text = "";
  for await (const chunk of body) text += chunk;
  return text;
}

interface Adapter {
  readonly runtime: Runtime;
  readonly app: HttpApp;
  /** The request's deadline: the function's remaining time less a margin to answer in. */
  signalFor(context: LambdaContext | undefined): AbortSignal;
}

function adapter(target: AnyApp | AnyRuntime, options: LambdaHandlerOptions): Adapter {
  // Other runtimes have no node:sqlite, and Lambda's disk is per container: memory unless given a store (Redis, for many containers).
  const { runtime, app } = runtimeWithApp(target, {
    store: new MemorySessionStore({ ttlMs: defaultSessionTtlMs }),
    ...options,
  });
  // Once per container, at module scope: the init phase Lambda gives every new container.
  void runtime.start().catch(() => undefined);
  return {
    runtime,
    app,
    signalFor(context) {
      const remaining = context?.getRemainingTimeInMillis?.();
      return remaining === undefined ? new AbortController().signal : AbortSignal.timeout(Math.max(1, remaining - 500));
    },
  };
}

/** Answers keep-warm pings, or reports why the runtime cannot serve. */
async function readyOrPing(runtime: Runtime, event: unknown): Promise<HttpApiResult | undefined> {
  const ping = isKeepWarmPing(event);
  try {
    await runtime.ready;
  } catch (error) {
    if (!ping) return undefined;
    throw error;
  }
  return ping
    ? {
        statusCode: 200,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ warm: true, state: runtime.state }),
        isBase64Encoded: false,
      }
    : undefined;
}

/**
 * The request an event carries, or, for an event no front door sent, the 400 to answer it with,
 * logged (its shape, not its content) so a misconfigured trigger shows in the logs.
 */
function requestOf(
  app: HttpApp,
  event: HttpApiEvent,
  signal: AbortSignal,
): { request: HttpRequest; door: FrontDoor } | { rejected: HttpResponse } {
  const door = frontDoorOf(event);
  if (door !== undefined) return { request: toHttpRequest(event, door, signal), door };
  const error = notAnHttpEvent();
  app.log({ level: "warn", msg: `Lambda event rejected: ${error.message}`, code: error.code, ...eventShape(event) });
  return { rejected: problemResponse(error) };
}

/**
 * A Lambda handler for API Gateway HTTP APIs and function URLs (payload 2.0), buffered: a streamed
 * chat is returned whole, as server-sent events in one body. Use `createStreamingLambdaHandler`
 * with a function URL to stream.
 */
export function createLambdaHandler(target: AnyApp | AnyRuntime, options: LambdaHandlerOptions = {}) {
  const { runtime, app, signalFor } = adapter(target, options);
  const handler = async (event: HttpApiEvent, context?: LambdaContext): Promise<HttpApiResult> => {
    if (context !== undefined) context.callbackWaitsForEmptyEventLoop = false;
    const pong = await readyOrPing(runtime, event);
    if (pong !== undefined) return pong;
    const read = requestOf(app, event, signalFor(context));
    const response = "rejected" in read ? read.rejected : await app.handle(read.request);
    return toResult(
      event,
      "door" in read ? read.door : undefined,
      response.status,
      response.headers,
      await collect(response.body),
    );
  };
  return Object.assign(handler, { runtime, app });
}

/** What the Lambda Node.js runtime provides as the global `awslambda` for response streaming. */
export interface LambdaStreamingGlobal {
  streamifyResponse(
    handler: (event: HttpApiEvent, responseStream: NodeJS.WritableStream, context?: LambdaContext) => Promise<void>,
  ): unknown;
  HttpResponseStream: {
    from(
      stream: NodeJS.WritableStream,
      metadata: { statusCode: number; headers: Record<string, string> },
    ): NodeJS.WritableStream;
  };
}

/**
 * A response-streaming Lambda handler (function URLs with `InvokeMode: RESPONSE_STREAM`): chat
 * events reach the client as they happen. Needs the Lambda runtime's global `awslambda`.
 */
export function createStreamingLambdaHandler(
  target: AnyApp | AnyRuntime,
  options: LambdaHandlerOptions = {},
): { readonly runtime: Runtime; readonly app: HttpApp } {
  const lambda = (globalThis as { awslambda?: LambdaStreamingGlobal }).awslambda;
  if (lambda === undefined)
    throw new UserError(
      "createStreamingLambdaHandler runs only in AWS Lambda's Node.js runtime (the global `awslambda` is missing); use createLambdaHandler elsewhere.",
      { field: "awslambda" },
    );
  const { runtime, app, signalFor } = adapter(target, options);
  const handler = lambda.streamifyResponse(async (event, responseStream, context) => {
    const pong = await readyOrPing(runtime, event);
    let response: HttpResponse;
    if (pong !== undefined) response = { status: pong.statusCode, headers: pong.headers ?? {}, body: pong.body };
    else {
      // An event it cannot stream is answered with its problem, as the buffered handler answers it.
      const read = requestOf(app, event, signalFor(context));
      response = "rejected" in read ? read.rejected : await app.handle(read.request);
    }
    const stream = lambda.HttpResponseStream.from(responseStream, {
      statusCode: response.status,
      headers: { ...response.headers },
    });
    if (typeof response.body === "string") stream.write(response.body);
    else for await (const chunk of response.body) stream.write(chunk);
    stream.end();
  });
  return Object.assign(handler as object, { runtime, app });
}
