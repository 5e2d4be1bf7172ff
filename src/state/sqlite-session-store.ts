import { errorMessage } from "../internal/error-message.ts";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { HearthError, UserError } from "../core/errors.ts";
import type { SessionJSON } from "../core/session.ts";
import { checkSessionSize, type PutOptions, type SessionStore, type StoredSession } from "../core/session-store.ts";

export interface SqliteSessionStoreOptions {
  /** The database file. Default `./.hearth/sessions.db`; its folder is created. `:memory:` for tests. */
  readonly path?: string;
  /** Sessions expire after this long without a turn, unless a put says otherwise. Default: never. */
  readonly ttlMs?: number;
  /** How often expired rows are deleted, so the file does not grow with sessions nobody reads again. Default 60 s. */
  readonly purgeIntervalMs?: number;
  /**
   * How long a write waits for another process's write lock on the file (another worker, a backup)
   * before it fails with HEARTH_STORE_UNAVAILABLE. Default 5 s. Other requests are served meanwhile.
   */
  readonly busyTimeoutMs?: number;
}

/** Expired rows deleted per statement: each is a synchronous write, kept short so no request waits long behind it. */
const purgeBatch = 500;

/** Each entry moves the schema one version up; `PRAGMA user_version` records how far a file is. */
const migrations: readonly string[] = [
  `CREATE TABLE sessions (
     tenant TEXT NOT NULL,
     id TEXT NOT NULL,
     version INTEGER NOT NULL,
     json TEXT NOT NULL,
     updated_at INTEGER NOT NULL,
     expires_at INTEGER,
     PRIMARY KEY (tenant, id)
   ) WITHOUT ROWID;
   CREATE INDEX sessions_expiry ON sessions (expires_at) WHERE expires_at IS NOT NULL;`,
];

export const sqliteSchemaVersion = migrations.length;

/**
 * What the file can go through while hearth uses it, by SQLite's primary result code. Each is
 * HEARTH_STORE_UNAVAILABLE, a 503 that tells the client to come back, not an unexpected error.
 */
const fileFaults: Readonly<Record<number, string>> = {
  5: "its file is locked by another process", // SQLITE_BUSY
  8: "its file is read-only (its mode, its folder's, or a read-only mount)", // SQLITE_READONLY
  10: "the disk failed a read or a write", // SQLITE_IOERR
  13: "the disk is full", // SQLITE_FULL
  14: "its file cannot be opened", // SQLITE_CANTOPEN
};

const sqliteCode = (error: unknown) => {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return typeof code === "number" ? code & 0xff : undefined;
};

const isBusy = (error: unknown) => sqliteCode(error) === 5;

/** A fault of the file as HEARTH_STORE_UNAVAILABLE; any other error as it is. */
function storeError(error: unknown, store = "The SQLite session store"): unknown {
  const why = fileFaults[sqliteCode(error) ?? -1];
  if (why === undefined || HearthError.is(error)) return error;
  return new HearthError(
    "HEARTH_STORE_UNAVAILABLE",
    `${store} cannot be used: ${why} (SQLite: ${errorMessage(error)}).`,
    {
      cause: error,
      retryable: true,
    },
  );
}

/**
 * Sessions in SQLite through Node's built-in `node:sqlite`: the embedded default, with nothing to
 * install and nothing to run. The file survives restarts and crashes (WAL journal, synchronous
 * writes), so every turn that was answered is still there after a SIGKILL. One process writes at a
 * time; several processes on one file are kept consistent by the compare-and-set.
 */
