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
  assert.equal(json.version, 1);
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
    { ...good, version: 2 },
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
