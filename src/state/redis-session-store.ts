import { errorMessage } from "../internal/error-message.ts";
import type { Redis, RedisOptions } from "ioredis";
import { abortError, HearthError, UserError } from "../core/errors.ts";
import type { SessionJSON } from "../core/session.ts";
import { sleep } from "../models/retry.ts";
import { checkSessionSize, type PutOptions, type SessionStore, type StoredSession } from "../core/session-store.ts";

export interface RedisSessionStoreOptions {
  /** `redis://host:port/db`. Default `REDIS_URL`, then `redis://127.0.0.1:6379`. */
  readonly url?: string | undefined;
  /** Put before every key, so several apps can share a Redis. Default "hearth:". */
  readonly prefix?: string;
  /** Sessions expire after this long without a turn, unless a put says otherwise. Default: never. */
  readonly ttlMs?: number;
  /**
   * A session's lock across instances is a lease this long, renewed by its holder every third of
   * it while the turn runs: a holder that dies, or whose release is lost (Redis restarting at that
   * moment), frees the session within this time. Default 10 s.
   */
  readonly lockLeaseMs?: number;
  /**
   * ioredis's own options (its `RedisOptions`), passed as they are. Typed loosely so that hearth's
   * types compile in an app without ioredis installed (it is an optional peer).
   */
  readonly redis?: Readonly<Record<string, unknown>>;
}

// Compare-and-set in one step on the server: a session's hash holds its version and its JSON. The
// tenant's index of ids is a sorted set scored by when each session expires: every write drops the
// ids of expired sessions, and the index itself expires with its longest-lived session.
const putScript = `
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then return -1 end
local nextVersion = current + 1
redis.call('HSET', KEYS[1], 'v', nextVersion, 'j', ARGV[2])
local ttl = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('ZADD', KEYS[2], now + ttl, ARGV[4])
else
  redis.call('PERSIST', KEYS[1])
  redis.call('ZADD', KEYS[2], '+inf', ARGV[4])
end
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if last[2] == 'inf' then redis.call('PERSIST', KEYS[2]) else redis.call('PEXPIREAT', KEYS[2], math.ceil(tonumber(last[2]))) end
return nextVersion`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const renewScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/**
 * Sessions in Redis, for many instances behind one load balancer: any instance can take any turn.
 * Keys are prefixed by tenant. `put` is a compare-and-set done by a Lua script; `lock` holds a
 * session across instances (SET NX with a TTL, released only by its holder), so turns on one
 * session run one after another wherever they arrive. The `ioredis` client is imported only when a
 * Redis store is created: apps that do not use Redis never load it.
 */
export class RedisSessionStore implements SessionStore {
  readonly kind = "redis";
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number | undefined;
  readonly #leaseMs: number;

  private constructor(client: Redis, prefix: string, ttlMs: number | undefined, leaseMs: number) {
    this.#client = client;
    this.#prefix = prefix;
    this.#ttlMs = ttlMs;
    this.#leaseMs = leaseMs;
  }

