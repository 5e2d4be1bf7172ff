import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { HearthError } from "../core/errors.ts";
import { Session } from "../core/session.ts";
import { redisSkipReason, startRedisServer, type RedisServer } from "../testing/redis-server.ts";
import { RedisSessionStore } from "./redis-session-store.ts";
import { describeSessionStore } from "./session-store.cases.ts";

// CI installs redis-server and requires it (.ci/run); elsewhere these tests say loudly why they are skipped.
const skip = redisSkipReason();
const available = skip === false;
let redis: RedisServer | undefined;
let prefixes = 0;

before(async () => {
  if (available) redis = await startRedisServer();
});
after(async () => {
  await redis?.stop();
});

describeSessionStore(
  "redis",
  () => RedisSessionStore.connect({ url: redis?.url as string, prefix: `conformance-${++prefixes}:` }),
  { skip },
);

test("lock holds a session across clients until released, and expires if its holder dies", { skip }, async () => {
  const first = await RedisSessionStore.connect({ url: redis?.url as string, prefix: "locks:" });
  const second = await RedisSessionStore.connect({ url: redis?.url as string, prefix: "locks:" });
  try {
    const order: string[] = [];
    const release = await first.lock("t", "s", { ttlMs: 5_000 });
    const waiting = second.lock("t", "s", { ttlMs: 5_000 }).then((releaseSecond) => {
      order.push("second has it");
      return releaseSecond;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    order.push("first releases");
    await release();
    await (await waiting)();
    assert.deepEqual(order, ["first releases", "second has it"]);
    await first.lock("t", "dies", { ttlMs: 50 }); // never released
    const started = Date.now();
    await (await second.lock("t", "dies", { ttlMs: 1_000 }))();
    assert.ok(Date.now() - started >= 30, "the second waited for the first lock's TTL");
  } finally {
    await first.close();
    await second.close();
  }
});

test("an unreachable Redis is HEARTH_STORE_UNAVAILABLE at connect, not a hang", { skip }, async () => {
  await assert.rejects(
    RedisSessionStore.connect({ url: "redis://127.0.0.1:1", redis: { retryStrategy: () => null } }),
    (error) => HearthError.is(error, "HEARTH_STORE_UNAVAILABLE"),
  );
  const store = await RedisSessionStore.connect({ url: redis?.url as string, prefix: "json:" });
  await store.put("t", new Session({ id: "x" }).toJSON(), 0);
  assert.equal((await store.get("t", "x"))?.version, 1);
  await store.close();
});

test("a tenant's index of session ids drops expired ones on every write, expires with its longest-lived session, and lives for ever once one has no TTL", {
  skip,
}, async () => {
  const store = await RedisSessionStore.connect({ url: redis?.url as string, prefix: "index:" });
  const { Redis } = await import("ioredis");
  const raw = new Redis(redis?.url as string);
  try {
    // An active tenant: sessions come and go while it keeps writing. Expired ids do not pile up.
    for (let index = 0; index < 30; index++)
      await store.put("t", new Session({ id: `brief-${index}` }).toJSON(), 0, { ttlMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await store.put("t", new Session({ id: "short" }).toJSON(), 0, { ttlMs: 1_000 });
    assert.deepEqual(
      await raw.zrange("index:z:t", "0", "-1"),
      ["short"],
      "the expired ids left the index on the write",
    );
    const first = await raw.pttl("index:z:t");
    assert.ok(first > 0 && first <= 1_000, `the index expires with its session (${first} ms)`);
    await store.put("t", new Session({ id: "long" }).toJSON(), 0, { ttlMs: 60_000 });
    assert.ok((await raw.pttl("index:z:t")) > 1_000, "a longer-lived session extends it");
    await store.put("t", new Session({ id: "shorter" }).toJSON(), 0, { ttlMs: 500 });
    assert.ok((await raw.pttl("index:z:t")) > 1_000, "a shorter-lived one does not shorten it");
    await store.put("t", new Session({ id: "forever" }).toJSON(), 0);
    assert.equal(await raw.pttl("index:z:t"), -1, "a session without a TTL keeps the index");
    assert.deepEqual(await store.list("t"), ["forever", "long", "short", "shorter"]);
    // A fraction of a millisecond is not an error: Redis takes whole ones.
    assert.equal(await store.put("t", new Session({ id: "fraction" }).toJSON(), 0, { ttlMs: 1_500.5 }), 1);
  } finally {
    raw.disconnect();
    await store.close();
  }
});

test("sessions listed in the index of an earlier hearth (a plain set) are still listed, and that index is moved into the sorted set once", {
  skip,
}, async () => {
  const store = await RedisSessionStore.connect({ url: redis?.url as string, prefix: "legacy:" });
  const { Redis } = await import("ioredis");
  const raw = new Redis(redis?.url as string);
  try {
    await raw.hset("legacy:s:t:old", "v", "1", "j", JSON.stringify(new Session({ id: "old" }).toJSON()));
    await raw.sadd("legacy:t:t", "old", "expired");
    assert.deepEqual(await store.list("t"), ["old"]);
    assert.equal(await raw.exists("legacy:t:t"), 0, "the old index is gone");
    assert.deepEqual(
      await raw.zrange("legacy:z:t", "0", "-1"),
      ["old"],
      "its live ids moved to the sorted set; the gone one did not",
    );
    assert.deepEqual(await store.list("t"), ["old"]);
    assert.equal(await store.delete("t", "old"), true);
    assert.deepEqual(await store.list("t"), []);
  } finally {
    raw.disconnect();
    await store.close();
  }
});

test("a lock is a lease renewed while held: it outlives its lease, and lapses within it once its holder cannot renew", {
  skip,
}, async () => {
  const holder = await RedisSessionStore.connect({ url: redis?.url as string, prefix: "leases:", lockLeaseMs: 300 });
  const waiter = await RedisSessionStore.connect({ url: redis?.url as string, prefix: "leases:", lockLeaseMs: 300 });
  try {
    // Held for three leases (renewed), the waiter still waits; released, it gets it at once.
    const release = await holder.lock("t", "s", { ttlMs: 125_000 });
    let acquired = false;
    const waiting = waiter.lock("t", "s", { ttlMs: 125_000 }).then((releaseWaiter) => {
      acquired = true;
      return releaseWaiter;
    });
    await new Promise((resolve) => setTimeout(resolve, 900));
    assert.equal(acquired, false, "the lease was renewed while held");
    await release();
    await (await waiting)();
    // A holder whose release is lost (here: its connection gone, as when Redis restarts) frees
    // the session within its lease, not after the turn's 125 s.
    await holder.lock("t", "lost", { ttlMs: 125_000 });
    await holder.close();
    const started = Date.now();
    await (await waiter.lock("t", "lost", { ttlMs: 125_000 }))();
    assert.ok(Date.now() - started < 2_000, `waited ${Date.now() - started} ms`);
  } finally {
    await holder.close();
    await waiter.close();
  }
});
