import type { SessionJSON } from "./session.ts";

/** A stored session with the version that a compare-and-set must name to replace it. */
export interface StoredSession {
  readonly session: SessionJSON;
  readonly version: number;
}

/**
 * Where sessions live between turns, keyed by tenant and session id, so one tenant can never read
 * another's. `put` is a compare-and-set: it names the version it read (0 for a new session) and
 * fails with HEARTH_SESSION_CONFLICT if the stored version moved on, so no turn is lost or applied
 * twice when several requests or instances race.
 */
export interface SessionStore {
  readonly kind: string;
  get(tenant: string, id: string): Promise<StoredSession | undefined>;
  /** Stores `session` if the stored version is `expectedVersion`; returns the new version. */
  put(tenant: string, session: SessionJSON, expectedVersion: number, options?: { readonly ttlMs?: number }): Promise<number>;
  delete(tenant: string, id: string): Promise<boolean>;
  list(tenant: string): Promise<string[]>;
  /**
   * Holds a session against turns in other processes until the returned release is called (or
   * `ttlMs` passes, should this process die holding it). Stores shared by several instances (Redis)
   * provide it; the compare-and-set still guards a holder whose lock expired.
   */
  lock?(tenant: string, id: string, options: { readonly ttlMs: number; readonly signal?: AbortSignal }): Promise<() => Promise<void>>;
  /** Opens connections before traffic. */
  warmup?(options?: { readonly signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}
