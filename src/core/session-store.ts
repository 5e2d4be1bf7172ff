import { HearthError } from "./errors.ts";
import type { SessionJSON } from "./session.ts";

/** A stored session with the version that a compare-and-set must name to replace it. */
export interface StoredSession {
  readonly session: SessionJSON;
  readonly version: number;
}

/** How long a session lives after its last turn in a store hearth opens, unless told otherwise: 30 days. */
export const defaultSessionTtlMs = 30 * 24 * 60 * 60_000;

export interface PutOptions {
  /** The session expires after this long without another put. Default: the store's own TTL, if any. */
  readonly ttlMs?: number;
  /** The most its JSON may weigh, in bytes of UTF-8. Default: no limit. */
  readonly maxBytes?: number;
}

/** The error every store raises for a session over `maxBytes`; nothing is stored. */
export function sessionTooLarge(tenant: string, id: string, bytes: number, maxBytes: number): HearthError {
  return new HearthError(
    "HEARTH_SESSION_TOO_LARGE",
    `Session ${id} would be ${bytes} bytes, over the limit of ${maxBytes}: nothing was stored. Start a new session, or raise maxSessionBytes.`,
    { tenantId: tenant },
  );
}

/** Checks a session's JSON against `maxBytes`. A UTF-16 unit is at most 3 bytes of UTF-8: a text well under the limit needs no count. */
export function checkSessionSize(tenant: string, id: string, json: string, maxBytes: number | undefined): void {
  if (maxBytes === undefined || json.length * 3 <= maxBytes) return;
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) throw sessionTooLarge(tenant, id, bytes, maxBytes);
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
  /**
   * Stores `session` if the stored version is `expectedVersion`; returns the new version. A session
   * whose JSON is over `maxBytes` is not stored: HEARTH_SESSION_TOO_LARGE.
   */
  put(tenant: string, session: SessionJSON, expectedVersion: number, options?: PutOptions): Promise<number>;
  delete(tenant: string, id: string): Promise<boolean>;
  list(tenant: string): Promise<string[]>;
  /**
   * Holds a session against turns in other processes until the returned release is called, for
   * `ttlMs` at most. Should this process die holding it, or its release be lost, the lock lapses
   * on its own (Redis: within its lease, see `lockLeaseMs`). Stores shared by several instances
   * (Redis) provide it; the compare-and-set still guards a holder whose lock lapsed.
   */
  lock?(
    tenant: string,
    id: string,
    options: { readonly ttlMs: number; readonly signal?: AbortSignal },
  ): Promise<() => Promise<void>>;
  /** Opens connections before traffic. */
  warmup?(options?: { readonly signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}
