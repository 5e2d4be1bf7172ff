import { HearthError } from "../core/errors.ts";
import { errorMessage } from "../internal/error-message.ts";
import { redact } from "../internal/redact.ts";
import type { BuiltResource } from "./init.ts";
import { withStepTimeout } from "./warm-step.ts";

export type HealthChecks = Record<string, { ok: boolean; error?: string }>;

/**
 * The resources' health checks, for readiness: a round of them answers every call for `cacheMs`,
 * and only one round runs at a time, so readiness probes cannot flood a dependency. A check still
 * running from an earlier round is awaited again, not called again, until it is given up on (its
 * signal aborts) after four timeouts; each round waits for it at most `timeoutMs`.
 */
export class ResourceHealth {
  readonly #cacheMs: number;
  readonly #timeoutMs: number;
  readonly #signal: AbortSignal;
  /** The last round: in flight (no `endedAt`), or its result, kept for `cacheMs`. */
  #round: { endedAt: number | undefined; readonly checks: Promise<HealthChecks> } | undefined;
  readonly #inFlight = new Map<string, Promise<boolean>>();

  constructor(options: { readonly cacheMs: number; readonly timeoutMs: number; readonly signal: AbortSignal }) {
    this.#cacheMs = options.cacheMs;
    this.#timeoutMs = options.timeoutMs;
    this.#signal = options.signal;
  }

  check(resources: readonly BuiltResource[]): Promise<HealthChecks> {
    let round = this.#round;
    if (round === undefined || (round.endedAt !== undefined && performance.now() - round.endedAt >= this.#cacheMs)) {
      const started: { endedAt: number | undefined; checks: Promise<HealthChecks> } = {
        endedAt: undefined,
        checks: this.#checkAll(resources),
      };
      void started.checks.then(() => (started.endedAt = performance.now()));
      this.#round = round = started;
    }
    return round.checks;
  }

  async #checkAll(resources: readonly BuiltResource[]): Promise<HealthChecks> {
    const checks: HealthChecks = {};
    await Promise.all(
      resources.map(async ({ name, definition, value }) => {
        if (definition.health === undefined) return;
        try {
          const pending = this.#pending(name, (signal) => definition.health?.(value, { signal }) ?? true);
          const ok = await withStepTimeout(`resource:${name}`, this.#timeoutMs, this.#signal, () => pending);
          checks[`resource:${name}`] = ok ? { ok: true } : { ok: false, error: "unhealthy" };
        } catch (error) {
          const message = HearthError.is(error, "HEARTH_STEP_TIMEOUT")
            ? `the health check did not answer within ${this.#timeoutMs} ms`
            : errorMessage(error);
          checks[`resource:${name}`] = { ok: false, error: redact(message) };
        }
      }),
    );
    return checks;
  }

  /** The check running for `name`, or a new one, given a signal that aborts when it is given up on; forgotten then, or when it settles. */
  #pending(name: string, call: (signal: AbortSignal) => boolean | Promise<boolean>): Promise<boolean> {
    const running = this.#inFlight.get(name);
    if (running !== undefined) return running;
    const giveUp = AbortSignal.timeout(this.#timeoutMs * 4);
    const started = Promise.resolve().then(() => call(giveUp));
    this.#inFlight.set(name, started);
    const forget = () => {
      if (this.#inFlight.get(name) === started) this.#inFlight.delete(name);
    };
    void started.then(forget, forget);
    giveUp.addEventListener("abort", forget, { once: true });
    return started;
  }
}

/**
 * What `runtime.health()` reports: once ready, every model and resource has its line, ok unless
 * warming it failed (degraded, retried in the background) or its health check fails now.
 */
export function healthChecks(state: {
  readonly ready: boolean;
  readonly models: readonly string[];
  readonly resources: readonly string[];
  readonly degraded: Iterable<[string, string]>;
  readonly resourceChecks: HealthChecks;
}): HealthChecks {
  const checks: Record<string, { ok: boolean; error?: string }> = {};
  if (state.ready) {
    for (const name of state.models) checks[`model:${name}`] = { ok: true };
    for (const name of state.resources) checks[`resource:${name}`] = { ok: true };
  }
  for (const [label, error] of state.degraded) checks[label] = { ok: false, error };
  return Object.assign(checks, state.resourceChecks);
}
