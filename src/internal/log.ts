import { isoNow } from "./clock.ts";
import { redactEntry } from "./redact.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

/** One log line: its level, what happened, then the fields it is about (`id`, `tool`, `code`, ...). */
export interface LogEntry {
  readonly level: LogLevel;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** Where log lines go, one entry a line. */
export type Logger = (entry: LogEntry) => void;

const levels: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** JSON lines on standard output, each stamped with the time. */
export const stdoutLogger: Logger = (entry) =>
  process.stdout.write(`${JSON.stringify({ time: isoNow(), ...entry })}\n`);

// Loggers safeLogger made: wrapping one again would redact every line twice.
const safe = new WeakSet<Logger>();

/**
 * The logger everything in hearth writes through: every line redacted (see redact.ts), lines below
 * HEARTH_LOG_LEVEL (debug, info, warn, error; default info) dropped, read when the logger is made.
 */
export function safeLogger(base: Logger = stdoutLogger): Logger {
  if (safe.has(base)) return base;
  const threshold = Math.max(0, levels.indexOf((process.env.HEARTH_LOG_LEVEL ?? "info") as LogLevel));
  const logger: Logger = (entry) => {
    const rank = levels.indexOf(entry.level);
    if (rank !== -1 && rank < threshold) return;
    base(redactEntry(entry) as LogEntry);
  };
  safe.add(logger);
  return logger;
}
