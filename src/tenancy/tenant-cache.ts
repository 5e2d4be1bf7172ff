import type { ChatAgent } from "../core/agent.ts";
import { diagnosticsChannel } from "../core/diagnostics.ts";
import { HearthError, UserError } from "../core/errors.ts";
import { addSecrets, isSecretName } from "../internal/redact.ts";
import type { ModelClient } from "../core/model-client.ts";
import type { Team } from "../core/team.ts";
import { inFactory } from "../core/construction.ts";

/** One tenant's agents and teams, built with its credentials. */
export interface TenantStack {
  readonly agents: Readonly<Record<string, ChatAgent>>;
  readonly teams?: Readonly<Record<string, Team>>;
  /** The tenant's own model clients: prewarming calls their warmup(), which also proves the tenant's key. */
  readonly models?: Readonly<Record<string, ModelClient>>;
  /** Called when the stack is evicted or invalidated. */
  readonly close?: () => void | Promise<void>;
}

/** What `tenants.build` is given: typed by the app's own assets, resources and models, as agent factories are. */
export interface TenantBuildContext<
  Assets = Readonly<Record<string, unknown>>,
  Resources = Readonly<Record<string, unknown>>,
  Models = Readonly<Record<string, ModelClient>>,
> {
  readonly tenantId: string;
  readonly credentials: Readonly<Record<string, string>>;
  readonly assets: Assets;
  readonly resources: Resources;
  readonly models: Models;
}

export interface TenantsOptions<
  Assets = Readonly<Record<string, unknown>>,
  Resources = Readonly<Record<string, unknown>>,
  Models = Readonly<Record<string, ModelClient>>,
> {
  /** The tenant an API key belongs to; undefined for an unknown key (401). */
  readonly resolve: (apiKey: string) => string | undefined | Promise<string | undefined>;
  /** The tenant's own credentials (its provider key, say). Read on every request: keep it cheap. */
  readonly credentials?: (
    tenantId: string,
  ) => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>;
  /** Builds the tenant's stack: its model clients (with its key) and agents. */
  readonly build: (context: TenantBuildContext<Assets, Resources, Models>) => TenantStack | Promise<TenantStack>;
  /** Most stacks kept; the least recently used goes first. Default 1000. */
  readonly maxEntries?: number;
  /** A stack unused for this long is evicted. Default 30 minutes. */
  readonly idleTtlMs?: number;
  /** Tenants built during warm-up, before ready. */
  readonly prewarm?: readonly string[];
  /**
   * App-level agents and teams (by name) that every tenant may also use; they run on the app's own
   * models, with the operator's key. Default none: a tenant's request runs only on its own stack.
   */
  readonly shared?: readonly string[];
}

interface Entry {
  readonly tenantId: string;
  readonly fingerprint: string;
  readonly stack: TenantStack;
  lastUsed: number;
}

export interface TenantCacheStats {
  readonly size: number;
  readonly hits: number;
  readonly misses: number;
  readonly builds: number;
  readonly evictions: number;
}

/** A stable fingerprint of credentials, so a rotated key means a new stack and never a stale one. */
function fingerprintOf(credentials: Readonly<Record<string, string>>): string {
  const { createHash } = process.getBuiltinModule("node:crypto");
  const canonical = JSON.stringify(
    Object.keys(credentials)
      .sort()
      .map((key) => [key, credentials[key]]),
  );
  return createHash("sha256").update(canonical).digest("base64url").slice(0, 22);
}

/**
 * The tenant cache: each tenant's stack built once and reused, keyed by tenant and by a fingerprint
 * of its credentials (so one tenant's key can never serve another, and a rotated key is picked up).
 * A burst of first requests for one tenant builds once (single-flight). Bounded: the least recently
 * used stack is evicted and closed past `maxEntries`, and so is one idle past `idleTtlMs`. Hits,
 * misses, builds (with their duration) and evictions are published on `hearth:tenant-cache`.
 */
