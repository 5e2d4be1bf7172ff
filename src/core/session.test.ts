import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "./errors.ts";
import { Session } from "./session.ts";

function sample(): Session {
  const session = new Session();
  session.apply({
    messages: [{ id: "m1", type: "text", source: "user", createdAt: new Date().toISOString(), content: "hi" }],
    contexts: { helper: [{ role: "user", content: "hi", source: "user" }] },
  });
  return session;
}

test("toJSON survives a JSON round trip and fromJSON restores the same session", () => {
  const session = sample();
  const json = JSON.parse(JSON.stringify(session.toJSON()));
  assert.equal(json.version, 2);
  const restored = Session.fromJSON(json);
  assert.deepEqual(restored.toJSON(), session.toJSON());
  assert.deepEqual(Session.fromJSON(JSON.stringify(json)).toJSON(), session.toJSON());
});

test("toJSON is a copy: changing it does not change the session", () => {
  const session = sample();
  const json = session.toJSON();
  (json.messages as unknown[]).push({ type: "text" });
  assert.equal(session.messages.length, 1);
});

test("session ids are unguessable UUIDs unless given", () => {
  assert.match(new Session().id, /^[0-9a-f-]{36}$/);
  assert.equal(new Session({ id: "s-1" }).id, "s-1");
});

test("malformed or unknown-version JSON is rejected with HEARTH_SESSION_INVALID", () => {
  const good = sample().toJSON();
  const cases: unknown[] = [
    "{not json",
    null,
    [],
    { ...good, version: 4 },
    { ...good, version: 1 }, // a reference in a version-1 session
    { ...good, contexts: { helper: [{ m: 5 }] } },
    { ...good, contexts: { helper: [{ m: -1 }] } },
    { ...good, id: "" },
    { ...good, createdAt: "yesterday" },
    { ...good, messages: {} },
    { ...good, messages: [{}] },
    { ...good, contexts: [] },
    { ...good, contexts: { helper: [{ role: "robot" }] } },
    { ...good, team: { team: "t" } },
  ];
  for (const input of cases) {
    assert.throws(
      () => Session.fromJSON(input),
      (error) => HearthError.is(error, "HEARTH_SESSION_INVALID"),
      JSON.stringify(input),
    );
  }
});

test("acquire hands the session to one holder at a time, in arrival order", async () => {
  const session = new Session();
  const order: string[] = [];
  const hold = async (name: string, ms: number) => {
    const release = await session.acquire();
    order.push(`${name} in`);
    await new Promise((resolve) => setTimeout(resolve, ms));
    order.push(`${name} out`);
    release();
  };
  await Promise.all([hold("a", 20), hold("b", 1), hold("c", 1)]);
  assert.deepEqual(order, ["a in", "a out", "b in", "b out", "c in", "c out"]);
});

test("a kept request context round-trips through JSON, is copied in, and must be an object", () => {
  const session = new Session();
  const context = { customerId: "c-42" };
  session.apply({ requestContext: context });
  context.customerId = "changed";
  const restored = Session.fromJSON(JSON.stringify(session.toJSON()));
  assert.deepEqual(restored.requestContext, { customerId: "c-42" });
  assert.equal(new Session().toJSON().requestContext, undefined, "nothing kept, nothing written");
  assert.throws(
    () => Session.fromJSON({ ...session.toJSON(), requestContext: "c-42" }),
    (error) =>
      HearthError.is(error, "HEARTH_SESSION_INVALID") && /requestContext must be an object/.test(error.message),
  );
});

test("a model-context entry that repeats the transcript is stored as a reference to it, and read back whole", () => {
  const at = new Date().toISOString();
  const call = { id: "c1", name: "lookup", arguments: "{}" };
  const result = { callId: "c1", name: "lookup", content: "found", isError: false };
  const session = new Session();
  session.apply({
    messages: [
      { id: "m0", type: "text", source: "user", createdAt: at, content: "where?" },
      { id: "m1", type: "tool-call-request", source: "helper", createdAt: at, toolCalls: [call] },
      { id: "m2", type: "tool-call-execution", source: "helper", createdAt: at, results: [result] },
      { id: "m3", type: "text", source: "helper", createdAt: at, content: "there" },
    ],
    contexts: {
      helper: [
        { role: "user", content: "where?", source: "user" },
        { role: "assistant", content: "", toolCalls: [call], source: "helper" },
        { role: "tool", results: [result] },
        { role: "assistant", content: "there", source: "helper" },
        // Not what the transcript says (the text differs): stored whole.
        { role: "assistant", content: "an aside", source: "helper" },
      ],
      // Another agent sees the user and the helper as users.
      other: [
        { role: "user", content: "where?", source: "user" },
        { role: "user", content: "there", source: "helper" },
      ],
      // An entry that differs from the message it follows (a rewritten text) is stored whole.
      rewriter: [{ role: "user", content: "where? (translated)", source: "user" }],
    },
  });
  const json = session.toJSON();
  assert.deepEqual(json.contexts, {
    helper: [{ m: 0 }, { m: 1 }, { m: 2 }, { m: 3 }, { role: "assistant", content: "an aside", source: "helper" }],
    other: [{ m: 0 }, { m: 3 }],
    rewriter: [{ role: "user", content: "where? (translated)", source: "user" }],
  });
  const restored = Session.fromJSON(JSON.parse(JSON.stringify(json)));
  assert.deepEqual(restored.contextOf("helper"), session.contextOf("helper"));
  assert.deepEqual(restored.contextOf("other"), session.contextOf("other"));
  assert.deepEqual(restored.contextOf("rewriter"), session.contextOf("rewriter"));
  // Entries added later are encoded as they come, after the ones already stored.
  restored.apply({
    messages: [{ id: "m4", type: "text", source: "user", createdAt: at, content: "thanks" }],
    contexts: { helper: [{ role: "user", content: "thanks", source: "user" }] },
  });
  assert.deepEqual(restored.toJSON().contexts.helper?.at(-1), { m: 4 });
  // A reference to a message it cannot stand for (the tool results, for another agent) is refused.
  assert.throws(
    () => Session.fromJSON({ ...json, contexts: { other: [{ m: 2 }] } }),
    (error) => HearthError.is(error, "HEARTH_SESSION_INVALID") && /cannot stand for/.test(error.message),
  );
});

test("a version-1 session, written by the previous hearth, is read as it was and written back as version 2", () => {
  const at = "2026-11-20T10:00:00.000Z";
  const v1 = {
    version: 1,
    id: "old",
    createdAt: at,
    updatedAt: at,
    messages: [
      { id: "m0", type: "text", source: "user", createdAt: at, content: "hi" },
      { id: "m1", type: "text", source: "helper", createdAt: at, content: "hello" },
    ],
    contexts: {
      helper: [
        { role: "user", content: "hi", source: "user" },
        { role: "assistant", content: "hello", source: "helper" },
      ],
    },
  };
  const session = Session.fromJSON(JSON.stringify(v1));
  assert.deepEqual(session.contextOf("helper"), v1.contexts.helper);
  const written = session.toJSON();
  assert.equal(written.version, 2);
  assert.deepEqual(written.contexts, { helper: [{ m: 0 }, { m: 1 }] });
  assert.deepEqual(Session.fromJSON(written).contextOf("helper"), v1.contexts.helper);
});
