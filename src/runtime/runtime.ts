import type { FSWatcher } from "node:fs";
import type { ChatAgent } from "../core/agent.ts";
import { abortError, HearthError } from "../core/errors.ts";
import type { ModelClient } from "../core/model-client.ts";
import { plainRun, type RunContext } from "../core/run-context.ts";
import type { Team } from "../core/team.ts";
import { errorMessage } from "../internal/error-message.ts";
import { addHashedSecrets, rescanEnvironmentSecrets } from "../internal/redact.ts";
import { sharedConnectionPools } from "../models/connection-pools.ts";
import { TenantCache, type TenantsOptions } from "../tenancy/tenant-cache.ts";
import type { App, AssetValues, ResourceValues } from "./app.ts";
import { watchAssets } from "./asset-watcher.ts";
import { assetPath } from "./asset.ts";
import { ConstructionGuard } from "./construction-guard.ts";
import { type Logger, safeLogger } from "../internal/log.ts";
import { healthChecks, ResourceHealth } from "./health-checks.ts";
import {
  buildAgentsAndTeams,
  initModels,
  initResources,
  initStepRunner,
  loadAssets,
  type BuiltResource,
  type InitStep,
} from "./init.ts";
import { KeyedLock } from "../internal/keyed-lock.ts";
import { linkAbort } from "../internal/linked-abort.ts";
import { runAfterReady } from "./after-ready.ts";
import { type KeepWarm, type ProviderConnections, providerConnections, startKeepWarm } from "./keep-warm.ts";
import { runSessionTurn, type SessionTurnOptions, type SessionTurnResult } from "./session-turn.ts";
import { closeBuilt } from "./shutdown.ts";
import { StartupTrace, type StartupTraceJSON } from "./startup-trace.ts";
import { runSyntheticTurns } from "./synthetic-turns.ts";
import { Degraded, urlOf, warmJobs, warmUp } from "./warm.ts";
import {
  type HealthReport,
  type RuntimeOptions,
  type RuntimeState,
  validateRuntimeOptions,
} from "./runtime-options.ts";

export type { HealthReport, RuntimeOptions, RuntimeState } from "./runtime-options.ts";

/**
 * The lifecycle container: `load → init → warm → ready → serve → drain → close`. It builds every
 * definition of the app once, in dependency order (independent steps in parallel, each under a
 * timeout), warms them (model connections, resources, synthetic turns through the real request
 * path) before ready, times every phase and step into the startup trace, guards against
 * definitions built while serving, and drains before it closes.
 */
export class Runtime<
  Assets = Record<string, unknown>,
  Resources = Record<string, unknown>,
  Models = Record<string, ModelClient>,
  Agents = Record<string, ChatAgent>,
  Teams = Record<string, Team>,
