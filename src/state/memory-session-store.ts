import { HearthError, UserError } from "../core/errors.ts";
import type { SessionJSON } from "../core/session.ts";
import { checkSessionSize, type PutOptions, type SessionStore, type StoredSession } from "../core/session-store.ts";

interface Entry {
  readonly json: string;
  readonly version: number;
  readonly expiresAt: number | undefined;
}

/**
 * Sessions in this process's memory: for tests, the demo, and single-instance apps that can lose
 * conversations on restart. Entries are kept as JSON text, so a caller can never change a stored
 * session by holding on to an object. Expired entries are dropped when read, and a few more are
 * checked on every write, so sessions that are never read again do not stay for ever.
 */
export class MemorySessionStore implements SessionStore {
  readonly kind = "memory";
  readonly #entries = new Map<string, Entry>();
  readonly #defaultTtlMs: number | undefined;
  /** Where the incremental sweep goes on from: a live iterator over the entries, restarted at the end. */
  #sweep: Iterator<[string, Entry]> | undefined;

  constructor(options: { readonly ttlMs?: number } = {}) {
    if (options.ttlMs !== undefined && (!Number.isFinite(options.ttlMs) || options.ttlMs <= 0))
      throw new UserError("MemorySessionStore: ttlMs must be a positive number.", { field: "ttlMs" });
    this.#defaultTtlMs = options.ttlMs;
  }

  #key(tenant: string, id: string): string {
    return `${tenant}\u0000${id}`;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  async get(tenant: string, id: string): Promise<StoredSession | undefined> {
    const entry = this.#live(this.#key(tenant, id));
    return entry === undefined ? undefined : { session: JSON.parse(entry.json) as SessionJSON, version: entry.version };
  }

  async put(tenant: string, session: SessionJSON, expectedVersion: number, options: PutOptions = {}): Promise<number> {
    const key = this.#key(tenant, session.id);
    const json = JSON.stringify(session);
    checkSessionSize(tenant, session.id, json, options.maxBytes);
    const current = this.#live(key)?.version ?? 0;
    if (current !== expectedVersion) {
      throw new HearthError(
        "HEARTH_SESSION_CONFLICT",
        `Session ${session.id} changed while this turn ran (stored version ${current}, expected ${expectedVersion}).`,
        { retryable: true, tenantId: tenant },
      );
    }
    const ttlMs = options.ttlMs ?? this.#defaultTtlMs;
    const version = current + 1;
    this.#entries.set(key, { json, version, expiresAt: ttlMs === undefined ? undefined : Date.now() + ttlMs });
    this.#sweepSome();
    return version;
  }

  /**
   * Checks the next two entries for expiry. Two per write is more than one: the sweep gets round the
   * whole store faster than writes can grow it, so at most about a store's worth of expired entries
   * waits to be dropped.
   */
  #sweepSome(): void {
    const now = Date.now();
    for (let checked = 0; checked < 2; checked++) {
      this.#sweep ??= this.#entries.entries();
      const next = this.#sweep.next();
      if (next.done === true) {
        this.#sweep = undefined;
        return;
      }
      const [key, entry] = next.value;
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#entries.delete(key);
    }
  }

  /** Entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.#entries.size;
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    const key = this.#key(tenant, id);
    const existed = this.#live(key) !== undefined;
    this.#entries.delete(key);
    return existed;
  }

  async list(tenant: string): Promise<string[]> {
    const prefix = `${tenant}\u0000`;
    return [...this.#entries.keys()]
      .filter((key) => key.startsWith(prefix) && this.#live(key) !== undefined)
      .map((key) => key.slice(prefix.length));
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }
}
