import type { Agent as HttpAgent } from "node:http";
import { DnsCache, type DnsCacheOptions } from "./dns-cache.ts";

/** The two clocks a freeze shows in: for tests that simulate one. */
export interface PoolClock {
  /** Milliseconds that only move while the process runs on a running machine (`performance.now()`). */
  monotonic(): number;
  /** Wall-clock milliseconds (`Date.now()`), which keep moving while a machine is suspended. */
  wall(): number;
}

const systemClock: PoolClock = { monotonic: () => performance.now(), wall: () => Date.now() };

export interface ConnectionPoolOptions {
  /** Most open sockets per origin; requests past it wait in the pool's queue. */
  readonly maxSocketsPerOrigin?: number;
  /** Idle sockets kept open per origin. */
  readonly maxIdleSocketsPerOrigin?: number;
  /** An idle socket is closed after this long; providers close theirs after about a minute. */
  readonly idleTimeoutMs?: number;
  /**
   * Certificates (PEM) to trust for https origins, besides the system's: a gateway's private CA, or
   * a test server's self-signed certificate (`hearth/testing`'s mock with `tls: true`).
   */
  readonly ca?: string | readonly string[];
  /**
   * Provider addresses kept within their DNS TTL (at most five minutes by default), so a connection
   * opened after a quiet spell does not wait for a lookup. `false` looks each one up, as Node does.
   */
  readonly dns?: DnsCacheOptions | false;
  /** The clocks a freeze is detected by; the system's by default. For tests. */
  readonly clock?: PoolClock;
}

/** Wall time that passed beyond monotonic time, in ms, that means the machine was suspended. */
const suspendedMs = 1_000;

/**
 * Keep-alive connection pools keyed by origin (scheme, host, port). Every model client pointed at
 * one origin shares its pool, whatever its credentials, so a tenant's first call reuses sockets
 * that startup already warmed instead of paying DNS, TCP and TLS again.
 */
export class ConnectionPools {
  readonly #pools = new Map<string, HttpAgent>();
  /** When each origin last lent or took back a socket: both clocks, to tell a freeze. */
  readonly #lastUsed = new Map<string, { monotonic: number; wall: number }>();
  readonly #options: Required<
    Pick<ConnectionPoolOptions, "maxSocketsPerOrigin" | "maxIdleSocketsPerOrigin" | "idleTimeoutMs">
  >;
  readonly #ca: readonly string[] | undefined;
  readonly #dns: DnsCache | undefined;
  readonly #clock: PoolClock;
  #staleDropped = 0;

  constructor(options: ConnectionPoolOptions = {}) {
    this.#options = {
      maxSocketsPerOrigin: options.maxSocketsPerOrigin ?? 128,
      maxIdleSocketsPerOrigin: options.maxIdleSocketsPerOrigin ?? 32,
      idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
    };
    this.#ca = options.ca === undefined ? undefined : typeof options.ca === "string" ? [options.ca] : options.ca;
    this.#dns = options.dns === false ? undefined : new DnsCache(options.dns);
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * The pool for a URL's origin, created on first use. A pool whose idle sockets may have died
   * while the process was frozen is emptied of them first (see `#thawed`).
   */
  forOrigin(url: URL): HttpAgent {
    const origin = url.origin;
    let pool = this.#pools.get(origin);
    if (pool !== undefined && this.#thawed(origin)) this.#staleDropped += dropIdleSockets(pool);
    this.#touch(origin);
    if (pool === undefined) {
      // getBuiltinModule, not a static import: on Node 24 an ES-module import of node:http also loads
      // Node's fetch implementation (about 45 ms), which hearth never uses.
      const module =
        url.protocol === "https:" ? process.getBuiltinModule("node:https") : process.getBuiltinModule("node:http");
      pool = new module.Agent({
        keepAlive: true,
        maxSockets: this.#options.maxSocketsPerOrigin,
        maxFreeSockets: this.#options.maxIdleSocketsPerOrigin,
        timeout: this.#options.idleTimeoutMs,
        scheduling: "lifo",
        // Given CAs replace Node's own unless the system's are listed too.
        ...(this.#ca === undefined || url.protocol !== "https:"
          ? {}
          : { ca: [...process.getBuiltinModule("node:tls").rootCertificates, ...this.#ca] }),
        ...(this.#dns === undefined ? {} : { lookup: this.#dns.lookup }),
      });
      // A socket handed back after a long answer (a stream) counts as use too.
      pool.on("free", () => this.#touch(origin));
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  #touch(origin: string): void {
    const last = this.#lastUsed.get(origin);
    if (last === undefined)
      this.#lastUsed.set(origin, { monotonic: this.#clock.monotonic(), wall: this.#clock.wall() });
    else {
      last.monotonic = this.#clock.monotonic();
      last.wall = this.#clock.wall();
    }
  }

  /**
   * Whether the process was frozen since the origin's sockets were last used, so its idle sockets
   * may be dead though nothing here has noticed: either the wall clock moved on further than the
   * monotonic one (a suspended machine, a Lambda environment thawed), or the sockets have been idle
   * longer than the pool keeps one (their idle timers would have closed them, had the event loop
   * run: a stopped process).
   */
  #thawed(origin: string): boolean {
    const last = this.#lastUsed.get(origin);
    if (last === undefined) return false;
    const monotonic = this.#clock.monotonic() - last.monotonic;
    const wall = this.#clock.wall() - last.wall;
    return wall - monotonic > suspendedMs || monotonic > this.#options.idleTimeoutMs;
  }

  /** Milliseconds since a request last took a socket from the origin's pool or gave one back; Infinity if none has. */
  idleMs(origin: string): number {
    const last = this.#lastUsed.get(origin);
    return last === undefined ? Number.POSITIVE_INFINITY : this.#clock.monotonic() - last.monotonic;
  }

  /** Idle sockets closed before use because the process may have been frozen while they waited. */
  get staleSocketsDropped(): number {
    return this.#staleDropped;
  }

  /** The DNS cache connections use, if on. */
  get dnsCache(): DnsCache | undefined {
    return this.#dns;
  }

  /** The origins that have a pool, for tests and diagnostics. */
  get origins(): readonly string[] {
    return [...this.#pools.keys()];
  }

  get size(): number {
    return this.#pools.size;
  }

  /** Open sockets per origin: in use and idle. */
  stats(): Record<string, { active: number; idle: number }> {
    const stats: Record<string, { active: number; idle: number }> = {};
    for (const [origin, pool] of this.#pools) {
      const count = (table: NodeJS.ReadOnlyDict<unknown[]>) =>
        Object.values(table).reduce((sum, list) => sum + (list?.length ?? 0), 0);
      stats[origin] = { active: count(pool.sockets), idle: count(pool.freeSockets) };
    }
    return stats;
  }

  /** Closes every socket of every pool. Idempotent. */
  close(): void {
    for (const pool of this.#pools.values()) pool.destroy();
    this.#pools.clear();
    this.#lastUsed.clear();
  }
}

/** The process-wide pools every client uses unless it is given its own. */
export const sharedConnectionPools = new ConnectionPools();

/** Closes a pool's idle sockets, and says how many; sockets in use are left alone. */
export function dropIdleSockets(pool: HttpAgent): number {
  let dropped = 0;
  for (const sockets of Object.values(pool.freeSockets))
    for (const socket of sockets ?? []) {
      socket.destroy();
      dropped += 1;
    }
  return dropped;
}
