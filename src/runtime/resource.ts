import { reportConstruction } from "../core/construction.ts";
import { UserError } from "../core/errors.ts";

export interface ResourceContext {
  /** The app's assets, already loaded. */
  readonly assets: Readonly<Record<string, unknown>>;
  /** The resources this one depends on (`dependsOn`), already built. */
  readonly resources: Readonly<Record<string, unknown>>;
  /** Aborted when the step times out or the runtime is destroyed. */
  readonly signal: AbortSignal;
  /**
   * Records a part of the init in the startup trace (and `hearth profile`'s waterfall) as
   * `<resource>/<part>`, from `startMs` to `endMs` (`performance.now()` times): an MCP server's
   * connect and tool listing, say.
   */
  readonly mark?: (part: string, startMs: number, endMs: number) => void;
}

export interface ResourceDefinition<Value> {
  /** Builds the resource: a database pool, an HTTP client, a vector index, any tool dependency. */
  readonly init: (context: ResourceContext) => Value | Promise<Value>;
  /** Opens what the first request would open lazily: connections, caches. Retried when it fails. */
  readonly warmup?: (value: Value, context: { readonly signal: AbortSignal }) => void | Promise<void>;
  /**
   * Is it usable right now? Reported by readiness. Its signal aborts once the check is given up on
   * (four times the runtime's `healthTimeoutMs`); a check still running is awaited by later rounds,
   * not called again, until then.
   */
  readonly health?: (value: Value, context: { readonly signal: AbortSignal }) => boolean | Promise<boolean>;
  /** Releases it; resources close in the reverse order of their init. */
  readonly close?: (value: Value) => void | Promise<void>;
  /** Other resources, by name, that must be built first. */
  readonly dependsOn?: readonly string[];
  /** For init and for each warm-up attempt. Default: the runtime's step timeout. */
  readonly timeoutMs?: number;
  /** When false, a resource whose warm-up keeps failing leaves the runtime degraded instead of failing startup. Default true. */
  readonly required?: boolean;
}

export interface Resource<Value> extends ResourceDefinition<Value> {
  readonly kind: "resource";
}

/** Declares a resource for `defineApp({ resources })`. Checked here, built by the runtime. */
export function resource<Value>(definition: ResourceDefinition<Value>): Resource<Value> {
  if (typeof definition?.init !== "function")
    throw new UserError("A resource needs an init function.", { field: "init" });
  for (const key of ["warmup", "health", "close"] as const) {
    if (definition[key] !== undefined && typeof definition[key] !== "function")
      throw new UserError(`A resource's ${key} must be a function.`, { field: key });
  }
  if (definition.timeoutMs !== undefined && (!Number.isFinite(definition.timeoutMs) || definition.timeoutMs <= 0)) {
    throw new UserError("A resource's timeoutMs must be a positive number.", { field: "timeoutMs" });
  }
  if (
    definition.dependsOn !== undefined &&
    (!Array.isArray(definition.dependsOn) || definition.dependsOn.some((name) => typeof name !== "string"))
  ) {
    throw new UserError("A resource's dependsOn must be a list of resource names.", { field: "dependsOn" });
  }
  reportConstruction("resource", "resource");
  return Object.freeze({ ...definition, kind: "resource" as const });
}
