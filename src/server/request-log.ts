import type { AsyncLocalStorage } from "node:async_hooks";
import { isoNow } from "../core/clock.ts";
import { diagnosticsChannel, type ModelCallEvent, type ToolCallEvent } from "../core/diagnostics.ts";
import type { Logger } from "../runtime/construction-guard.ts";

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
  modelMs: number;
  toolMs: number;
  modelCalls: number;
  toolCalls: number;
}

let store: AsyncLocalStorage<RequestRecord> | undefined;
let listening = false;

function requestStore(): AsyncLocalStorage<RequestRecord> {
  store ??= new (process.getBuiltinModule("node:async_hooks").AsyncLocalStorage)<RequestRecord>();
  if (!listening) {
    listening = true;
    // Model and tool timings are published where they happen; the request they belong to is
    // whichever one's async context the publisher runs in.
    diagnosticsChannel("hearth:model-call").subscribe((message) => {
      const record = store?.getStore();
      if (record === undefined) return;
      record.modelMs += (message as ModelCallEvent).durationMs;
      record.modelCalls += 1;
    });
    diagnosticsChannel("hearth:tool-call").subscribe((message) => {
      const record = store?.getStore();
      if (record === undefined) return;
      record.toolMs += (message as ToolCallEvent).durationMs;
      record.toolCalls += 1;
    });
  }
  return store;
}

export function withRequestRecord<T>(record: RequestRecord, work: () => T): T {
  return requestStore().run(record, work);
}

/**
 * Removes secrets from anything logged: the values given (provider and client keys) and anything
 * shaped like a bearer token or an OpenAI-style key.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const known = secrets.filter((secret) => secret.length >= 6);
  return (text) => {
    let clean = text;
    for (const secret of known) if (clean.includes(secret)) clean = clean.split(secret).join("[redacted]");
    // Most of what is logged (ids, routes, names) has nothing key-shaped: one test, no copies.
    if (!keyShaped.test(clean)) return clean;
    return clean.replace(/\b(sk|rk|pk)-[A-Za-z0-9_-]{8,}/g, "$1-[redacted]").replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, "$1[redacted]");
  };
}

const keyShaped = /\b(?:sk|rk|pk)-|Bearer\s/i;
// "Bearer" then a tab or a newline reads as `Bearer\t` in JSON text, which the redactor's `\s` would
// not match there: such a line takes the field-by-field path.
const escapedBearer = /Bearer\\/i;

/** The redactor for a server: its secrets, as in `secretsOf`. */
export type Redact = (text: string) => string;

/** A logger whose every line is redacted, level-filtered by HEARTH_LOG_LEVEL (debug, info, warn, error). */
export function safeLogger(base: Logger, secrets: readonly string[]): Logger {
  const redact = redactor(secrets);
  const levels = ["debug", "info", "warn", "error"];
  const threshold = Math.max(0, levels.indexOf(process.env.HEARTH_LOG_LEVEL ?? "info"));
  // A secret that JSON escapes (a quote, a backslash) would not be found in an entry's JSON text.
  const jsonSafe = secrets.every((secret) => JSON.stringify(secret) === `"${secret}"`);
  return (entry) => {
    const level = typeof entry.level === "string" ? entry.level : "info";
    if (levels.indexOf(level) < threshold) return;
    if (jsonSafe) {
      // Most lines hold nothing to redact: one look at the whole line, and it goes out as it is.
      const text = jsonOf(entry);
      if (text !== undefined && !escapedBearer.test(text) && redact(text) === text) {
        base(entry.level === level ? entry : { level, ...entry });
        return;
      }
    }
    // Strings are redacted one by one; anything nested is redacted as JSON text.
    const clean: Record<string, unknown> = { level };
    for (const [key, value] of Object.entries(entry)) {
      if (typeof value === "string") clean[key] = redact(value);
      else if (typeof value === "object" && value !== null) {
        const text = JSON.stringify(value);
        const redacted = redact(text);
        clean[key] = redacted === text ? value : JSON.parse(redacted);
      }
      else clean[key] = value;
    }
    base(clean);
  };
}

function jsonOf(entry: Record<string, unknown>): string | undefined {
  try {
    return JSON.stringify(entry);
  } catch {
    return undefined; // a BigInt or a cycle: the field-by-field path copes
  }
}

/** The secrets a server's logs must never show: the app's client keys and the provider keys in the environment. */
export function secretsOf(auth: { readonly apiKeys?: Readonly<Record<string, string>> } | undefined, extra: readonly string[] = []): string[] {
  return [...extra, ...Object.keys(auth?.apiKeys ?? {}), ...[process.env.OPENAI_API_KEY, process.env.AZURE_OPENAI_API_KEY].filter((key): key is string => key !== undefined && key !== "")];
}

export const stdoutLogger: Logger = (entry) => process.stdout.write(`${JSON.stringify({ time: isoNow(), ...entry })}\n`);

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
  });
}