  /** Imports ioredis, connects, and checks the server answers. */
  static async connect(options: RedisSessionStoreOptions = {}): Promise<RedisSessionStore> {
    if (options.ttlMs !== undefined && (!Number.isFinite(options.ttlMs) || options.ttlMs <= 0))
      throw new UserError("RedisSessionStore: ttlMs must be a positive number.", { field: "ttlMs" });
    const leaseMs = options.lockLeaseMs ?? 10_000;
    if (!Number.isFinite(leaseMs) || leaseMs <= 0)
      throw new UserError("RedisSessionStore: lockLeaseMs must be a positive number.", { field: "lockLeaseMs" });
    let module: { default: new (url: string, options: RedisOptions) => Redis };
    try {
      module = (await import("ioredis")) as unknown as typeof module;
    } catch (cause) {
      throw new UserError("The Redis session store needs the ioredis package: npm install ioredis", {
        field: "store",
        cause,
      });
    }
    const url = options.url ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
    const client = new module.default(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      ...options.redis,
    });
    client.on("error", () => undefined); // reported through the commands that fail
    try {
      await client.connect();
      await client.ping();
    } catch (cause) {
      client.disconnect();
      throw new HearthError(
        "HEARTH_STORE_UNAVAILABLE",
        `Cannot reach Redis at ${url.replace(/\/\/[^@]*@/, "//")}: ${errorMessage(cause)}`,
        { cause, retryable: true },
      );
    }
    client.defineCommand("hearthPut", { numberOfKeys: 2, lua: putScript });
    client.defineCommand("hearthRelease", { numberOfKeys: 1, lua: releaseScript });
    client.defineCommand("hearthRenew", { numberOfKeys: 1, lua: renewScript });
    return new RedisSessionStore(client, options.prefix ?? "hearth:", options.ttlMs, leaseMs);
  }

  #key(tenant: string, id: string): string {
    return `${this.#prefix}s:${encodeURIComponent(tenant)}:${encodeURIComponent(id)}`;
  }

  #index(tenant: string): string {
    return `${this.#prefix}z:${encodeURIComponent(tenant)}`;
  }

  /** The index of ids as hearth 0.1 kept it (a plain set): read once, moved into the sorted set. */
  #legacyIndex(tenant: string): string {
    return `${this.#prefix}t:${encodeURIComponent(tenant)}`;
  }

  async #call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (cause) {
      if (HearthError.is(cause)) throw cause;
      throw new HearthError("HEARTH_STORE_UNAVAILABLE", `Redis failed: ${errorMessage(cause)}`, {
        cause,
        retryable: true,
      });
    }
  }

  async get(tenant: string, id: string): Promise<StoredSession | undefined> {
    const [version, json] = await this.#call(() => this.#client.hmget(this.#key(tenant, id), "v", "j"));
    if (version === null || version === undefined || json === null || json === undefined) return undefined;
    return { session: JSON.parse(json) as SessionJSON, version: Number(version) };
  }

  async put(tenant: string, session: SessionJSON, expectedVersion: number, options: PutOptions = {}): Promise<number> {
    // Whole milliseconds: PEXPIRE takes no fraction of one.
    const ttlMs = Math.ceil(options.ttlMs ?? this.#ttlMs ?? 0);
    const json = JSON.stringify(session);
    checkSessionSize(tenant, session.id, json, options.maxBytes);
    const client = this.#client as Redis & {
      hearthPut(key: string, index: string, expected: number, json: string, ttl: number, id: string): Promise<number>;
    };
    const version = await this.#call(() =>
      client.hearthPut(this.#key(tenant, session.id), this.#index(tenant), expectedVersion, json, ttlMs, session.id),
    );
    if (version === -1) {
      throw new HearthError(
        "HEARTH_SESSION_CONFLICT",
        `Session ${session.id} changed while this turn ran (expected version ${expectedVersion}).`,
        { retryable: true, tenantId: tenant },
      );
    }
    return Number(version);
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    const removed = await this.#call(() => this.#client.del(this.#key(tenant, id)));
    await this.#call(() => this.#client.zrem(this.#index(tenant), id));
    await this.#call(() => this.#client.srem(this.#legacyIndex(tenant), id));
    return removed === 1;
  }

  async list(tenant: string): Promise<string[]> {
    const [indexed, legacy] = await this.#call(() =>
      Promise.all([
        this.#client.zrange(this.#index(tenant), "0", "-1"),
        this.#client.smembers(this.#legacyIndex(tenant)),
      ]),
    );
    const ids = [...new Set([...indexed, ...legacy])];
    if (ids.length === 0) return [];
    // Checked against the sessions themselves: the index's scores are the server's clock, not this process's.
    const exists = await this.#call(async () => {
      const pipeline = this.#client.pipeline();
      for (const id of ids) pipeline.pttl(this.#key(tenant, id));
      return (await pipeline.exec()) ?? [];
    });
    const ttls = new Map(ids.map((id, index) => [id, Number(exists[index]?.[1] ?? -2)]));
    const live = ids.filter((id) => (ttls.get(id) ?? -2) !== -2);
    if (legacy.length > 0) await this.#migrateLegacy(tenant, legacy, ttls);
    return live.sort();
  }

  /** Moves the ids of an index kept by hearth 0.1 (a plain set) into the sorted set, once, and drops that set. */
  async #migrateLegacy(tenant: string, legacy: readonly string[], ttls: ReadonlyMap<string, number>): Promise<void> {
    const now = Date.now();
    await this.#call(async () => {
      const pipeline = this.#client.pipeline();
      for (const id of legacy) {
        const ttl = ttls.get(id) ?? -2;
        if (ttl === -2) continue;
        pipeline.zadd(this.#index(tenant), ttl === -1 ? "+inf" : String(now + ttl), id);
      }
      pipeline.del(this.#legacyIndex(tenant));
      await pipeline.exec();
    });
  }

  /**
   * Holds the session with a lease (see lockLeaseMs) renewed while held, for `ttlMs` at most. A
   * renewal that fails (Redis away a moment) is tried again at the next third of the lease; one
   * that finds the lease taken stops. The compare-and-set of `put` still guards the session.
   */
  async lock(
    tenant: string,
    id: string,
    options: { readonly ttlMs: number; readonly signal?: AbortSignal },
  ): Promise<() => Promise<void>> {
    const key = `${this.#prefix}l:${encodeURIComponent(tenant)}:${encodeURIComponent(id)}`;
    const token = `${process.pid}-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    const leaseMs = Math.min(this.#leaseMs, options.ttlMs);
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      if (options.signal?.aborted === true) throw abortError(options.signal);
      const acquired = await this.#call(() => this.#client.set(key, token, "PX", leaseMs, "NX"));
      if (acquired === "OK") break;
      await sleep(wait + Math.random() * wait, options.signal);
    }
    const client = this.#client as Redis & {
      hearthRelease(key: string, token: string): Promise<number>;
      hearthRenew(key: string, token: string, leaseMs: number): Promise<number>;
    };
    const until = Date.now() + options.ttlMs;
    const renewal = setInterval(() => {
      if (Date.now() + leaseMs > until) return clearInterval(renewal);
      // Lost (another holder has it now): stop. Failed (Redis away a moment): try again next time.
      client.hearthRenew(key, token, leaseMs).then(
        (renewed) => renewed === 0 && clearInterval(renewal),
        () => this.#client.status === "end" && clearInterval(renewal),
      );
    }, leaseMs / 3);
    renewal.unref();
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      clearInterval(renewal);
      await this.#call(() => client.hearthRelease(key, token));
    };
  }

  async warmup(): Promise<void> {
    await this.#call(() => this.#client.ping());
  }

  async close(): Promise<void> {
    if (this.#client.status === "end") return;
    await this.#client.quit().catch(() => this.#client.disconnect());
  }
}
