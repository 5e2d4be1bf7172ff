import { UserError } from "../core/errors.ts";
import { defaultSessionTtlMs, type SessionStore } from "../core/session-store.ts";
import { MemorySessionStore } from "./memory-session-store.ts";
import { RedisSessionStore } from "./redis-session-store.ts";
import { SqliteSessionStore } from "./sqlite-session-store.ts";

export interface SessionStoreConfig {
  /** Default `HEARTH_SESSION_STORE`, then "sqlite". */
  readonly kind?: "memory" | "sqlite" | "redis";
  /** SQLite's file. Default `HEARTH_SESSIONS_DB`, then `./.hearth/sessions.db`. */
  readonly path?: string;
  /** Redis's URL. Default `REDIS_URL`. */
  readonly url?: string;
  /** Sessions expire this long after their last turn. Default 30 days; `Infinity`: never. */
  readonly ttlMs?: number;
}

/**
 * Opens the session store a server uses: SQLite on disk unless told otherwise, its sessions
 * expiring 30 days after their last turn unless told otherwise, so no store grows for good.
 */
export async function openSessionStore(config: SessionStoreConfig = {}): Promise<SessionStore> {
  // A JavaScript caller may write `store: "memory"`: taken as the kind, never silently the default.
  if (typeof config === "string") config = { kind: config };
  if (typeof config !== "object" || config === null)
    throw new UserError("The session store must be a store, or { kind, path, url, ttlMs }.", { field: "store" });
  const kind = config.kind ?? process.env.HEARTH_SESSION_STORE ?? "sqlite";
  const ttlMs = config.ttlMs ?? defaultSessionTtlMs;
  const ttl = ttlMs === Infinity ? {} : { ttlMs };
  switch (kind) {
    case "memory":
      return new MemorySessionStore(ttl);
    case "sqlite": {
      const path = config.path ?? process.env.HEARTH_SESSIONS_DB;
      return new SqliteSessionStore({ ...ttl, ...(path === undefined ? {} : { path }) });
    }
    case "redis":
      return RedisSessionStore.connect({ ...ttl, ...(config.url === undefined ? {} : { url: config.url }) });
    default:
      throw new UserError(`Unknown session store "${kind}": use memory, sqlite or redis.`, { field: "store" });
  }
}
