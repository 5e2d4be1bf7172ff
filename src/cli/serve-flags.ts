// `hearth serve`'s flags, read by the command and by an app built with `hearth build`.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { UserError } from "../core/errors.ts";
import { defaultSessionTtlMs } from "../core/session-store.ts";
import type { SessionStoreConfig } from "../state/open-session-store.ts";
import { checkCors, type CorsOptions } from "../server/cors.ts";
import { parsePositiveInteger, type ServeCommandOptions } from "./serve-command.ts";

/** parseArgs for one command, with its mistakes (an unknown option, a missing value) as UserErrors. */
export function parseCommand<const Options extends ParseArgsOptionsConfig>(
  command: string,
  args: readonly string[],
  options: Options,
) {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, options });
  } catch (error) {
    if (
      typeof (error as { code?: unknown }).code === "string" &&
      (error as { code: string }).code.startsWith("ERR_PARSE_ARGS")
    ) {
      // parseArgs' own advice is about positionals starting with "-", which hearth never takes.
      const message = (error as Error).message
        .replace(/\. To specify a positional argument.*$/s, "")
        .replace(/\.?$/, ".");
      throw new UserError(`${command}: ${message} See \`hearth help\`.`, { field: command });
    }
    throw error;
  }
}

/** The flags `hearth serve` (and a built app) takes. */
export const serveFlags = {
  port: { type: "string" },
  host: { type: "string" },
  workers: { type: "string" },
  strict: { type: "boolean" },
  "drain-deadline": { type: "string" },
  store: { type: "string" },
  "sessions-db": { type: "string" },
  "redis-url": { type: "string" },
  "session-ttl": { type: "string" },
  "no-tools": { type: "boolean" },
  cors: { type: "string" },
  playground: { type: "boolean" },
  "public-metrics": { type: "boolean" },
  // Read before anything loads (main.ts, a built app's loader); accepted here so parseArgs knows it.
  "no-compile-cache": { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

/** What the flags (and the environment: PORT, HOST, HEARTH_CORS_ORIGINS, HEARTH_SESSION_TTL) ask of the server. */
export function serveOptionsFrom(
  values: ReturnType<typeof parseCommand<typeof serveFlags>>["values"],
): Omit<ServeCommandOptions, "app"> {
  return {
    port: parsePositiveInteger(values.port ?? process.env.PORT, "--port", 8787, true),
    host: values.host ?? process.env.HOST ?? "127.0.0.1",
    workers: parsePositiveInteger(values.workers, "--workers", 1),
    strict: values.strict === true,
    withoutTools: values["no-tools"] === true,
    playground: values.playground === true,
    publicMetrics: values["public-metrics"] === true,
    ...corsOption(values.cors ?? process.env.HEARTH_CORS_ORIGINS),
    drainDeadlineMs: parsePositiveInteger(values["drain-deadline"], "--drain-deadline", 10_000, true),
    store: {
      ...storeConfig(values.store, values["sessions-db"], values["redis-url"]),
      ttlMs: parseDuration(
        values["session-ttl"] ?? process.env.HEARTH_SESSION_TTL,
        "--session-ttl",
        defaultSessionTtlMs,
      ),
    },
  };
}

/** `--cors`: "*" or a comma-separated list of origins; nothing when not given. */
function corsOption(value: string | undefined): { cors?: CorsOptions } {
  if (value === undefined || value.trim() === "") return {};
  const origins: CorsOptions["origins"] =
    value.trim() === "*"
      ? "*"
      : value
          .split(",")
          .map((origin) => origin.trim())
          .filter(Boolean);
  const cors: CorsOptions = { origins };
  checkCors(cors);
  return { cors };
}

function storeConfig(kind: string | undefined, path: string | undefined, url: string | undefined): SessionStoreConfig {
  if (kind !== undefined && kind !== "memory" && kind !== "sqlite" && kind !== "redis")
    throw new UserError(`--store must be sqlite, redis or memory, not ${kind}.`, { field: "--store" });
  return {
    ...(kind === undefined ? {} : { kind }),
    ...(path === undefined ? {} : { path }),
    ...(url === undefined ? {} : { url }),
  };
}

const durationUnits: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 60 * 60_000,
  d: 24 * 60 * 60_000,
};

/** A duration such as 30d, 12h, 45m, 90s or 500ms (a bare number is milliseconds); "never" is Infinity. */
export function parseDuration(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (value === "never") return Infinity;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  // Whole milliseconds: Redis takes no fraction of one.
  const milliseconds =
    match === null ? Number.NaN : Math.round(Number(match[1]) * (durationUnits[match[2] ?? "ms"] ?? Number.NaN));
  if (!(milliseconds > 0))
    throw new UserError(
      `${flag} must be a duration such as 30d, 12h, 45m or 90s, or never; not ${JSON.stringify(value)}.`,
      { field: flag },
    );
  return milliseconds;
}
