import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { HearthError } from "../core/errors.ts";
import { MemorySessionStore } from "../state/memory-session-store.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { defineApp } from "./app.ts";
import { createRuntime } from "./runtime.ts";

// runtime.runTurn is what a route of the app's own calls (Express, Hono, a queue worker): the same
// session turn as hearth's HTTP API, without HTTP.
test("runtime.runTurn creates, continues and stores a session; refuses an unknown one; stores nothing for an aborted turn", async () => {
  const model = new ScriptedModelClient({ replies: ["one", "two", "three"] });
  const runtime = createRuntime(
    defineApp({
      name: "turns",
      warmup: { syntheticTurns: false },
      models: { default: () => model },
      agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
    }),
    { log: () => undefined, closeConnectionPools: false },
  );
  await runtime.start();
  const store = new MemorySessionStore();
  const runner = runtime.agent("helper");
  try {
    const first = await runtime.runTurn({ runner, store, tenant: "acme", task: "hi" });
    const second = await runtime.runTurn({ runner, store, tenant: "acme", task: "again", sessionId: first.sessionId });
    assert.equal(second.sessionId, first.sessionId);
    const stored = await store.get("acme", first.sessionId);
    assert.equal(stored?.version, 2);
    assert.equal(stored?.session.messages.length, 4);
    await assert.rejects(
      runtime.runTurn({ runner, store, tenant: "globex", task: "hi", sessionId: first.sessionId }),
      (error) => HearthError.is(error, "HEARTH_SESSION_NOT_FOUND"),
    );
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      runtime.runTurn({
        runner,
        store,
        tenant: "acme",
        task: "never",
        sessionId: first.sessionId,
        signal: controller.signal,
      }),
      (error) => HearthError.is(error, "HEARTH_ABORTED"),
    );
    assert.equal((await store.get("acme", first.sessionId))?.version, 2, "the aborted turn stored nothing");
  } finally {
    await runtime.close();
  }
  await assert.rejects(runtime.runTurn({ runner, store, tenant: "acme", task: "late" }), (error) =>
    HearthError.is(error, "HEARTH_RUNTIME_CLOSED"),
  );
});
