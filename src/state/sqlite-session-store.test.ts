import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
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
