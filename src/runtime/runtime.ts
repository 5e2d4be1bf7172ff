import { errorMessage } from "../internal/error-message.ts";
import type { FSWatcher } from "node:fs";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import type { ChatAgent } from "../core/agent.ts";
import { isoNow } from "../internal/clock.ts";
import { diagnosticsChannel } from "../core/diagnostics.ts";
import { abortError, HearthError } from "../core/errors.ts";
import { addSecrets, redact, redactEntry, rescanEnvironmentSecrets } from "../internal/redact.ts";
import type { ModelClient } from "../core/model-client.ts";
import type { Team } from "../core/team.ts";
import { sharedConnectionPools } from "../models/connection-pools.ts";
import type { App, AssetValues, ResourceValues } from "./app.ts";
import { assetPath, loadAsset, type Asset } from "./asset.ts";
import { inFactory } from "../core/construction.ts";
import { ConstructionGuard, type Logger } from "./construction-guard.ts";
import type { Resource } from "./resource.ts";
import { TenantCache } from "../tenancy/tenant-cache.ts";
import { errorSummary, StartupTrace, type StartupTraceJSON, type StepKind, type TraceStep } from "./startup-trace.ts";
import { isSyntheticTurn } from "../core/synthetic.ts";
import { runSyntheticTurns } from "./synthetic-turns.ts";
import { warmWithRetry, withStepTimeout, type WarmRetryPolicy } from "./warm-step.ts";
import { makeWarmable } from "./warmable-model.ts";

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
}

export interface HealthReport {
  readonly state: RuntimeState;
  readonly ready: boolean;
  /** Each check by name; `error` is redacted, and the HTTP server shows it only to authenticated callers. */
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly error?: string }>>;
}

type HealthChecks = Record<string, { ok: boolean; error?: string }>;

/** A warm-up job: a model's warmup() or a resource's warmup, and whether startup needs it. */
interface WarmJob {
  readonly kind: StepKind;
  readonly name: string;
  readonly required: boolean;
  readonly timeoutMs: number | undefined;
  readonly run: (signal: AbortSignal) => Promise<void>;
}

interface BuiltResource {
  readonly name: string;
  readonly definition: Resource<unknown>;
  readonly value: unknown;
}

const defaultLog: Logger = (entry) => {
  if (entry.level === "debug" && process.env.HEARTH_LOG_LEVEL !== "debug") return;
  process.stdout.write(`${JSON.stringify({ time: isoNow(), level: "info", ...entry })}\n`);
};

/**
 * The lifecycle container: `load → init → warm → ready → serve → drain → close`. It builds every
 * definition of the app once, in dependency order (independent steps in parallel, each under a
 * timeout), warms them (model connections, resources, synthetic turns through the real request
 * path) before ready, times every phase and step into the startup trace, guards against
 * definitions built while serving, and drains before it closes.
 */
export class Runtime<Assets = Record<string, unknown>, Resources = Record<string, unknown>, Models = Record<string, ModelClient>, Agents = Record<string, ChatAgent>, Teams = Record<string, Team>> {
  readonly app: App<Assets, Resources, Models, Agents, Teams>;
  readonly guard: ConstructionGuard;
  readonly #options: RuntimeOptions;
  readonly #log: Logger;
  readonly #trace: StartupTrace;
  readonly #controller = new AbortController();
  #state: RuntimeState = "idle";
  #started: Promise<void> | undefined;
  #closed: Promise<void> | undefined;
  #assets: Record<string, unknown> = {};
  #resources: Record<string, unknown> = {};
  #models: Record<string, ModelClient> = {};
  #agents: Record<string, ChatAgent> = {};
  #teams: Record<string, Team> = {};
  #builtResources: BuiltResource[] = [];
  #tenants: TenantCache | undefined;
  #degraded = new Map<string, string>();
  #inFlight = 0;
  #idle: (() => void) | undefined;
  #watchers: FSWatcher[] = [];
  /** One retry timer per degraded job, each cleared at close. */
  readonly #retryTimers = new Map<string, NodeJS.Timeout>();
  readonly #syntheticWarmups: (readonly [string, () => Promise<void>])[] = [];
  readonly #healthCacheMs: number;
  readonly #healthTimeoutMs: number;
  /** The last round of resource health checks: in flight (no `endedAt`), or its result, kept for `healthCacheMs`. */
  #healthChecks: { endedAt: number | undefined; readonly checks: Promise<HealthChecks> } | undefined;
  /** Each resource's health check still running, so a hung one is not called again. */
  readonly #healthInFlight = new Map<string, Promise<boolean>>();
  readonly #readyPromise: Promise<void>;
  #resolveReady!: () => void;
  #rejectReady!: (error: unknown) => void;