> {
  readonly app: App<Assets, Resources, Models, Agents, Teams>;
  readonly guard: ConstructionGuard;
  readonly #options: RuntimeOptions;
  readonly #log: Logger;
  readonly #trace: StartupTrace;
  readonly #controller = new AbortController();
  readonly #health: ResourceHealth;
  readonly #degraded: Degraded;
  #state: RuntimeState = "idle";
  #started: Promise<void> | undefined;
  #closed: Promise<void> | undefined;
  #assets: Readonly<Record<string, unknown>> = {};
  #resources: Record<string, unknown> = {};
  readonly #models: Record<string, ModelClient> = {};
  #keepWarm: KeepWarm | undefined;
  #agents: Readonly<Record<string, ChatAgent>> = {};
  #teams: Readonly<Record<string, Team>> = {};
  /** Each resource as it is built, so a startup that fails part way closes what it built. */
  readonly #builtResources: BuiltResource[] = [];
  #tenants: TenantCache | undefined;
  #inFlight = 0;
  #idle: (() => void) | undefined;
  #watchers: FSWatcher[] = [];
  readonly #syntheticWarmups: (readonly [string, () => Promise<void>])[] = [];
  /** Synthetic warm-ups run only when keep-warm runs them again after a quiet spell. */
  readonly #rewarmOnly: (readonly [string, () => Promise<void>])[] = [];
  /** When the last request (not a synthetic one) finished; ready time before any. */
  #lastRequestAt = 0;
  /** Turns on one session in this process, one at a time, in arrival order. */
  readonly #turnLocks = new KeyedLock();
  readonly #readyPromise: Promise<void>;
  #resolveReady!: () => void;
  #rejectReady!: (error: unknown) => void;

  constructor(app: App<Assets, Resources, Models, Agents, Teams>, options: RuntimeOptions = {}) {
    if (app?.kind !== "hearth-app")
      throw new HearthError("HEARTH_CONFIG_INVALID", "createRuntime needs an app made with defineApp().", {
        field: "app",
      });
    const { healthCacheMs, healthTimeoutMs } = validateRuntimeOptions(options, app);
    this.app = app;
    this.#options = options;
    // Every line the runtime logs is redacted, whatever logger it was given.
    this.#log = safeLogger(options.log);
    addHashedSecrets(Object.keys(app.auth?.apiKeys ?? {}));
    this.#trace = new StartupTrace(app.name);
    this.guard = new ConstructionGuard({ strict: options.strict ?? false, log: this.#log });
    this.#health = new ResourceHealth({
      cacheMs: healthCacheMs,
      timeoutMs: healthTimeoutMs,
      signal: this.#controller.signal,
    });
    this.#degraded = new Degraded(this.#log);
    this.#readyPromise = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.#readyPromise.catch(() => undefined);
  }

  get state(): RuntimeState {
    return this.#state;
  }

  /** Resolves when the runtime is ready (or degraded); rejects when startup fails. */
  get ready(): Promise<void> {
    return this.#readyPromise;
  }

  /** Serving: ready, or degraded (an optional part failed). */
  get isReady(): boolean {
    return this.#state === "ready" || this.#state === "degraded";
  }

  /** Aborted when the runtime is destroyed, or when a drain's deadline passes. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get assets(): AssetValues<Assets> {
    return this.#assets as AssetValues<Assets>;
  }

  get resources(): ResourceValues<Resources> {
    return this.#resources as ResourceValues<Resources>;
  }

  get models(): Models {
    return this.#models as Models;
  }

  get agents(): Agents {
    return this.#agents as Agents;
  }

  get teams(): Teams {
    return this.#teams as Teams;
  }

  /** The tenant cache, when the app defines `tenants`. */
  get tenants(): TenantCache | undefined {
    return this.#tenants;
  }

  agent(name: string): ChatAgent {
    return named(this.#agents, name, "HEARTH_AGENT_UNKNOWN", `App "${this.app.name}" has no agent`);
  }

  team(name: string): Team {
    return named(this.#teams, name, "HEARTH_TEAM_UNKNOWN", `App "${this.app.name}" has no team`);
  }

  startupTrace(): StartupTraceJSON {
    return this.#trace.toJSON();
  }

  /**
   * Adds a synthetic warm-up of the caller's own to the warm phase: it runs alongside the model
   * warm-ups and synthetic turns, with network calls from model clients refused, is recorded in the
   * startup trace as a `synthetic` step, and never fails startup. The runs it makes say they are
   * synthetic (`run: syntheticRun`; `track(work, syntheticRun)`), so their models are stubbed
   * and their tools not called. The Node server sends its synthetic HTTP requests this way, so they
   * are over before ready. Only before start(), unless `startup: false`: then it does not run in the
   * warm phase (the caller runs it once itself), only when keep-warm runs the synthetic turns again
   * after a quiet spell.
   */
  addSyntheticWarmup(name: string, run: () => Promise<void>, options: { readonly startup?: boolean } = {}): void {
    if (options.startup === false) {
      this.#rewarmOnly.push([name, run]);
      return;
    }
    if (this.#state !== "idle")
      throw new HearthError(
        "HEARTH_CONFIG_INVALID",
        `addSyntheticWarmup("${name}") must come before start(): the runtime is ${this.#state}.`,
        { field: "addSyntheticWarmup" },
      );
    this.#syntheticWarmups.push([name, run]);
  }

  /** Builds and warms everything; resolves at ready. Calling it again returns the same promise. */
  start(): Promise<void> {
    this.#started ??= this.#start();
    return this.#started;
  }

  async #start(): Promise<void> {
    const loaded = performance.now();
    this.#trace.recordNode();
    this.#trace.phase("load", performance.nodeTiming.bootstrapComplete, loaded);
    try {
      this.#state = "starting";
      await this.#init();
      // Init may have set secrets in the environment (read from a vault, say): they are known from now on.
      rescanEnvironmentSecrets();
      const warmStart = performance.now();
      this.#trace.phase("init", loaded, warmStart);
      this.#state = "warming";
      await this.#warm();
      const readyAt = performance.now();
      this.#trace.phase("warm", warmStart, readyAt);
      this.#trace.phase("ready", readyAt, readyAt);
      if (this.#state === "warming") this.#state = this.#degraded.size > 0 ? "degraded" : "ready";
      this.guard.arm();
      if (this.#options.dev ?? (process.env.HEARTH_DEV === "1" || process.env.NODE_ENV === "development"))
        this.#watchAssets();
      this.#log(this.#trace.summary());
      this.#resolveReady();
      this.#lastRequestAt = performance.now();
      if (this.app.keepWarm !== false)
        this.#keepWarm = startKeepWarm(this.#models, this.app.keepWarm ?? {}, this.#log, {
          quietMs: () => (this.#inFlight > 0 ? 0 : performance.now() - this.#lastRequestAt),
          run: () => this.#rewarm(),
        });
      setImmediate(() => void this.#afterReady());
    } catch (error) {
      const failure = HearthError.is(error, "HEARTH_STARTUP_FAILED")
        ? error
        : new HearthError("HEARTH_STARTUP_FAILED", `App "${this.app.name}" failed to start: ${errorMessage(error)}`, {
            cause: error,
          });
      this.#log({
        level: "error",
        msg: failure.message,
        step: failure.step,
        code: (failure.cause as { code?: string } | undefined)?.code,
        ...urlOf(failure.cause),
      });
      this.#rejectReady(failure);
      await this.#shutDown();
      throw failure;
    }
  }

  /** Where relative asset paths start. */
  get #root(): string {
    const root = this.app.root;
    return root === undefined ? process.cwd() : root instanceof URL ? assetPath(root, process.cwd()) : root;
  }

  /** A step's own timeout, or the app's, or 30 s. */
  #timeout = (stepMs: number | undefined): number => stepMs ?? this.app.stepTimeoutMs ?? 30_000;

  #step(): InitStep {
    return initStepRunner(this.app, this.#trace, this.#controller.signal, this.#timeout);
  }

  /** The init phase (see init.ts): assets, resources along their graph, models, agents, teams, the tenant cache. */
  async #init(): Promise<void> {
    const step = this.#step();
    this.#assets = await loadAssets(this.app, this.#root, step);
    this.#resources = await initResources(
      this.app,
      this.#assets,
      step,
      this.#builtResources,
      (name, part, start, end) =>
        this.#trace.step({ phase: "init", kind: "resource", name: `${name}/${part}`, status: "ok" }, start, end),
    );
    await initModels(
      this.app,
      { assets: this.#assets, resources: this.#resources },
      step,
      this.#models,
      this.#options.models,
    );
    Object.freeze(this.#models);
    ({ agents: this.#agents, teams: this.#teams } = await this.#buildRunners(step));
    if (this.app.tenants !== undefined)
      // The runtime holds the app's values untyped; the app's definition typed them for its build.
      this.#tenants = new TenantCache(this.app.tenants as TenantsOptions, () => ({
        assets: this.#assets,
        resources: this.#resources,
        models: this.#models,
      }));
  }

  #buildRunners(step: InitStep) {
    return buildAgentsAndTeams(
      this.app,
      { assets: this.#assets, resources: this.#resources, models: this.#models },
      step,
      this.#options.withoutTools === true,
    );
  }

  /** The warm phase (see warm.ts): warm-up jobs with retries, and the synthetic turns alongside. */
  async #warm(): Promise<void> {
    const synthetic =
      this.app.warmup?.syntheticTurns === false
        ? Promise.resolve()
        : runSyntheticTurns(
            this.#agents,
            this.#teams,
            this.app.warmup?.task ?? "warm-up",
            this.#trace,
            this.#log,
            this.#syntheticWarmups,
          );
    await warmUp(
      {
        app: this.app,
        trace: this.#trace,
        log: this.#log,
        signal: this.#controller.signal,
        timeout: this.#timeout,
        degraded: this.#degraded,
        active: () => this.#state === "degraded" || this.#state === "warming",
        recovered: () => {
          if (this.#state === "degraded") this.#state = "ready";
        },
      },
      warmJobs(this.app, this.#models, this.#builtResources, this.#tenants),
      synthetic,
    );
  }

  /** The warm phase's synthetic turns once more, recorded nowhere: what keep-warm runs after a quiet spell. */
  async #rewarm(): Promise<boolean> {
    if (!this.isReady || this.app.warmup?.syntheticTurns === false) return false;
    await runSyntheticTurns(this.#agents, this.#teams, this.app.warmup?.task ?? "warm-up", undefined, this.#log, [
      ...this.#syntheticWarmups,
      ...this.#rewarmOnly,
    ]);
    return true;
  }

  #afterReady(): Promise<void> {
    const context = { assets: this.#assets, resources: this.#resources, models: this.#models, agents: this.#agents };
    return runAfterReady(this.app.afterReady ?? [], context, this.#trace, this.#log);
  }

  /** Dev mode: a changed asset is read again, and the agents and teams are rebuilt with it. */
  #watchAssets(): void {
    const reloaded = async (name: string, value: unknown) => {
      const previous = this.#assets;
      this.#assets = Object.freeze({ ...previous, [name]: value });
      try {
        ({ agents: this.#agents, teams: this.#teams } = await this.#buildRunners(this.#step()));
      } catch (error) {
        this.#assets = previous;
        throw error;
      }
    };
    this.#watchers = watchAssets(this.app, this.#root, reloaded, this.#log);
  }

  /** Each provider's connections now (for `/metrics`): open and idle, how long quiet, keep-warm requests sent. */
  providerConnections(): ProviderConnections[] {
    return providerConnections(this.#models, this.#keepWarm);
  }

  /** Readiness: the state now, each degraded step's error, and each resource's health (see health-checks.ts). */
  async health(): Promise<HealthReport> {
    const checks = healthChecks({
      ready: this.isReady,
      models: Object.keys(this.#models),
      resources: this.#builtResources.map((resource) => resource.name),
      degraded: this.#degraded.entries(),
      resourceChecks: await this.#health.check(this.#builtResources),
    });
    return { state: this.#state, ready: this.isReady, checks };
  }

  /**
   * Runs one unit of serving work (a request): refused unless ready, counted for the drain, and
   * timed; the first one's duration goes into the startup trace apart from the rest. A synthetic
   * warm-up run (`run.synthetic`) may run while warming, and is not the first request.
   */
  async track<T>(work: (signal: AbortSignal) => Promise<T>, run: RunContext = plainRun): Promise<T> {
    this.assertServing(run);
    this.#inFlight += 1;
    const started = performance.now();
    try {
      return await work(this.#controller.signal);
    } finally {
      if (!run.synthetic) {
        this.#lastRequestAt = performance.now();
        this.#trace.recordRequest(started, this.#lastRequestAt - started);
      }
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#idle?.();
    }
  }

  /**
   * One turn on a stored session (see session-turn.ts): what every front door, hearth's HTTP API or
   * a route of the app's own, runs. Tracked like any serving work (refused unless ready, waited for
   * by a drain), and aborted with the runtime.
   */
  runTurn(options: SessionTurnOptions): Promise<SessionTurnResult> {
    return this.track(async (runtimeSignal) => {
      const link = linkAbort([options.signal, runtimeSignal]);
      try {
        const run = options.run ?? plainRun;
        // A tool call that fails is logged by the runtime's logger unless the caller brings its own.
        const logged = run.log === undefined ? { ...run, log: this.#log } : run;
        return await runSessionTurn(this.#turnLocks, { ...options, signal: link.signal, run: logged });
      } finally {
        link.unlink();
      }
    }, options.run);
  }

  /** Throws HEARTH_NOT_READY before ready (a synthetic warm-up run may run while warming) and HEARTH_RUNTIME_CLOSED once draining. */
  assertServing(run: RunContext = plainRun): void {
    if (this.#state === "draining" || this.#state === "closed")
      throw new HearthError("HEARTH_RUNTIME_CLOSED", `App "${this.app.name}" is ${this.#state}.`);
    if (!this.isReady && !(this.#state === "warming" && run.synthetic))
      throw new HearthError("HEARTH_NOT_READY", `App "${this.app.name}" is ${this.#state}, not ready yet.`);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Drains and closes: readiness goes false and new work is refused at once; work in flight gets
   * until `deadlineMs` to finish (then its signal aborts); resources close in the reverse order of
   * their init. Idempotent: a second call returns the same promise.
   */
  close(options: { readonly deadlineMs?: number } = {}): Promise<void> {
    this.#closed ??= this.#close(options.deadlineMs ?? 10_000);
    return this.#closed;
  }

  async #close(deadlineMs: number): Promise<void> {
    if (this.#state === "idle") {
      this.#state = "closed";
      return;
    }
    if (this.#state === "starting" || this.#state === "warming") await this.#started?.catch(() => undefined);
    if (this.#state === "closed") return;
    this.#state = "draining";
    this.#keepWarm?.stop();
    this.#rejectReady(new HearthError("HEARTH_RUNTIME_CLOSED", `App "${this.app.name}" closed before it was ready.`));
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.#idle = resolve;
        setTimeout(resolve, deadlineMs).unref();
      });
    }
    if (this.#inFlight > 0) {
      this.#log({
        level: "warn",
        msg: `drain deadline of ${deadlineMs} ms passed with ${this.#inFlight} in flight; aborting them`,
      });
      this.#controller.abort(abortError(undefined));
    }
    await this.#shutDown();
  }

  /** Closes at once: aborts work in flight, then closes resources. */
  async destroy(): Promise<void> {
    if (this.#state !== "closed") this.#controller.abort(abortError(undefined));
    await this.close({ deadlineMs: 0 });
  }

  async #shutDown(): Promise<void> {
    this.guard.disarm();
    this.#degraded.stop();
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers = [];
    await closeBuilt(
      { tenants: this.#tenants, models: this.#models, resources: this.#builtResources },
      this.#timeout,
      this.#log,
    );
    this.#builtResources.length = 0;
    if (this.#options.closeConnectionPools !== false) sharedConnectionPools.close();
    this.#state = "closed";
  }
}

/** Creates the lifecycle container for an app; `start()` builds and warms it. */
export function createRuntime<Assets, Resources, Models, Agents, Teams>(
  app: App<Assets, Resources, Models, Agents, Teams>,
  options?: RuntimeOptions,
): Runtime<Assets, Resources, Models, Agents, Teams> {
  return new Runtime(app, options);
}

/** Any runtime, whatever its app's definitions: what the adapters accept beside an app. */
// biome-ignore lint/suspicious/noExplicitAny: each type parameter is whatever the app declares
export type AnyRuntime = Runtime<any, any, any, any, any>;

/** The runner of that name; an unknown name is `code`, listing the names there are. */
function named<T>(
  runners: Readonly<Record<string, T>>,
  name: string,
  code: "HEARTH_AGENT_UNKNOWN" | "HEARTH_TEAM_UNKNOWN",
  what: string,
): T {
  const runner = Object.hasOwn(runners, name) ? runners[name] : undefined;
  if (runner === undefined)
    throw new HearthError(code, `${what} "${name}" (it has: ${Object.keys(runners).join(", ") || "none"}).`);
  return runner;
}
