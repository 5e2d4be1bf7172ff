import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { DatabaseSync } from "node:sqlite";
import { HearthError } from "../core/errors.ts";
import { Session } from "../core/session.ts";
import { describeSessionStore } from "./session-store.cases.ts";
import { SqliteSessionStore, sqliteSchemaVersion } from "./sqlite-session-store.ts";

const directory = mkdtempSync(join(tmpdir(), "hearth-sqlite-"));
after(() => rmSync(directory, { recursive: true, force: true }));
let counter = 0;

describeSessionStore(
  "sqlite",
  async () => new SqliteSessionStore({ path: join(directory, `conformance-${++counter}.db`) }),
);

test("the file survives a reopen, in WAL mode, at the current schema version", async () => {
  const path = join(directory, "nested", "folder", "sessions.db");
  const first = new SqliteSessionStore({ path });
  const session = new Session({ id: "kept" });
  await first.put("t", session.toJSON(), 0);
  await first.close();
  const second = new SqliteSessionStore({ path });
  assert.equal((await second.get("t", "kept"))?.version, 1);
  await second.close();
  const raw = new DatabaseSync(path);
  assert.equal((raw.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode, "wal");
  assert.equal(
    (raw.prepare("PRAGMA user_version").get() as { user_version: number }).user_version,
    sqliteSchemaVersion,
  );
  raw.close();
});

test("a database from a newer hearth is refused with a clear error, not misread", () => {
  const path = join(directory, "future.db");
  const raw = new DatabaseSync(path);
  raw.exec(`PRAGMA user_version = ${sqliteSchemaVersion + 1}`);
  raw.close();
  assert.throws(
    () => new SqliteSessionStore({ path }),
    (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && /newer than this hearth knows/.test(error.message),
  );
});

test("expired sessions are purged on demand", async () => {
  const store = new SqliteSessionStore({ path: ":memory:", ttlMs: 1 });
  await store.put("t", new Session({ id: "old" }).toJSON(), 0);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(store.purgeExpired(), 1);
  await store.close();
  await assert.rejects(store.get("t", "old"), (error) => HearthError.is(error, "HEARTH_RUNTIME_CLOSED"));
});

test("expired rows leave the file by themselves, in batches, and live ones stay", async () => {
  const path = join(directory, "purge.db");
  const store = new SqliteSessionStore({ path, purgeIntervalMs: 20 });
  try {
    // More than one batch of expired rows (500), and one session that has not expired.
    for (let index = 0; index < 1_200; index++)
      await store.put("t", new Session({ id: `gone-${index}` }).toJSON(), 0, { ttlMs: 1 });
    await store.put("t", new Session({ id: "kept" }).toJSON(), 0, { ttlMs: 60_000 });
    const count = () => {
      const raw = new DatabaseSync(path);
      try {
        return Number((raw.prepare("SELECT count(*) AS rows FROM sessions").get() as { rows: number }).rows);
      } finally {
        raw.close();
      }
    };
    for (let waited = 0; count() > 1 && waited < 5_000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(count(), 1, "only the live session's row is left");
    assert.equal((await store.get("t", "kept"))?.version, 1);
  } finally {
    await store.close();
  }
});

test("the purge does not wait for, or crash on, another process's write lock: it runs again later", async () => {
  const path = join(directory, "locked.db");
  const store = new SqliteSessionStore({ path, purgeIntervalMs: 20 });
  const other = new DatabaseSync(path);
  try {
    await store.put("t", new Session({ id: "gone" }).toJSON(), 0, { ttlMs: 1 });
    // Another writer holds the lock, as another worker on the same file would.
    other.exec("BEGIN IMMEDIATE");
    const count = () => Number((other.prepare("SELECT count(*) AS rows FROM sessions").get() as { rows: number }).rows);
    const blocked = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Several rounds ran meanwhile: had one waited for the lock (busy_timeout), this timer would have been held for seconds.
    assert.ok(performance.now() - blocked < 4_000, "the event loop was not held by a purge waiting for the lock");
    assert.equal(count(), 1, "nothing was deleted under the other writer's lock");
    other.exec("COMMIT");
    for (let waited = 0; count() > 0 && waited < 5_000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(count(), 0, "the next round deleted it");
  } finally {
    other.close();
    await store.close();
  }
});

test("group commit: writes asked for together share one commit, each answered for itself, all on disk after", async () => {
  const path = join(directory, "group.db");
  const store = new SqliteSessionStore({ path });
  await store.put("t", new Session({ id: "taken" }).toJSON(), 0);
  const before = store.commitStats;
  const writes = Array.from({ length: 20 }, (_, index) => store.put("t", new Session({ id: `s${index}` }).toJSON(), 0));
  // Two more in the same batch that must fail alone: an id already taken, and a stale version.
  const taken = store.put("t", new Session({ id: "taken" }).toJSON(), 0);
  const stale = store.put("t", new Session({ id: "taken" }).toJSON(), 7);
  assert.deepEqual(
    await Promise.all(writes),
    writes.map(() => 1),
  );
  await assert.rejects(taken, (error) => HearthError.is(error, "HEARTH_SESSION_CONFLICT"));
  await assert.rejects(stale, (error) => HearthError.is(error, "HEARTH_SESSION_CONFLICT"));
  assert.deepEqual(store.commitStats, { commits: before.commits + 1, writes: before.writes + 22 });
  // A write alone commits by itself, at once.
  assert.equal(await store.put("t", new Session({ id: "alone" }).toJSON(), 0), 1);
  assert.equal(store.commitStats.commits, before.commits + 2);
  // Writes still waiting for their commit when the store closes are committed first.
  const last = store.put("t", new Session({ id: "last" }).toJSON(), 0);
  await store.close();
  assert.equal(await last, 1);
  const reopened = new SqliteSessionStore({ path });
  assert.deepEqual((await reopened.list("t")).length, 23);
  await reopened.close();
});

test("a new session over an expired row of the same id is one write: the id is created again", async () => {
  const store = new SqliteSessionStore({ path: join(directory, "recreate.db") });
  await store.put("t", new Session({ id: "again" }).toJSON(), 0, { ttlMs: 1 });
  await new Promise((resolve) => setTimeout(resolve, 5));
  const before = store.commitStats.commits;
  assert.equal(await store.put("t", new Session({ id: "again" }).toJSON(), 0), 1);
  assert.equal(store.commitStats.commits, before + 1);
  assert.equal((await store.get("t", "again"))?.version, 1);
  await store.close();
});

test("another process's write lock: a write waits for it with the event loop free, fails past busyTimeoutMs with HEARTH_STORE_UNAVAILABLE, and commits once it is released", async () => {
  const path = join(directory, "busy.db");
  const store = new SqliteSessionStore({ path, busyTimeoutMs: 300 });
  const other = new DatabaseSync(path);
  try {
    other.exec("BEGIN EXCLUSIVE");
    let ticks = 0;
    const ticking = setInterval(() => ticks++, 10);
    const started = performance.now();
    await assert.rejects(
      store.put("t", new Session({ id: "late" }).toJSON(), 0),
      (error) =>
        HearthError.is(error, "HEARTH_STORE_UNAVAILABLE") &&
        error.retryable &&
        /locked by another process/.test(error.message),
    );
    clearInterval(ticking);
    assert.ok(performance.now() - started >= 290, "it waited busyTimeoutMs");
    assert.ok(ticks >= 10, `timers ran while it waited (${ticks} ticks): SQLite's own wait would have held them`);
    const waiting = store.put("t", new Session({ id: "waited" }).toJSON(), 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    other.exec("ROLLBACK");
    assert.equal(await waiting, 1);
    assert.equal((await store.get("t", "waited"))?.version, 1);
    assert.equal(await store.get("t", "late"), undefined);
  } finally {
    other.close();
    await store.close();
  }
});

const prlimit = spawnSync("prlimit", ["--version"]).status === 0;

test("a write the disk cannot take is HEARTH_STORE_UNAVAILABLE, nothing of it is stored, and the store writes again once it can", {
  skip: !prlimit && "needs prlimit (util-linux)",
}, async () => {
  const path = join(directory, "full.db");
  const store = new SqliteSessionStore({ path });
  const fsize = (...args: string[]) =>
    execFileSync("prlimit", ["--pid", String(process.pid), ...args], { encoding: "utf8" }).trim();
  const soft = fsize("--fsize", "--raw", "--noheadings", "--output=SOFT");
  try {
    await store.put("t", new Session({ id: "before" }).toJSON(), 0);
    // No file of this process may grow, as on a full disk (SQLite gets EFBIG here, ENOSPC there).
    fsize("--fsize=0:");
    try {
      const failed = await Promise.allSettled([
        store.put("t", new Session({ id: "during" }).toJSON(), 0),
        store.put("t", new Session({ id: "during-too" }).toJSON(), 0),
      ]);
      for (const outcome of failed)
        assert.ok(
          outcome.status === "rejected" &&
            HearthError.is(outcome.reason, "HEARTH_STORE_UNAVAILABLE") &&
            outcome.reason.retryable,
          String(outcome.status === "rejected" ? outcome.reason : "stored"),
        );
    } finally {
      fsize(`--fsize=${soft}:`);
    }
    assert.equal(await store.put("t", new Session({ id: "after" }).toJSON(), 0), 1);
    assert.equal((await store.get("t", "before"))?.version, 1);
    assert.equal(await store.get("t", "during"), undefined);
  } finally {
    await store.close();
  }
});

test("a file it may read but not write is refused at startup, with a clear error", {
  skip: process.getuid?.() === 0 && "root writes whatever a file's mode says",
}, async () => {
  const path = join(directory, "read-only.db");
  const first = new SqliteSessionStore({ path });
  await first.put("t", new Session({ id: "kept" }).toJSON(), 0);
  await first.close();
  chmodSync(path, 0o444);
  try {
    assert.throws(
      () => new SqliteSessionStore({ path }),
      (error) =>
        HearthError.is(error, "HEARTH_STORE_UNAVAILABLE") &&
        error.message.includes(path) &&
        /read-only/.test(error.message),
    );
  } finally {
    chmodSync(path, 0o644);
  }
});