  constructor(app: App<Assets, Resources, Models, Agents, Teams>, options: RuntimeOptions = {}) {
    if (app?.kind !== "hearth-app") throw new HearthError("HEARTH_CONFIG_INVALID", "createRuntime needs an app made with defineApp().", { field: "app" });
    const healthCacheMs = options.healthCacheMs ?? 1_000;
    if (!Number.isFinite(healthCacheMs) || healthCacheMs < 0) throw new HearthError("HEARTH_CONFIG_INVALID", "`healthCacheMs` must be a number, 0 or more.", { field: "healthCacheMs" });
    const healthTimeoutMs = options.healthTimeoutMs ?? 5_000;
    if (!Number.isFinite(healthTimeoutMs) || healthTimeoutMs <= 0) throw new HearthError("HEARTH_CONFIG_INVALID", "`healthTimeoutMs` must be a positive number.", { field: "healthTimeoutMs" });
    this.#healthTimeoutMs = healthTimeoutMs;
    this.app = app;
    this.#options = options;
    this.#healthCacheMs = healthCacheMs;
    // Every line the runtime logs is redacted, whatever logger it was given.
    const log = options.log ?? defaultLog;
    this.#log = (entry) => log(redactEntry(entry));
    addSecrets(Object.keys(app.auth?.apiKeys ?? {}));
    this.#trace = new StartupTrace(app.name);
    this.guard = new ConstructionGuard({ strict: options.strict ?? false, log: this.#log });
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
    const agent = Object.hasOwn(this.#agents, name) ? this.#agents[name] : undefined;
    if (agent === undefined) throw new HearthError("HEARTH_AGENT_UNKNOWN", `App "${this.app.name}" has no agent "${name}" (it has: ${Object.keys(this.#agents).join(", ") || "none"}).`);
    return agent;
  }

  team(name: string): Team {
    const team = Object.hasOwn(this.#teams, name) ? this.#teams[name] : undefined;
    if (team === undefined) throw new HearthError("HEARTH_TEAM_UNKNOWN", `App "${this.app.name}" has no team "${name}" (it has: ${Object.keys(this.#teams).join(", ") || "none"}).`);
    return team;
  }

  startupTrace(): StartupTraceJSON {
    return this.#trace.toJSON();
  }

  /**
   * Adds a synthetic warm-up of the caller's own to the warm phase: it runs in a synthetic scope
   * (models stubbed, tools not called) alongside the model warm-ups and synthetic turns, is recorded
   * in the startup trace as a `synthetic` step, and never fails startup. The Node server sends its
   * synthetic HTTP requests this way, so they are over before ready. Only before start().
   */
  addSyntheticWarmup(name: string, run: () => Promise<void>): void {
    if (this.#state !== "idle") throw new HearthError("HEARTH_CONFIG_INVALID", `addSyntheticWarmup("${name}") must come before start(): the runtime is ${this.#state}.`, { field: "addSyntheticWarmup" });
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
      if (this.#options.dev ?? (process.env.HEARTH_DEV === "1" || process.env.NODE_ENV === "development")) this.#watchAssets();
      this.#log(this.#trace.summary());
      this.#resolveReady();
      setImmediate(() => void this.#afterReady());
    } catch (error) {
      const failure = HearthError.is(error, "HEARTH_STARTUP_FAILED") ? error : new HearthError("HEARTH_STARTUP_FAILED", `App "${this.app.name}" failed to start: ${errorMessage(error)}`, { cause: error });
      this.#log({ level: "error", msg: failure.message, step: failure.step, code: (failure.cause as { code?: string } | undefined)?.code, ...urlOf(failure.cause) });
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
  #timeout(stepMs: number | undefined): number {
    return stepMs ?? this.app.stepTimeoutMs ?? 30_000;
  }

  /** Runs one init step under its timeout and records it; a failure stops startup, naming the step. */
  async #step<T>(kind: StepKind, name: string, timeoutMs: number | undefined, work: (signal: AbortSignal) => T | Promise<T>): Promise<T> {
    const label = `${kind}:${name}`;
    const started = performance.now();
    try {
      const value = await withStepTimeout(label, this.#timeout(timeoutMs), this.#controller.signal, (signal) => inFactory(() => work(signal)));
      this.#trace.step({ phase: "init", kind, name, status: "ok" }, started, performance.now());
      return value;
    } catch (error) {
      this.#trace.step({ phase: "init", kind, name, status: "failed", error: errorSummary(error) }, started, performance.now());
      throw new HearthError("HEARTH_STARTUP_FAILED", `App "${this.app.name}" failed to start at ${label}: ${errorMessage(error)}`, { cause: error, step: label });
    }
  }

  async #init(): Promise<void> {
    const app = this.app;
    const root = this.#root;
    const assets = Object.entries((app.assets ?? {}) as Record<string, Asset<unknown>>);
    const values = await Promise.all(assets.map(([name, definition]) => this.#step("asset", name, undefined, () => loadAsset(definition, name, root))));
    this.#assets = Object.freeze(Object.fromEntries(assets.map(([name], index) => [name, values[index]])));

    await this.#initResources();

    const context = { assets: this.#assets, resources: this.#resources };
    for (const [name, entry] of Object.entries((app.models ?? {}) as Record<string, ((context: unknown) => ModelClient) | { create: (context: unknown) => ModelClient; required?: boolean }>)) {
      const create = typeof entry === "function" ? entry : entry.create;
      const client = await this.#step("model", name, undefined, () => create(context));
      if (typeof client?.create !== "function") throw new HearthError("HEARTH_STARTUP_FAILED", `App "${app.name}": models.${name} did not return a model client.`, { step: `model:${name}` });
      this.#models[name] = makeWarmable(client);
    }
    Object.freeze(this.#models);
    await this.#buildAgentsAndTeams();
    if (app.tenants !== undefined) this.#tenants = new TenantCache(app.tenants, () => ({ assets: this.#assets, resources: this.#resources, models: this.#models }));
  }

  /** Resources follow their dependsOn graph: each starts once what it depends on is built. */
  async #initResources(): Promise<void> {
    const definitions = (this.app.resources ?? {}) as Record<string, Resource<unknown>>;
    const building = new Map<string, Promise<unknown>>();
    const build = (name: string): Promise<unknown> => {
      let promise = building.get(name);
      if (promise === undefined) {
        const definition = definitions[name] as Resource<unknown>;
        promise = Promise.all((definition.dependsOn ?? []).map(build)).then(() =>
          this.#step("resource", name, definition.timeoutMs, async (signal) => {
            const dependencies = Object.fromEntries((definition.dependsOn ?? []).map((dependency) => [dependency, this.#resources[dependency]]));
            const value = await definition.init({ assets: this.#assets, resources: dependencies, signal });
            this.#resources[name] = value;
            this.#builtResources.push({ name, definition, value });
            return value;
          }),
        );
        building.set(name, promise);
      }
      return promise;
    };
    const results = await Promise.allSettled(Object.keys(definitions).map(build));
    const failed = results.find((result) => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  async #buildAgentsAndTeams(): Promise<void> {
    const app = this.app;
    const agents: Record<string, ChatAgent> = {};
    const context = { assets: this.#assets, resources: this.#resources, models: this.#models };
    // `hearth profile --no-tools` measures the app with its agents' tools taken away.
    const withoutTools = process.env.HEARTH_DISABLE_TOOLS === "1";
    for (const [name, factory] of Object.entries((app.agents ?? {}) as Record<string, (context: unknown) => ChatAgent>)) {
      agents[name] = await this.#step("agent", name, undefined, () => {
        const agent = factory(context);
        return withoutTools && agent instanceof AssistantAgent ? agent.withOptions({ tools: [], reflectOnToolUse: false }) : agent;
      });
    }
    const teams: Record<string, Team> = {};
    const teamContext = { ...context, agents };
    for (const [name, factory] of Object.entries((app.teams ?? {}) as Record<string, (context: unknown) => Team>)) {
      teams[name] = await this.#step("team", name, undefined, () => factory(teamContext));
    }
    this.#agents = Object.freeze(agents);
    this.#teams = Object.freeze(teams);
  }

  get #retryPolicy(): WarmRetryPolicy {
    const warmup = this.app.warmup;
    return { attempts: warmup?.attempts ?? 4, initialDelayMs: warmup?.initialDelayMs ?? 200, maxDelayMs: warmup?.maxDelayMs ?? 2_000 };
  }

  /** The warm-up jobs: each model's warmup() and each resource's warmup, with whether it is required. */
  #warmJobs(): WarmJob[] {
    const jobs: WarmJob[] = [];
    for (const [name, entry] of Object.entries((this.app.models ?? {}) as Record<string, unknown>)) {
      const client = this.#models[name] as ModelClient;
      const required = typeof entry === "function" || (entry as { required?: boolean }).required !== false;
      jobs.push({ kind: "model", name, required, timeoutMs: undefined, run: (signal) => client.warmup({ signal }) });
    }
    for (const built of this.#builtResources) {
      const warmup = built.definition.warmup;
      if (warmup === undefined) continue;
      jobs.push({ kind: "resource", name: built.name, required: built.definition.required !== false, timeoutMs: built.definition.timeoutMs, run: async (signal) => warmup(built.value, { signal }) });
    }
    // Hot tenants: their stacks are built, and their own model clients warmed, before ready.
    const tenants = this.#tenants;
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

  async #warm(): Promise<void> {
    const jobs = this.#warmJobs();
    const warmups = jobs.map(async (job) => {
      const started = performance.now();
      const label = `${job.kind}:${job.name}`;
      const timeoutMs = this.#timeout(job.timeoutMs);
      const outcome = await warmWithRetry(this.#retryPolicy, this.#controller.signal, () => withStepTimeout(label, timeoutMs, this.#controller.signal, job.run));
      const status = outcome.error === undefined ? "ok" : "failed";
      const step: Omit<TraceStep, "startMs" | "durationMs"> = { phase: "warm", kind: "warmup", name: label, status, attempts: outcome.attempts, ...(outcome.error === undefined ? {} : { error: errorSummary(outcome.error) }) };
      this.#trace.step(step, started, performance.now());
      if (outcome.error === undefined) return;
      if (job.required) {
        throw new HearthError("HEARTH_STARTUP_FAILED", `App "${this.app.name}" failed to warm ${label} (${outcome.failure}, ${outcome.attempts} attempt${outcome.attempts === 1 ? "" : "s"}): ${errorMessage(outcome.error)}`, {
          cause: outcome.error,
          step: label,
          attempts: outcome.attempts,
        });
      }
      this.#degraded.set(label, redact(errorMessage(outcome.error)));
      this.#log({ level: "warn", msg: `${label} failed to warm (${outcome.failure}); serving degraded and retrying in the background`, step: label, ...urlOf(outcome.error) });
      this.#scheduleRetry(job);
    });
    const synthetic = this.app.warmup?.syntheticTurns === false ? Promise.resolve() : runSyntheticTurns(this.#agents, this.#teams, this.app.warmup?.task ?? "warm-up", this.#trace, this.#log, this.#syntheticWarmups);
    const results = await Promise.allSettled([...warmups, synthetic]);
    const failed = results.find((result) => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  /** An optional step that failed is retried now and then; the runtime is ready again once it warms. */
  #scheduleRetry(job: WarmJob): void {
    const label = `${job.kind}:${job.name}`;
    const retry = async () => {
      if (this.#state !== "degraded" && this.#state !== "warming") return;
      try {
        await withStepTimeout(label, this.#timeout(job.timeoutMs), this.#controller.signal, job.run);
        this.#degraded.delete(label);
        this.#log({ level: "info", msg: `${label} warmed in the background`, step: label });
        if (this.#degraded.size === 0 && this.#state === "degraded") this.#state = "ready";
      } catch {
        this.#retryTimers.set(label, setTimeout(retry, 30_000).unref());
        return;
      }
      this.#retryTimers.delete(label);
    };
    this.#retryTimers.set(label, setTimeout(retry, 30_000).unref());
  }

  async #afterReady(): Promise<void> {
    const context = { assets: this.#assets, resources: this.#resources, models: this.#models, agents: this.#agents };
    for (const [index, hook] of (this.app.afterReady ?? []).entries()) {
      const started = performance.now();
      try {
        await hook(context as never);
        this.#trace.step({ phase: "after-ready", kind: "after-ready", name: hook.name || `hook-${index + 1}`, status: "ok" }, started, performance.now());
      } catch (error) {
        this.#trace.step({ phase: "after-ready", kind: "after-ready", name: hook.name || `hook-${index + 1}`, status: "failed", error: errorSummary(error) }, started, performance.now());
        this.#log({ level: "warn", msg: `an afterReady hook failed: ${errorMessage(error)}` });
      }
    }
  }

  /** Dev mode: an asset file that changes is read again, and agents and teams are rebuilt with it. */
  #watchAssets(): void {
    const { watch } = process.getBuiltinModule("node:fs");
    const app = this.app;
    const root = this.#root;
    for (const [name, definition] of Object.entries((app.assets ?? {}) as Record<string, Asset<unknown>>)) {
      const file = assetPath(definition.path, root);
      let timer: NodeJS.Timeout | undefined;
      const reload = async () => {
        try {
          const value = await loadAsset(definition, name, root);
          this.#assets = Object.freeze({ ...this.#assets, [name]: value });
          await this.#buildAgentsAndTeams();
          this.#log({ level: "info", msg: `asset "${name}" reloaded`, asset: name, file });
          diagnosticsChannel("hearth:asset-reload").publish({ app: app.name, asset: name, ok: true });
        } catch (error) {
          this.#log({ level: "error", msg: `asset "${name}" could not be reloaded; keeping the previous version: ${errorMessage(error)}`, asset: name });
          diagnosticsChannel("hearth:asset-reload").publish({ app: app.name, asset: name, ok: false, error: errorSummary(error) });
        }
      };
      const watcher = watch(file, () => {
        clearTimeout(timer);
        timer = setTimeout(() => void reload(), 30);
      });
      watcher.unref();
      this.#watchers.push(watcher);
    }
  }

  /**
   * Readiness and each resource's health. The state is read now; the resource checks are shared:
   * a round of them answers every call for `healthCacheMs`, and only one round runs at a time, so
   * readiness probes cannot flood a dependency.
   */
  async health(): Promise<HealthReport> {
    let round = this.#healthChecks;
    if (round === undefined || (round.endedAt !== undefined && performance.now() - round.endedAt >= this.#healthCacheMs)) {
      const started: { endedAt: number | undefined; checks: Promise<HealthChecks> } = { endedAt: undefined, checks: this.#checkResources() };
      void started.checks.then(() => (started.endedAt = performance.now()));
      this.#healthChecks = round = started;
    }
    const resourceChecks = await round.checks;
    const checks: HealthChecks = {};
    for (const [label, error] of this.#degraded) checks[label] = { ok: false, error };
    Object.assign(checks, resourceChecks);
    return { state: this.#state, ready: this.isReady, checks };
  }

  async #checkResources(): Promise<HealthChecks> {
    const checks: HealthChecks = {};
    await Promise.all(
      this.#builtResources.map(async ({ name, definition, value }) => {
        if (definition.health === undefined) return;
        try {
          // A check still running from an earlier round is awaited again, not called again: a hung
          // dependency gets one call, not one per round. Each round waits for it at most healthTimeoutMs.
          let pending = this.#healthInFlight.get(name);
          if (pending === undefined) {
            // Given up on after four timeouts: a check that never answers is called again then, not never.
            const signal = AbortSignal.timeout(this.#healthTimeoutMs * 4);
            const started = Promise.resolve().then(() => definition.health?.(value, { signal }) ?? true);
            pending = started;
            this.#healthInFlight.set(name, started);
            const forget = () => {
              if (this.#healthInFlight.get(name) === started) this.#healthInFlight.delete(name);
            };
            void started.then(forget, forget);
            signal.addEventListener("abort", forget, { once: true });
          }
          const check = pending;
          const ok = await withStepTimeout(`resource:${name}`, this.#healthTimeoutMs, this.#controller.signal, () => check);
          checks[`resource:${name}`] = ok ? { ok: true } : { ok: false, error: "unhealthy" };
        } catch (error) {
          const message = HearthError.is(error, "HEARTH_STEP_TIMEOUT") ? `the health check did not answer within ${this.#healthTimeoutMs} ms` : errorMessage(error);
          checks[`resource:${name}`] = { ok: false, error: redact(message) };
        }
      }),
    );
    return checks;
  }

  /**
   * Runs one unit of serving work (a request): refused unless ready, counted for the drain, and
   * timed; the first one's duration goes into the startup trace apart from the rest.
   */
  async track<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.assertServing();
    this.#inFlight += 1;
    const started = performance.now();
    try {
      return await work(this.#controller.signal);
    } finally {
      // The server's own synthetic warm-up requests are not the first request.
      if (!isSyntheticTurn()) this.#trace.recordRequest(started, performance.now() - started);
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#idle?.();
    }
  }

  /** Throws HEARTH_NOT_READY before ready (a synthetic warm-up request may run while warming) and HEARTH_RUNTIME_CLOSED once draining. */
  assertServing(): void {
    if (this.#state === "draining" || this.#state === "closed") throw new HearthError("HEARTH_RUNTIME_CLOSED", `App "${this.app.name}" is ${this.#state}.`);
    if (!this.isReady && !(this.#state === "warming" && isSyntheticTurn())) throw new HearthError("HEARTH_NOT_READY", `App "${this.app.name}" is ${this.#state}, not ready yet.`);
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
    this.#rejectReady(new HearthError("HEARTH_RUNTIME_CLOSED", `App "${this.app.name}" closed before it was ready.`));
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.#idle = resolve;
        setTimeout(resolve, deadlineMs).unref();
      });
    }
    if (this.#inFlight > 0) {
      this.#log({ level: "warn", msg: `drain deadline of ${deadlineMs} ms passed with ${this.#inFlight} in flight; aborting them` });
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
    for (const timer of this.#retryTimers.values()) clearTimeout(timer);
    this.#retryTimers.clear();
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers = [];
    await this.#tenants?.close();
    for (const client of Object.values(this.#models)) {
      await client.close().catch((error: unknown) => this.#log({ level: "warn", msg: `closing a model client failed: ${String(error)}` }));
    }
    for (const built of [...this.#builtResources].reverse()) {
      if (built.definition.close === undefined) continue;
      try {
        await withStepTimeout(`resource:${built.name}`, this.#timeout(built.definition.timeoutMs), new AbortController().signal, () => built.definition.close?.(built.value));
      } catch (error) {
        this.#log({ level: "warn", msg: `closing resource "${built.name}" failed: ${errorMessage(error)}` });
      }
    }
    this.#builtResources = [];
    if (this.#options.closeConnectionPools !== false) sharedConnectionPools.close();
    this.#state = "closed";
  }
}


/** A model error's provider URL (without user info), for a log line: never for a client. */
function urlOf(error: unknown): { url?: string } {
  return HearthError.is(error) && error.url !== undefined ? { url: error.url } : {};
}

/** Creates the lifecycle container for an app; `start()` builds and warms it. */
export function createRuntime<Assets, Resources, Models, Agents, Teams>(app: App<Assets, Resources, Models, Agents, Teams>, options?: RuntimeOptions): Runtime<Assets, Resources, Models, Agents, Teams> {
  return new Runtime(app, options);
}
