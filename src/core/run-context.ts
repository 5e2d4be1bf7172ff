import type { Usage } from "./messages.ts";
import type { Operation } from "./operations.ts";
import type { Logger } from "../internal/log.ts";

/**
 * The app's own request context: what the caller says about the request (a customer id, a locale),
 * as `run({ context })` or the `context` field of `POST /v1/chat` gives it. Every tool, dynamic
 * system message and team member of the run sees it. It is not stored in the session unless the app
 * keeps it (`context.keep`, `runTurn({ keepContext })`).
 */
export type RequestContext = Readonly<Record<string, unknown>>;

/**
 * What one run carries from its front door (an HTTP request, a synthetic warm-up, a direct
 * `agent.run()`) to every agent turn, model call and tool: passed along explicitly, never read
 * from an ambient store.
 */
export interface RunContext {
  /**
   * A synthetic warm-up run: model calls answer from a stub, tools run every step but themselves,
   * and nothing is published to telemetry or counted as traffic.
   */
  readonly synthetic: boolean;
  /** The tenant the run belongs to, behind the server. */
  readonly tenant?: string;
  /** The session it continues, when it has an id. */
  readonly sessionId?: string;
  /** The request it serves (the id in its log line, `x-request-id`). */
  readonly requestId?: string;
  /** The app's request context (see RequestContext); undefined when none was given. */
  readonly context?: RequestContext;
  /** Where the run's warnings go (a tool call that failed): the runtime's logger, behind it. */
  readonly log?: Logger;
  /** Told when one of its model calls had to open a new connection to the provider, for the request's log line. */
  readonly connected?: () => void;
  /** The agent turn or team run this run is part of, when a tracer listens (see operations.ts). */
  readonly operation?: Operation;
  /** The caller's W3C `traceparent` header, for the outermost operation of the request. */
  readonly traceparent?: string;
  /** Told the request's outermost operation when a tracer listens, for the request's log line. */
  readonly traced?: (operation: Operation) => void;
  /** Told each model and tool call's duration (and a model call's tokens), for the request's log line. */
  readonly measure?: (kind: "model" | "tool", durationMs: number, usage?: Usage) => void;
}

/** A run with nothing special about it: what `agent.run()` gets without a context. */
export const plainRun: RunContext = Object.freeze({ synthetic: false });

/** A synthetic warm-up run. */
export const syntheticRun: RunContext = Object.freeze({ synthetic: true });