export class SqliteSessionStore implements SessionStore {
  readonly kind = "sqlite";
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #ttlMs: number | undefined;
  readonly #busyTimeoutMs: number;
  readonly #statements: Record<
    "get" | "insert" | "update" | "delete" | "list" | "anyExpired" | "purgeSome",
    StatementSync
  >;
  #closed = false;
  #commits = 0;
  #writes = 0;
  #pending: {
    write: () => number;
    resolve: (version: number) => void;
    reject: (error: unknown) => void;
    since: number;
  }[] = [];
  #lockTimer: NodeJS.Timeout | undefined;
  #purgeTimer: NodeJS.Timeout | undefined;
  #purgeWarned = false;

  constructor(options: SqliteSessionStoreOptions = {}) {
    const { dirname, resolve } = process.getBuiltinModule("node:path");
    const { mkdirSync } = process.getBuiltinModule("node:fs");
    this.path = options.path === ":memory:" ? ":memory:" : resolve(options.path ?? ".hearth/sessions.db");
    if (options.ttlMs !== undefined && (!Number.isFinite(options.ttlMs) || options.ttlMs <= 0))
      throw new UserError("SqliteSessionStore: ttlMs must be a positive number.", { field: "ttlMs" });
    const purgeIntervalMs = options.purgeIntervalMs ?? 60_000;
    if (!Number.isFinite(purgeIntervalMs) || purgeIntervalMs <= 0)
      throw new UserError("SqliteSessionStore: purgeIntervalMs must be a positive number.", {
        field: "purgeIntervalMs",
      });
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
    if (!Number.isFinite(this.#busyTimeoutMs) || this.#busyTimeoutMs < 0)
      throw new UserError("SqliteSessionStore: busyTimeoutMs must be a number of milliseconds.", {
        field: "busyTimeoutMs",
      });
    this.#ttlMs = options.ttlMs;
    if (this.path !== ":memory:") mkdirSync(dirname(this.path), { recursive: true });
    const { DatabaseSync: Database } = process.getBuiltinModule("node:sqlite");
    const file = `The session database ${this.path}`;
    try {
      this.#db = new Database(this.path);
    } catch (error) {
      throw storeError(error, file);
    }
    try {
      // Waiting inside SQLite for another process's lock holds up the event loop: only here, before anything is served.
      this.#db.exec(
        `PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = ${this.#busyTimeoutMs};`,
      );
      this.#migrate();
      this.#checkWritable();
      this.#db.exec("PRAGMA busy_timeout = 0");
    } catch (error) {
      this.#db.close();
      throw storeError(error, file);
    }
    this.#statements = {
      get: this.#db.prepare("SELECT version, json, expires_at FROM sessions WHERE tenant = ? AND id = ?"),
      // A new session: inserted, or written over an expired row with the same id (gone as far as
      // anyone can tell), in one statement and so one commit. A live row is left alone: no change.
      insert: this.#db.prepare(
        `INSERT INTO sessions (tenant, id, version, json, updated_at, expires_at) VALUES (?, ?, 1, ?, ?, ?)
         ON CONFLICT (tenant, id) DO UPDATE SET version = 1, json = excluded.json, updated_at = excluded.updated_at, expires_at = excluded.expires_at
         WHERE sessions.expires_at IS NOT NULL AND sessions.expires_at <= excluded.updated_at`,
      ),
      update: this.#db.prepare(
        "UPDATE sessions SET version = version + 1, json = ?, updated_at = ?, expires_at = ? WHERE tenant = ? AND id = ? AND version = ?",
      ),
      delete: this.#db.prepare(
        "DELETE FROM sessions WHERE tenant = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)",
      ),
      list: this.#db.prepare(
        "SELECT id FROM sessions WHERE tenant = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id",
      ),
      anyExpired: this.#db.prepare(
        "SELECT 1 AS found FROM sessions WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT 1",
      ),
      purgeSome: this.#db.prepare(
        `DELETE FROM sessions WHERE (tenant, id) IN (SELECT tenant, id FROM sessions WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ${purgeBatch})`,
      ),
    };
    this.#schedulePurge(purgeIntervalMs);
  }

  /**
   * Deletes expired rows now and then, a batch at a time with the event loop free between batches.
   * It never waits for the write lock (another process on the file may hold it: `--workers N`) and
   * never throws: a round that cannot run now is tried again at the next interval.
   */
  #schedulePurge(intervalMs: number): void {
    const purge = () => {
      if (this.#closed) return;
      let deleted = 0;
      try {
        const now = Date.now();
        // A read first: most rounds find nothing, and a read takes no write lock.
        if (this.#statements.anyExpired.get(now) !== undefined)
          deleted = Number(this.#statements.purgeSome.run(now).changes);
      } catch (error) {
        // Locked by another writer (SQLITE_BUSY): the next round will do it. Anything else (a full
        // disk, a damaged file) is said once, and tried again too.
        if (!isBusy(error) && !this.#purgeWarned) {
          this.#purgeWarned = true;
          process.emitWarning(
            `hearth: expired sessions could not be deleted from ${this.path}: ${errorMessage(error)}`,
            { type: "HearthWarning" },
          );
        }
      }
      if (this.#closed) return;
      // A full batch: the next one soon, after whatever requests are waiting.
      this.#purgeTimer = setTimeout(purge, deleted === purgeBatch ? 0 : intervalMs).unref();
    };
    this.#purgeTimer = setTimeout(purge, intervalMs).unref();
  }

  #migrate(): void {
    const current = Number((this.#db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version);
    if (current > migrations.length) {
      throw new UserError(
        `The session database ${this.path} has schema version ${current}, newer than this hearth knows (${migrations.length}).`,
        { field: "path" },
      );
    }
    for (let version = current; version < migrations.length; version++) {
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        this.#db.exec(migrations[version] as string);
        this.#db.exec(`PRAGMA user_version = ${version + 1}`);
        this.#db.exec("COMMIT");
      } catch (error) {
        this.#db.exec("ROLLBACK");
        throw error;
      }
    }
  }

  /** A file hearth can read but not write is said at startup, not by every turn after it. */
  #checkWritable(): void {
    if (this.path === ":memory:") return;
    try {
      this.#db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      // Another process writes it: then it can be written.
      if (isBusy(error)) return;
      throw error;
    }
    try {
      // SQLite says a file is read-only only once something is written to it: a write, rolled back.
      this.#db.exec(`PRAGMA user_version = ${migrations.length}`);
    } finally {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
    }
  }

  #check(): void {
    if (this.#closed) throw new HearthError("HEARTH_RUNTIME_CLOSED", "The SQLite session store is closed.");
  }

  async get(tenant: string, id: string): Promise<StoredSession | undefined> {
    this.#check();
    let row: { version: number; json: string; expires_at: number | null } | undefined;
    try {
      row = this.#statements.get.get(tenant, id) as typeof row;
    } catch (error) {
      throw storeError(error);
    }
    if (row === undefined || (row.expires_at !== null && row.expires_at <= Date.now())) return undefined;
    return { session: JSON.parse(row.json) as SessionJSON, version: Number(row.version) };
  }

  async put(tenant: string, session: SessionJSON, expectedVersion: number, options: PutOptions = {}): Promise<number> {
    this.#check();
    const now = Date.now();
    const ttlMs = options.ttlMs ?? this.#ttlMs;
    const expiresAt = ttlMs === undefined ? null : now + ttlMs;
    const json = JSON.stringify(session);
    checkSessionSize(tenant, session.id, json, options.maxBytes);
    const conflict = () =>
      new HearthError(
        "HEARTH_SESSION_CONFLICT",
        `Session ${session.id} changed while this turn ran (expected version ${expectedVersion}).`,
        { retryable: true, tenantId: tenant },
      );
    return this.#commit(() => {
      const result =
        expectedVersion === 0
          ? this.#statements.insert.run(tenant, session.id, json, now, expiresAt)
          : this.#statements.update.run(json, now, expiresAt, tenant, session.id, expectedVersion);
      if (Number(result.changes) !== 1) throw conflict();
      return expectedVersion + 1;
    });
  }

  /**
   * Group commit: the writes asked for in one turn of the event loop (turns that finished
   * together) run in one transaction, so they share one commit and one fsync; each is answered
   * only once that commit is on disk. A write that fails its own check (a conflict) fails alone.
   */
  #commit(write: () => number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ write, resolve, reject, since: performance.now() });
      if (this.#pending.length === 1) setImmediate(() => this.#flush());
    });
  }

  /** Sessions written, and the commits (each one fsync) they took: group commit makes the second smaller. */
  get commitStats(): { readonly commits: number; readonly writes: number } {
    return { commits: this.#commits, writes: this.#writes };
  }

  #flush(): void {
    this.#lockTimer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    try {
      this.#db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      if (isBusy(error) && !this.#closed) {
        // Another process holds the write lock. SQLite's own wait would hold up the event loop, and
        // every request with it: the batch waits here instead, each write up to busyTimeoutMs.
        const now = performance.now();
        for (const item of batch) {
          if (now - item.since < this.#busyTimeoutMs) this.#pending.push(item);
          else item.reject(storeError(error));
        }
        if (this.#pending.length > 0) this.#lockTimer = setTimeout(() => this.#flush(), 10);
        return;
      }
      for (const item of batch) item.reject(storeError(error));
      return;
    }
    const outcomes: ({ ok: true; version: number } | { ok: false; error: unknown })[] = [];
    for (const item of batch) {
      try {
        outcomes.push({ ok: true, version: item.write() });
      } catch (error) {
        const failure = storeError(error);
        outcomes.push({ ok: false, error: failure });
        // Some errors (a full disk, an I/O error) make SQLite roll the whole transaction back: then
        // nothing of the batch is on disk, and the writes left must not commit one by one.
        if (this.#db.isTransaction === false) {
          for (const other of batch) other.reject(failure);
          return;
        }
      }
    }
    try {
      this.#db.exec("COMMIT");
    } catch (error) {
      // Nothing of the batch is on disk: every write in it fails.
      try {
        this.#db.exec("ROLLBACK");
      } catch {
        // Already rolled back by SQLite.
      }
      for (const item of batch) item.reject(storeError(error));
      return;
    }
    this.#commits += 1;
    this.#writes += batch.length;
    batch.forEach((item, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok === true) item.resolve(outcome.version);
      else item.reject(outcome?.error);
    });
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    this.#check();
    return (await this.#commit(() => Number(this.#statements.delete.run(tenant, id, Date.now()).changes))) === 1;
  }

  async list(tenant: string): Promise<string[]> {
    this.#check();
    try {
      return (this.#statements.list.all(tenant, Date.now()) as { id: string }[]).map((row) => row.id);
    } catch (error) {
      throw storeError(error);
    }
  }

  /** Deletes every expired session now; returns how many. The store also does this by itself, every `purgeIntervalMs`. */
  purgeExpired(): number {
    this.#check();
    try {
      return Number(
        this.#db.prepare("DELETE FROM sessions WHERE expires_at IS NOT NULL AND expires_at <= ?").run(Date.now())
          .changes,
      );
    } catch (error) {
      throw storeError(error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#purgeTimer);
    clearTimeout(this.#lockTimer);
    // Writes already asked for are committed (or fail) before the file closes, waiting for another
    // process's lock as long as a write may: nothing else is served by now.
    this.#db.exec(`PRAGMA busy_timeout = ${this.#busyTimeoutMs}`);
    this.#flush();
    this.#db.close();
  }
}
