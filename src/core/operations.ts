import { diagnosticsChannel } from "./diagnostics.ts";
import type { Usage } from "./messages.ts";
import type { RunContext } from "./run-context.ts";

/**
 * A unit of work a tracer makes a span of, with the calls made inside it as children: an agent's
 * turn, or a team's run (a workflow). Made, and published on `hearth:operation-start`, only when
 * something listens; the runs inside it carry it (`run.operation`), so model and tool calls, and
 * the turns of a team's agents, name it as their parent.
 */
export interface Operation {
  readonly kind: "agent" | "workflow";
  /** The agent's or the team's name. */
  readonly name: string;
  /** The operation this one runs inside; undefined for the outermost. */
  readonly parent: Operation | undefined;
  /** The caller's W3C `traceparent`, given to the outermost operation of a request that sent one. */
  readonly traceparent: string | undefined;
  /** When it started (`performance.now()`). */
  readonly startMs: number;
  readonly tenant: string | undefined;
  readonly sessionId: string | undefined;
  readonly requestId: string | undefined;
}

/** An operation that ended, as `hearth:operation-end` publishes it. */
export interface OperationEnd {
  readonly operation: Operation;
  readonly durationMs: number;
  /** Set when it failed. */
  readonly errorCode: string | undefined;
  /** The tokens of every model call inside it, when it finished. */
  readonly usage: Usage | undefined;
}

/**
 * Runs `work` as an operation inside `run`: with nothing listening, or in a synthetic run, `work`
 * gets `run` itself and nothing is made. `usageOf` reads the tokens from what `work` returns.
 */
export function withOperation<T>(
  run: RunContext,
  kind: Operation["kind"],
  name: string,
  work: (run: RunContext) => Promise<T>,
  usageOf: (value: T) => Usage | undefined,
): Promise<T> {
  // Not an async function: with nothing listening, the work's own promise is returned as it is.
  const started = diagnosticsChannel("hearth:operation-start");
  if (run.synthetic || !started.hasSubscribers) return work(run);
  // Made only here, past the check: a nested function declaration would be made on every call.
  return (async () => {
    const operation: Operation = {
      kind,
      name,
      parent: run.operation,
      traceparent: run.operation === undefined ? run.traceparent : undefined,
      startMs: performance.now(),
      tenant: run.tenant,
      sessionId: run.sessionId,
      requestId: run.requestId,
    };
    started.publish(operation);
    if (run.operation === undefined) run.traced?.(operation);
    const ended = (errorCode: string | undefined, usage: Usage | undefined) => {
      const end: OperationEnd = { operation, durationMs: performance.now() - operation.startMs, errorCode, usage };
      diagnosticsChannel("hearth:operation-end").publish(end);
    };
    try {
      const value = await work({ ...run, operation });
      ended(undefined, usageOf(value));
      return value;
    } catch (error) {
      const code = (error as { code?: unknown } | undefined)?.code;
      ended(typeof code === "string" ? code : "ERROR", undefined);
      throw error;
    }
  })();
}

/** Tracers' ways to name an operation's span in a `traceparent`: the last one added that is still there is used. */
const traceparentSources: ((operation: Operation) => string | undefined)[] = [];

/**
 * For a tracer: how an operation's span is named in the `traceparent` header of the provider calls
 * made inside it. With two tracers, the later one's is used until it is cleared.
 */
export function setTraceparentSource(source: (operation: Operation) => string | undefined): void {
  traceparentSources.push(source);
}

export function clearTraceparentSource(source: (operation: Operation) => string | undefined): void {
  const index = traceparentSources.lastIndexOf(source);
  if (index !== -1) traceparentSources.splice(index, 1);
}

/** The `traceparent` for an outgoing call made in `run`, when a tracer gives one. */
export function outgoingTraceparent(run: RunContext | undefined): string | undefined {
  return traceparentOf(run?.operation);
}

/** The `traceparent` naming an operation's span, when a tracer made one. */
export function traceparentOf(operation: Operation | undefined): string | undefined {
  if (operation === undefined) return undefined;
  for (let index = traceparentSources.length - 1; index >= 0; index--) {
    const traceparent = (traceparentSources[index] as (operation: Operation) => string | undefined)(operation);
    if (traceparent !== undefined) return traceparent;
  }
  return undefined;
}
