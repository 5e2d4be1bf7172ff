// A client that already has a conversation id keeps it: `createSession: true` starts the session
// under that id when it is unknown and continues it after; without it an unknown id stays a 404.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent, defineApp, MemorySessionStore } from "hearth";
import { serve } from "hearth/node";
import { ScriptedModelClient } from "hearth/testing";

test("POST /v1/chat with createSession starts a session under the client's id, then continues it", async () => {
  const model = new ScriptedModelClient({ replies: ["one", "two"] });
  const app = defineApp({
    name: "own-ids",
    warmup: { syntheticTurns: false },
    models: { default: () => model },
    agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
  });
  const server = await serve(app, { port: 0, store: new MemorySessionStore(), log: () => undefined });
  const chat = (body: unknown) =>
    fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  try {
    const unknown = await chat({ message: "hi", sessionId: "ticket-8812" });
    assert.equal(unknown.status, 404);
    const created = await chat({ message: "hi", sessionId: "ticket-8812", createSession: true });
    assert.equal(created.status, 200);
    assert.equal(((await created.json()) as { sessionId: string }).sessionId, "ticket-8812");
    const continued = await chat({ message: "again", sessionId: "ticket-8812", createSession: true });
    assert.equal(((await continued.json()) as { reply: string }).reply, "two");
    const session = (await (await fetch(`${server.url}/v1/sessions/ticket-8812`)).json()) as { messages: unknown[] };
    assert.equal(session.messages.length, 4);

    for (const [body, field] of [
      [{ message: "hi", createSession: true }, "createSession"],
      [{ message: "hi", sessionId: "ticket-1", createSession: "yes" }, "createSession"],
      [{ message: "hi", sessionId: "ticket 1", createSession: true }, "sessionId"],
    ] as const) {
      const response = await chat(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(((await response.json()) as { field: string }).field, field);
    }
  } finally {
    await server.close();
  }
});
