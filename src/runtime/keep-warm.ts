import { UserError } from "../core/errors.ts";
import type { ModelClient } from "../core/model-client.ts";
import { errorMessage } from "../internal/error-message.ts";
import type { Logger } from "../internal/log.ts";

/**
 * Keeps each provider's connections open through quiet periods, so the first request after one
 * does not pay DNS, TCP and TLS again. `false` turns it off.
 */
export interface KeepWarmOptions {
  /**
   * A provider's connections are refreshed once nothing has used them for this long, by the
   * cheapest authenticated request it allows (the model list, as `warmup()` sends: no tokens).
   * Default 20 s: under the 30 s hearth's pools keep an idle socket, and under the minute or so
   * providers keep theirs (Node's client gives up on a socket a second before the timeout a server
   * advertises).
   */
  readonly intervalMs?: number;
  /** Connections kept open per provider. Default 1. */
  readonly connections?: number;
  /**
   * At most this many keep-warm requests per provider in any hour, whatever the interval. Default
   * 360 (one connection refreshed every 10 s). With the defaults a quiet process sends 180 an hour.
   */
  readonly maxRequestsPerHour?: number;
  /**
   * After this long without a request, the warm phase's synthetic turns run again (stubbed models,
   * no network, no tokens), and again each time the quiet lasts as long once more, so the request
   * path stays compiled: V8 drops the compiled code of functions that go unused for a while.
   * Default 300000 (five minutes).
   */
  readonly rewarmAfterMs?: number;
}

/** What keep-warm runs again after a quiet spell, and how it knows the spell. */
export interface Rewarm {
  /** Milliseconds since the last request was served (or since ready, before any). */
  quietMs(): number;
  /** Runs the synthetic turns; false when there were none to run. */
  run(): Promise<boolean>;
}

/** A model client keep-warm can refresh: one that knows its provider's origin, its connections and when it was last used. */
interface Refreshable extends ModelClient {
  readonly origin: string;
  readonly provider?: string;
  idleMs(): number;
  connections(): { readonly active: number; readonly idle: number };
  warmup(options?: { readonly signal?: AbortSignal }): Promise<void>;
}

/** One provider's connections, as `/metrics` shows them: named by its label, never its URL. */
export interface ProviderConnections {
  readonly provider: string;
  readonly active: number;
  readonly idle: number;
  /** Seconds since a request last went to it; undefined before any has. */
  readonly idleSeconds: number | undefined;
  readonly keepWarmRequests: number;
}

function isRefreshable(client: ModelClient): client is Refreshable {
  const candidate = client as Partial<Refreshable>;
  return (
    typeof candidate.origin === "string" &&
    typeof candidate.idleMs === "function" &&
    typeof candidate.connections === "function" &&
    typeof candidate.warmup === "function"
  );
}

/** One client per provider origin (the first the app declares): clients of one origin share its connections. */
function clientsByOrigin(models: Readonly<Record<string, ModelClient>>): Map<string, Refreshable> {
  const byOrigin = new Map<string, Refreshable>();
  for (const client of Object.values(models))
    if (isRefreshable(client) && !byOrigin.has(client.origin)) byOrigin.set(client.origin, client);
  return byOrigin;
}

const keepWarmKeys = ["intervalMs", "connections", "maxRequestsPerHour", "rewarmAfterMs"];

/** Checks the app's `keepWarm` option when the app is defined. */
export function checkKeepWarmOptions(options: unknown): void {
  if (options === undefined || options === false) return;
  if (typeof options !== "object" || options === null)
    throw new UserError(`App \`keepWarm\` must be false or { ${keepWarmKeys.map((key) => `${key}?`).join(", ")} }.`, {
      field: "keepWarm",
    });
  for (const [key, value] of Object.entries(options)) {
    if (!keepWarmKeys.includes(key))
      throw new UserError(`App \`keepWarm.${key}\` is not an option (${keepWarmKeys.join(", ")}).`, {
        field: `keepWarm.${key}`,
      });
    if (!Number.isInteger(value) || (value as number) < 1)
      throw new UserError(`App \`keepWarm.${key}\` must be a whole number, 1 or more.`, { field: `keepWarm.${key}` });
  }
}

export interface KeepWarm {
  /** Keep-warm requests sent so far, over every provider. */
  readonly sent: number;
  /** Keep-warm requests sent so far to one provider origin. */
  sentTo(origin: string): number;
  /** Times the synthetic turns ran again after a quiet spell. */
  readonly rewarms: number;
  /** Stops at once; a refresh under way finishes by itself. */
  stop(): void;
}

