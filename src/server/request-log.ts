import { HearthError } from "../core/errors.ts";
import type { Usage } from "../core/messages.ts";
import { type Operation, traceparentOf } from "../core/operations.ts";
import { addHashedSecrets, addSecrets } from "../internal/redact.ts";
import type { Logger } from "../internal/log.ts";

/** What one request's log line says; filled in as the request goes. */
export interface RequestRecord {
  readonly id: string;
  readonly method: string;
  readonly route: string;
  tenant?: string;
  agent?: string;
  team?: string;
  session?: string;
  status?: number;
  code?: string;
  /** A failed request's error message, redacted when logged. */
  error?: string;
  /** The provider URL a failed model call went to (no user info): for the log, never the client. */
  url?: string;
  /** What a failed model call's provider said beyond its message (see HearthError.providerDetails): for the log only. */
  providerDetails?: Readonly<Record<string, unknown>>;
  modelMs: number;
  toolMs: number;
  modelCalls: number;
  toolCalls: number;
  /** Model calls that had to open a new connection to the provider (a cold one): in the log line when any did. */
  newConnections?: number;
  /** Tokens the provider reported for the request's model calls. */
  inputTokens?: number;
  outputTokens?: number;
  /** The request's outermost agent turn or team run, when a tracer listens: its span's ids go in the line. */
  operation?: Operation;
}

/** A run's `measure` for this record: each model and tool call of the request adds its time to it. */
export function measureInto(
  record: RequestRecord,
): (kind: "model" | "tool", durationMs: number, usage?: Usage) => void {
  return (kind, durationMs, usage) => {
    if (kind === "model") {
      record.modelMs += durationMs;
      record.modelCalls += 1;
      if (usage !== undefined) {
        record.inputTokens = (record.inputTokens ?? 0) + usage.promptTokens;
        record.outputTokens = (record.outputTokens ?? 0) + usage.completionTokens;
      }
    } else {
      record.toolMs += durationMs;
      record.toolCalls += 1;
    }
  };
}

/**
 * Registers a server's secrets for every redaction: the app's client keys (as digests only), the
 * provider keys in the environment, and any given.
 */
export function addServerSecrets(
  auth: { readonly apiKeys?: Readonly<Record<string, string>> } | undefined,
  extra: readonly string[] = [],
): void {
  addHashedSecrets(Object.keys(auth?.apiKeys ?? {}));
  addSecrets([...extra, process.env.OPENAI_API_KEY, process.env.AZURE_OPENAI_API_KEY]);
}

export function logRequest(log: Logger, record: RequestRecord, totalMs: number): void {
  const status = record.status ?? 500;
  log({
    level: status >= 500 ? "error" : status >= 400 ? "warn" : "info",
    msg: "request",
    id: record.id,
    method: record.method,
    route: record.route,
    status,
    totalMs: Math.round(totalMs * 100) / 100,
    modelMs: Math.round(record.modelMs * 100) / 100,
    toolMs: Math.round(record.toolMs * 100) / 100,
    modelCalls: record.modelCalls,
    toolCalls: record.toolCalls,
    ...(record.tenant === undefined ? {} : { tenant: record.tenant }),
    ...(record.agent === undefined ? {} : { agent: record.agent }),
    ...(record.team === undefined ? {} : { team: record.team }),
    ...(record.session === undefined ? {} : { session: record.session }),
    ...(record.code === undefined ? {} : { code: record.code }),
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(record.url === undefined ? {} : { url: record.url }),
    ...(record.providerDetails === undefined ? {} : { providerDetails: record.providerDetails }),
    ...(record.newConnections === undefined ? {} : { newConnections: record.newConnections }),
    ...(record.inputTokens === undefined ? {} : { inputTokens: record.inputTokens, outputTokens: record.outputTokens }),
    ...traceIds(record.operation),
  });
}

/** The trace and span ids of the request's outermost span, from its `traceparent`. */
function traceIds(operation: Operation | undefined): { traceId?: string; spanId?: string } {
  const traceparent = traceparentOf(operation);
  if (traceparent === undefined) return {};
  const [, traceId, spanId] = traceparent.split("-");
  return traceId === undefined || spanId === undefined ? {} : { traceId, spanId };
}

/**
 * Records how a request failed, for its log line: the status, the code, the message and, for a
 * model error, the provider's URL (the client is told none of it but the code and the message's
 * redacted text). An unexpected error's stack is logged on a line of its own.
 */
export function noteFailure(record: RequestRecord, error: unknown, status: number, log: Logger): void {
  record.status = status;
  if (HearthError.is(error)) {
    record.code = error.code;
    record.error = error.message;
    if (error.url !== undefined) record.url = error.url;
    if (error.providerDetails !== undefined) record.providerDetails = error.providerDetails;
    return;
  }
  record.code = "HEARTH_INTERNAL";
  record.error = "unexpected error";
  log({ level: "error", msg: "unexpected error", id: record.id, error: String((error as Error)?.stack ?? error) });
}
