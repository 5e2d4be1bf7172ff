import { HearthError } from "../core/errors.ts";
import type { ModelClient } from "../core/model-client.ts";
import type { Logger } from "../internal/log.ts";

export type RuntimeState = "idle" | "starting" | "warming" | "ready" | "degraded" | "draining" | "closed";

export interface RuntimeOptions {
  /** Throw on a definition built while serving, instead of warning. Default false. */
  readonly strict?: boolean;
  /** Reload assets when their files change. Default: HEARTH_DEV=1 or NODE_ENV=development. */
  readonly dev?: boolean;
  /** Where log lines go, one object a line. Default: JSON on standard output, `debug` lines dropped. */
  readonly log?: Logger;
  /** Close the process-wide connection pools on close. Default true. */
  readonly closeConnectionPools?: boolean;
  /**
   * How long one round of resource health checks answers `health()`: readiness probes, however
   * many, run each check at most once in this interval, and one round at a time. Default 1000 ms.
   */
  readonly healthCacheMs?: number;
  /** A resource health check that takes longer fails ("timed out"), so one hung check cannot hold readiness. Default 5000 ms. */
  readonly healthTimeoutMs?: number;
  /** Build the agents without their tools (`hearth profile --no-tools` measures the app so). Default false. */
  readonly withoutTools?: boolean;
  /**
   * Model clients to use instead of the app's own, by the names of its `models` (a
   * `ScriptedModelClient` in a test, say): the app's factory for that name is not called, and
   * everything built on it (agents, teams) gets this one. A name the app has no model for is a
   * HEARTH_CONFIG_INVALID.
   */
  readonly models?: Readonly<Record<string, ModelClient>>;
}

export interface HealthReport {
  readonly state: RuntimeState;
  readonly ready: boolean;
  /** Each check by name; `error` is redacted, and the HTTP server shows it only to authenticated callers. */
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly error?: string }>>;
}

/** The options checked before anything starts, with their defaults. */
export function validateRuntimeOptions(
  options: RuntimeOptions,
  app: { readonly name: string; readonly models?: object | undefined },
): { healthCacheMs: number; healthTimeoutMs: number } {
  for (const name of Object.keys(options.models ?? {})) {
    if (!Object.hasOwn(app.models ?? {}, name))
      throw new HearthError(
        "HEARTH_CONFIG_INVALID",
        `The runtime option \`models.${name}\` replaces no model: app "${app.name}" has ${Object.keys(app.models ?? {}).join(", ") || "none"}.`,
        { field: `models.${name}` },
      );
  }
  const healthCacheMs = options.healthCacheMs ?? 1_000;
  if (!Number.isFinite(healthCacheMs) || healthCacheMs < 0)
    throw new HearthError("HEARTH_CONFIG_INVALID", "`healthCacheMs` must be a number, 0 or more.", {
      field: "healthCacheMs",
    });
  const healthTimeoutMs = options.healthTimeoutMs ?? 5_000;
  if (!Number.isFinite(healthTimeoutMs) || healthTimeoutMs <= 0)
    throw new HearthError("HEARTH_CONFIG_INVALID", "`healthTimeoutMs` must be a positive number.", {
      field: "healthTimeoutMs",
    });
  return { healthCacheMs, healthTimeoutMs };
}
