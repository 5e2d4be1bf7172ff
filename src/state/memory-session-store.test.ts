import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../core/session.ts";
import { MemorySessionStore } from "./memory-session-store.ts";
import { describeSessionStore } from "./session-store.cases.ts";

describeSessionStore("memory", async () => new MemorySessionStore());

test("expired sessions that are never read again are dropped as writes go on", async () => {
  const store = new MemorySessionStore();
  for (let index = 0; index < 100; index++)
    await store.put("t", new Session({ id: `old-${index}` }).toJSON(), 0, { ttlMs: 20 });
  await new Promise((resolve) => setTimeout(resolve, 40));
  // 100 writes that do not expire: the sweep checks two entries a write, so it gets round the old ones.
  for (let index = 0; index < 100; index++) await store.put("t", new Session({ id: `new-${index}` }).toJSON(), 0);
  assert.equal(store.size, 100, "only the live sessions are held");
  assert.equal((await store.list("t")).length, 100);
  await store.close();
});
