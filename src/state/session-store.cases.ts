// The conformance suite every SessionStore runs: memory, SQLite and Redis alike.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { HearthError } from "../core/errors.ts";
import { Session, type SessionJSON } from "../core/session.ts";
import type { SessionStore } from "../core/session-store.ts";

function sessionJson(id: string, text = "hello"): SessionJSON {
  const session = new Session({ id });
  session.apply({
    messages: [{ id: "m1", type: "text", source: "user", createdAt: new Date().toISOString(), content: text }],
    contexts: { helper: [{ role: "user", content: text, source: "user" }] },
  });
  return session.toJSON();
}

const isConflict = (error: unknown) => HearthError.is(error, "HEARTH_SESSION_CONFLICT");

export function describeSessionStore(
  name: string,
  open: () => Promise<SessionStore>,
  options: { skip?: string | false } = {},
): void {
  describe(`${name} session store`, { skip: options.skip ?? false }, () => {
    test("put then get returns the same JSON, with version 1; unknown ids are undefined", async () => {
      const store = await open();
      try {
        const json = sessionJson("s-1", 'héllo, 世界 \u2028 "quoted"');
        assert.equal(await store.put("tenant-a", json, 0), 1);
        const stored = await store.get("tenant-a", "s-1");
        assert.deepEqual(stored, { session: json, version: 1 });
        assert.deepEqual(Session.fromJSON(stored?.session).toJSON(), json);
        assert.equal(await store.get("tenant-a", "missing"), undefined);
      } finally {
        await store.close();
      }
    });

    test("put is a compare-and-set: only the version read can be replaced", async () => {
      const store = await open();
      try {
        const json = sessionJson("s-2");
        await store.put("t", json, 0);
        await assert.rejects(store.put("t", json, 0), isConflict, "creating twice conflicts");
        assert.equal(await store.put("t", sessionJson("s-2", "second"), 1), 2);
        await assert.rejects(store.put("t", sessionJson("s-2", "stale"), 1), isConflict, "a stale version conflicts");
        const results = await Promise.allSettled([
          store.put("t", sessionJson("s-2", "x"), 2),
          store.put("t", sessionJson("s-2", "y"), 2),
        ]);
        assert.equal(
          results.filter((result) => result.status === "fulfilled").length,
          1,
          "of two racing writers, one wins",
        );
        assert.equal((await store.get("t", "s-2"))?.version, 3);
      } finally {
        await store.close();
      }
    });

    test("a write naming a stale, a future or a missing version conflicts; only the stored version is replaced", async () => {
      const store = await open();
      try {
        await store.put("v", sessionJson("versions", "one"), 0);
        await store.put("v", sessionJson("versions", "two"), 1);
        for (const expected of [0, 1, 3, 99]) {
          await assert.rejects(
            store.put("v", sessionJson("versions", `at ${expected}`), expected),
            isConflict,
            `expected version ${expected} against stored 2`,
          );
        }
        await assert.rejects(
          store.put("v", sessionJson("never-stored"), 1),
          isConflict,
          "a session that does not exist has no version 1",
        );
        assert.equal(await store.get("v", "never-stored"), undefined);
        const stored = await store.get("v", "versions");
        assert.equal(stored?.version, 2);
        assert.equal((stored?.session.messages[0] as { content?: string } | undefined)?.content, "two");
        assert.equal(await store.put("v", sessionJson("versions", "three"), 2), 3, "the stored version is replaced");
      } finally {
        await store.close();
      }
    });

    test("tenants are isolated: the same id in two tenants is two sessions", async () => {
      const store = await open();
      try {
        await store.put("a", sessionJson("same", "from a"), 0);
        await store.put("b", sessionJson("same", "from b"), 0);
        assert.equal(
          (await store.get("a", "same"))?.session.messages[0]?.type === "text"
            ? ((await store.get("a", "same"))?.session.messages[0] as { content?: string } | undefined)?.content
            : "",
          "from a",
        );
        assert.equal(
          ((await store.get("b", "same"))?.session.messages[0] as { content?: string } | undefined)?.content,
          "from b",
        );
        assert.equal(await store.get("c", "same"), undefined);
        assert.deepEqual((await store.list("a")).sort(), ["same"]);
      } finally {
        await store.close();
      }
    });

    test("delete removes a session; list shows a tenant's sessions", async () => {
      const store = await open();
      try {
        for (const id of ["x1", "x2", "x3"]) await store.put("lister", sessionJson(id), 0);
        assert.deepEqual((await store.list("lister")).sort(), ["x1", "x2", "x3"]);
        assert.equal(await store.delete("lister", "x2"), true);
        assert.equal(await store.delete("lister", "x2"), false);
        assert.equal(await store.get("lister", "x2"), undefined);
        assert.deepEqual((await store.list("lister")).sort(), ["x1", "x3"]);
        assert.equal(await store.put("lister", sessionJson("x2"), 0), 1, "a deleted id can be created again");
      } finally {
        await store.close();
      }
    });

    test("a session over maxBytes of UTF-8 is refused and nothing changes; one within it is stored", async () => {
      const store = await open();
      try {
        await store.put("size", sessionJson("big"), 0, { maxBytes: 10_000 });
        // 3000 characters of "é" are 6000 bytes of UTF-8: the limit counts bytes, not characters.
        const heavy = sessionJson("big", "é".repeat(3000));
        const bytes = Buffer.byteLength(JSON.stringify(heavy));
        await assert.rejects(
          store.put("size", heavy, 1, { maxBytes: bytes - 1 }),
          (error) => HearthError.is(error, "HEARTH_SESSION_TOO_LARGE") && error.message.includes(String(bytes)),
        );
        const stored = await store.get("size", "big");
        assert.equal(stored?.version, 1);
        assert.equal((stored?.session.messages[0] as { content?: string } | undefined)?.content, "hello");
        assert.equal(await store.put("size", heavy, 1, { maxBytes: bytes }), 2, "exactly the limit is allowed");
      } finally {
        await store.close();
      }
    });

    test("a session expires after its TTL", async () => {
      const store = await open();
      try {
        // A second of margin for the read right after the write, on a loaded machine; then polled, not slept.
        await store.put("ttl", sessionJson("short"), 0, { ttlMs: 1_000 });
        await store.put("ttl", sessionJson("long"), 0, { ttlMs: 60_000 });
        assert.ok((await store.get("ttl", "short")) !== undefined);
        for (let waited = 0; (await store.get("ttl", "short")) !== undefined && waited < 10_000; waited += 50)
          await delay(50);
        assert.equal(await store.get("ttl", "short"), undefined);
        assert.ok((await store.get("ttl", "long")) !== undefined);
        assert.deepEqual(await store.list("ttl"), ["long"]);
        assert.equal(await store.put("ttl", sessionJson("short"), 0), 1, "an expired session can be created again");
      } finally {
        await store.close();
      }
    });
  });
}
