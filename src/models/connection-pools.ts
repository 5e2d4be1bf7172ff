import type { Agent as HttpAgent } from "node:http";

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
}

/**
 * Keep-alive connection pools keyed by origin (scheme, host, port). Every model client pointed at
 * one origin shares its pool, whatever its credentials, so a tenant's first call reuses sockets
 * that startup already warmed instead of paying DNS, TCP and TLS again.
 */
export class ConnectionPools {
  readonly #pools = new Map<string, HttpAgent>();
  readonly #lastUsed = new Map<string, number>();
  readonly #options: Required<Omit<ConnectionPoolOptions, "ca">>;
  readonly #ca: readonly string[] | undefined;

  constructor(options: ConnectionPoolOptions = {}) {
    this.#options = {
      maxSocketsPerOrigin: options.maxSocketsPerOrigin ?? 128,
      maxIdleSocketsPerOrigin: options.maxIdleSocketsPerOrigin ?? 32,
      idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
    };
    this.#ca = options.ca === undefined ? undefined : typeof options.ca === "string" ? [options.ca] : options.ca;
  }

  /** The pool for a URL's origin, created on first use. */
  forOrigin(url: URL): HttpAgent {
    const origin = url.origin;
    this.#lastUsed.set(origin, performance.now());
    let pool = this.#pools.get(origin);
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
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /** Milliseconds since a request last took a socket from the origin's pool; Infinity if none has. */
  idleMs(origin: string): number {
    const last = this.#lastUsed.get(origin);
    return last === undefined ? Number.POSITIVE_INFINITY : performance.now() - last;
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