const hourMs = 3_600_000;

/**
 * Refreshes each provider's connections once they have been quiet for `intervalMs`: one client
 * per origin sends `connections` warm-up requests at once. A failed refresh is logged at debug and
 * tried again at the next interval. After `rewarmAfterMs` without a request it runs `rewarm`. Its
 * timer never holds the process open.
 */
export function startKeepWarm(
  models: Readonly<Record<string, ModelClient>>,
  options: KeepWarmOptions,
  log: Logger,
  rewarm?: Rewarm,
): KeepWarm {
  const intervalMs = options.intervalMs ?? 20_000;
  const rewarmAfterMs = options.rewarmAfterMs ?? 300_000;
  const connections = options.connections ?? 1;
  const maxPerHour = options.maxRequestsPerHour ?? 360;
  const byOrigin = clientsByOrigin(models);
  // When each origin's keep-warm requests of the last hour were sent.
  const sentAt = new Map<string, number[]>();
  const busy = new Set<string>();
  let sent = 0;
  const sentByOrigin = new Map<string, number>();
  let stopped = false;
  const controller = new AbortController();
  let rewarms = 0;
  let rewarming = false;
  let lastRewarmAt = performance.now();

  const runRewarm = async (quietMs: number) => {
    rewarming = true;
    rewarms += 1;
    lastRewarmAt = performance.now();
    try {
      await rewarm?.run();
      log({
        level: "debug",
        msg: `ran the synthetic turns again after ${Math.round(quietMs / 1000)} s without a request`,
      });
    } catch (error) {
      log({ level: "debug", msg: `the synthetic turns run after a quiet spell failed: ${errorMessage(error)}` });
    } finally {
      rewarming = false;
    }
  };

  const refresh = async (origin: string, client: Refreshable) => {
    const now = performance.now();
    const recent = (sentAt.get(origin) ?? []).filter((at) => now - at < hourMs);
    const allowed = Math.min(connections, maxPerHour - recent.length);
    if (allowed <= 0) return;
    busy.add(origin);
    for (let index = 0; index < allowed; index++) recent.push(now);
    sentAt.set(origin, recent);
    sent += allowed;
    sentByOrigin.set(origin, (sentByOrigin.get(origin) ?? 0) + allowed);
    try {
      await Promise.all(Array.from({ length: allowed }, () => client.warmup({ signal: controller.signal })));
    } catch (error) {
      if (!stopped)
        log({
          level: "debug",
          msg: `a keep-warm request to ${(client as { provider?: string }).provider ?? "a model provider"} failed: ${errorMessage(error)}`,
        });
    } finally {
      busy.delete(origin);
    }
  };

  // Checked four times an interval, so a connection is refreshed at most a quarter-interval late.
  const tickMs = Math.max(1, Math.floor(Math.min(intervalMs, rewarmAfterMs) / 4));
  let lastTickAt = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    // A tick far later than due means the process was frozen (or stalled): the request that woke it
    // may be about to run, and the synthetic turns must not compete with it. They wait a tick.
    const late = now - lastTickAt > tickMs * 2 + 1_000;
    lastTickAt = now;
    for (const [origin, client] of byOrigin) {
      if (!busy.has(origin) && client.idleMs() >= intervalMs) void refresh(origin, client);
    }
    const quietMs = rewarm?.quietMs() ?? 0;
    if (!late && !rewarming && quietMs >= rewarmAfterMs && now - lastRewarmAt >= rewarmAfterMs) void runRewarm(quietMs);
  }, tickMs);
  timer.unref();
  return {
    get sent() {
      return sent;
    },
    sentTo(origin) {
      return sentByOrigin.get(origin) ?? 0;
    },
    get rewarms() {
      return rewarms;
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      controller.abort();
    },
  };
}

/** Each provider's connections now, one line per origin, for `/metrics`. */
export function providerConnections(
  models: Readonly<Record<string, ModelClient>>,
  keepWarm: KeepWarm | undefined,
): ProviderConnections[] {
  const lines: ProviderConnections[] = [];
  for (const client of clientsByOrigin(models).values()) {
    const idleMs = client.idleMs();
    lines.push({
      provider: client.provider ?? "model-provider",
      ...client.connections(),
      idleSeconds: Number.isFinite(idleMs) ? idleMs / 1000 : undefined,
      keepWarmRequests: keepWarm?.sentTo(client.origin) ?? 0,
    });
  }
  return lines;
}
