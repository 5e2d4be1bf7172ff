// The store a server opens from its configuration: a kind given as a plain string (as JavaScript
// callers write it) is that kind, never silently the default; anything else is a clear error.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MemorySessionStore } from "./memory-session-store.ts";
import { openSessionStore } from "./open-session-store.ts";

test('store: "memory" opens a memory store, not the SQLite default', async () => {
  const store = await openSessionStore("memory" as never);
  try {
    assert.ok(store instanceof MemorySessionStore);
  } finally {
    await store.close();
  }
});

test("an unknown kind or a configuration that is not an object is refused", async () => {
  await assert.rejects(openSessionStore("postgres" as never), { field: "store" });
  await assert.rejects(openSessionStore(42 as never), { field: "store" });
  await assert.rejects(openSessionStore({ kind: "postgres" as never }), { field: "store" });
});
