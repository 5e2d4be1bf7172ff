import { HearthError } from "../core/errors.ts";
import type { ModelClient } from "../core/model-client.ts";
import { errorMessage } from "../internal/error-message.ts";
import { redact } from "../internal/redact.ts";
import type { TenantCache } from "../tenancy/tenant-cache.ts";
import type { Logger } from "../internal/log.ts";
import type { AnyApp } from "./app.ts";
import type { BuiltResource } from "./init.ts";
import { errorSummary, type StartupTrace, type StepKind, type TraceStep } from "./startup-trace.ts";
import { warmWithRetry, withStepTimeout, type WarmRetryPolicy } from "./warm-step.ts";

// The warm phase: what the first request would open lazily, opened before ready, each step retried
// by failure class; an optional one that keeps failing leaves the runtime degraded and is retried
// in the background.

/** A warm-up job: a model's warmup(), a resource's warmup, a hot tenant's stack; and whether startup needs it. */
export interface WarmJob {
  readonly kind: StepKind;
  readonly name: string;
  readonly required: boolean;
  readonly timeoutMs: number | undefined;
  readonly run: (signal: AbortSignal) => Promise<void>;
}

export function warmJobs(
  app: AnyApp,
  models: Readonly<Record<string, ModelClient>>,
  resources: readonly BuiltResource[],
  tenants: TenantCache | undefined,
): WarmJob[] {
  const jobs: WarmJob[] = [];
  for (const [name, entry] of Object.entries((app.models ?? {}) as Record<string, unknown>)) {
    const client = models[name] as ModelClient;
    const required = typeof entry === "function" || (entry as { required?: boolean }).required !== false;
    jobs.push({ kind: "model", name, required, timeoutMs: undefined, run: (signal) => client.warmup({ signal }) });
  }
  for (const built of resources) {
    const warmup = built.definition.warmup;
    if (warmup === undefined) continue;
    jobs.push({
      kind: "resource",
      name: built.name,
      required: built.definition.required !== false,
      timeoutMs: built.definition.timeoutMs,
      run: async (signal) => warmup(built.value, { signal }),
    });
  }
  // Hot tenants: their stacks are built, and their own model clients warmed, before ready.
  for (const tenantId of tenants?.prewarmList ?? []) {
    jobs.push({
      kind: "tenant",
      name: tenantId,
      required: false,
      timeoutMs: undefined,
      run: async (signal) => {
        const stack = await (tenants as TenantCache).get(tenantId);
        await Promise.all(Object.values(stack.models ?? {}).map((client) => client.warmup({ signal })));
      },
    });
  }
  return jobs;
}

export function retryPolicyOf(app: AnyApp): WarmRetryPolicy {
  const warmup = app.warmup;
  return {
    attempts: warmup?.attempts ?? 4,
    initialDelayMs: warmup?.initialDelayMs ?? 200,
    maxDelayMs: warmup?.maxDelayMs ?? 2_000,
  };
}

/**
 * The optional steps that failed to warm: each one's error, redacted (readiness reports it), and
 * its background retry, every 30 s until it warms. `stop()` clears every retry's timer.
 */
export class Degraded {
  readonly #failures = new Map<string, string>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  get size(): number {
    return this.#failures.size;
  }

  entries(): IterableIterator<[string, string]> {
    return this.#failures.entries();
  }

  /**
   * Records a failed step and retries it now and then while `active()` says so; `recovered()` is
   * called when the last failed step has warmed.
   */
  add(label: string, error: unknown, retry: () => Promise<void>, active: () => boolean, recovered: () => void): void {
    this.#failures.set(label, redact(errorMessage(error)));
    const attempt = async () => {
      if (!active()) return;
      try {
        await retry();
      } catch {
        this.#timers.set(label, setTimeout(attempt, 30_000).unref());
        return;
      }
      this.#timers.delete(label);
      this.#failures.delete(label);
      this.#log({ level: "info", msg: `${label} warmed in the background`, step: label });
      if (this.#failures.size === 0) recovered();
    };
    this.#timers.set(label, setTimeout(attempt, 30_000).unref());
  }

  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}

export interface WarmContext {
  readonly app: AnyApp;
  readonly trace: StartupTrace;
  readonly log: Logger;
  /** The runtime's: aborted when it is destroyed. */
  readonly signal: AbortSignal;
  timeout(stepMs: number | undefined): number;
  readonly degraded: Degraded;
  /** Whether a degraded step's background retry should still run. */
  active(): boolean;
  /** The last degraded step warmed in the background. */
  recovered(): void;
}

/**
 * Runs every warm-up job (and `alongside`, the synthetic turns) in parallel. A required job that
 * fails after its retries fails startup; an optional one is recorded as degraded.
 */
export async function warmUp(context: WarmContext, jobs: readonly WarmJob[], alongside: Promise<void>): Promise<void> {
  const { app, trace, log, signal, degraded } = context;
  const policy = retryPolicyOf(app);
  const warmups = jobs.map(async (job) => {
    const started = performance.now();
    const label = `${job.kind}:${job.name}`;
    const timeoutMs = context.timeout(job.timeoutMs);
    const run = () => withStepTimeout(label, timeoutMs, signal, job.run);
    const outcome = await warmWithRetry(policy, signal, run);
    const status = outcome.error === undefined ? "ok" : "failed";
    const step: Omit<TraceStep, "startMs" | "durationMs"> = {
      phase: "warm",
      kind: "warmup",
      name: label,
      status,
      attempts: outcome.attempts,
      ...(outcome.error === undefined ? {} : { error: errorSummary(outcome.error) }),
    };
    trace.step(step, started, performance.now());
    if (outcome.error === undefined) return;
    if (job.required) {
      throw new HearthError(
        "HEARTH_STARTUP_FAILED",
        `App "${app.name}" failed to warm ${label} (${outcome.failure}, ${outcome.attempts} attempt${outcome.attempts === 1 ? "" : "s"}): ${errorMessage(outcome.error)}`,
        {
          cause: outcome.error,
          step: label,
          attempts: outcome.attempts,
        },
      );
    }
    degraded.add(label, outcome.error, run, context.active, context.recovered);
    log({
      level: "warn",
      msg: `${label} failed to warm (${outcome.failure}); serving degraded and retrying in the background`,
      step: label,
      ...urlOf(outcome.error),
    });
  });
  const results = await Promise.allSettled([...warmups, alongside]);
  const failed = results.find((result) => result.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}

/** A model error's provider URL (without user info), for a log line: never for a client. */
export function urlOf(error: unknown): { url?: string } {
  return HearthError.is(error) && error.url !== undefined ? { url: error.url } : {};
}