export class TenantCache {
  readonly #options: TenantsOptions;
  readonly #context: () => Omit<TenantBuildContext, "tenantId" | "credentials">;
  readonly #entries = new Map<string, Entry>();
  readonly #building = new Map<string, Promise<Entry>>();
  readonly #maxEntries: number;
  readonly #idleTtlMs: number;
  #hits = 0;
  #misses = 0;
  #builds = 0;
  #evictions = 0;
  #sweeper: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: TenantsOptions, context: () => Omit<TenantBuildContext, "tenantId" | "credentials">) {
    if (typeof options?.resolve !== "function")
      throw new UserError("App `tenants.resolve` must be a function from API key to tenant.", {
        field: "tenants.resolve",
      });
    if (typeof options.build !== "function")
      throw new UserError("App `tenants.build` must be a function that builds a tenant's agents.", {
        field: "tenants.build",
      });
    const maxEntries = options.maxEntries ?? 1000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new UserError("App `tenants.maxEntries` must be a whole number, 1 or more.", {
        field: "tenants.maxEntries",
      });
    const idleTtlMs = options.idleTtlMs ?? 30 * 60_000;
    if (!Number.isFinite(idleTtlMs) || idleTtlMs <= 0)
      throw new UserError("App `tenants.idleTtlMs` must be a positive number.", { field: "tenants.idleTtlMs" });
    this.#options = options;
    this.#context = context;
    this.#maxEntries = maxEntries;
    this.#idleTtlMs = idleTtlMs;
  }

  resolve(apiKey: string): Promise<string | undefined> {
    return Promise.resolve(this.#options.resolve(apiKey));
  }

  /** The tenant's stack: from the cache, or built now (once, however many ask at the same time). */
  async get(tenantId: string): Promise<TenantStack> {
    if (this.#closed) throw new HearthError("HEARTH_RUNTIME_CLOSED", "The tenant cache is closed.", { tenantId });
    const credentials = (await this.#options.credentials?.(tenantId)) ?? {};
    const key = `${tenantId}\u0000${fingerprintOf(credentials)}`;
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#hits += 1;
      entry.lastUsed = Date.now();
      // Map order is the LRU order: move the entry to the end.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      publish({ event: "hit", tenant: tenantId });
      return entry.stack;
    }
    this.#misses += 1;
    publish({ event: "miss", tenant: tenantId });
    let building = this.#building.get(key);
    if (building === undefined) {
      building = this.#build(key, tenantId, credentials).finally(() => this.#building.delete(key));
      this.#building.set(key, building);
    }
    return (await building).stack;
  }

  async #build(key: string, tenantId: string, credentials: Readonly<Record<string, string>>): Promise<Entry> {
    const started = performance.now();
    // A tenant's keys are secrets wherever they show up (a tool error, a provider's message); its
    // settings (a model name, a base URL) are not, or they would be redacted from every reply.
    addSecrets(
      Object.entries(credentials)
        .filter(([name]) => isSecretName(name))
        .map(([, value]) => value),
    );
    const stack = await inFactory(() => this.#options.build({ ...this.#context(), tenantId, credentials }));
    if (typeof stack?.agents !== "object" || stack.agents === null)
      throw new UserError(`tenants.build for "${tenantId}" must return { agents, teams? }.`, {
        field: "tenants.build",
        tenantId,
      });
    this.#builds += 1;
    const entry: Entry = { tenantId, fingerprint: key.split("\u0000")[1] as string, stack, lastUsed: Date.now() };
    publish({ event: "build", tenant: tenantId, durationMs: performance.now() - started });
    // A new fingerprint replaces the tenant's stack built with older credentials.
    for (const [otherKey, other] of this.#entries)
      if (other.tenantId === tenantId) await this.#evict(otherKey, "replaced");
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      await this.#evict(oldest, "size");
    }
    this.#sweep();
    return entry;
  }

  async #evict(key: string, reason: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#evictions += 1;
    publish({ event: "evict", tenant: entry.tenantId, reason });
    await Promise.resolve(entry.stack.close?.()).catch(() => undefined);
  }

  /** Idle stacks are evicted by a timer that runs only while the cache holds something. */
  #sweep(): void {
    if (this.#sweeper !== undefined || this.#entries.size === 0) return;
    this.#sweeper = setTimeout(
      async () => {
        this.#sweeper = undefined;
        const cutoff = Date.now() - this.#idleTtlMs;
        for (const [key, entry] of [...this.#entries]) if (entry.lastUsed <= cutoff) await this.#evict(key, "idle");
        this.#sweep();
      },
      Math.min(this.#idleTtlMs, 60_000),
    ).unref();
  }

  /** Drops a tenant's stack (after its credentials or its configuration changed); the next request rebuilds it. */
  async invalidate(tenantId: string): Promise<void> {
    for (const [key, entry] of [...this.#entries])
      if (entry.tenantId === tenantId) await this.#evict(key, "invalidated");
  }

  async prewarm(tenantIds: readonly string[] = this.#options.prewarm ?? []): Promise<void> {
    await Promise.all(tenantIds.map((tenantId) => this.get(tenantId)));
  }

  get prewarmList(): readonly string[] {
    return this.#options.prewarm ?? [];
  }

  stats(): TenantCacheStats {
    return {
      size: this.#entries.size,
      hits: this.#hits,
      misses: this.#misses,
      builds: this.#builds,
      evictions: this.#evictions,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#sweeper);
    for (const key of [...this.#entries.keys()]) await this.#evict(key, "closed");
  }
}

function publish(event: Record<string, unknown>): void {
  const channel = diagnosticsChannel("hearth:tenant-cache");
  if (channel.hasSubscribers) channel.publish(event);
}
