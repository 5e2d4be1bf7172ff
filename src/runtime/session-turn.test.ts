import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { HearthError } from "../core/errors.ts";
import { MemorySessionStore } from "../state/memory-session-store.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { defineApp } from "./app.ts";
import { createRuntime } from "./runtime.ts";

/** A started runtime with one agent, `helper`, answering `replies` in order. */
async function startHelper(replies: string[]) {
  const model = new ScriptedModelClient({ replies });
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
  return runtime;
}

// runtime.runTurn is what a route of the app's own calls (Express, Hono, a queue worker): the same
// session turn as hearth's HTTP API, without HTTP.
test("runtime.runTurn creates, continues and stores a session; refuses an unknown one; stores nothing for an aborted turn", async () => {
  const runtime = await startHelper(["one", "two", "three"]);
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

test("runtime.runTurn with createSession starts a session under the app's own id, continues it after, and races safely", async () => {
  const runtime = await startHelper(Array.from({ length: 20 }, () => "ok"));
  const store = new MemorySessionStore();
  const runner = runtime.agent("helper");
  try {
    const own = { runner, store, tenant: "acme", sessionId: "conv-123", createSession: true } as const;
    const first = await runtime.runTurn({ ...own, task: "hi" });
    assert.equal(first.sessionId, "conv-123");
    await runtime.runTurn({ ...own, task: "again" });
    const stored = await store.get("acme", "conv-123");
    assert.equal(stored?.session.id, "conv-123");
    assert.equal(stored?.session.messages.length, 4, "the second turn continued the first");
    // Without createSession an unknown id is still a 404; another tenant's id is its own.
    await assert.rejects(
      runtime.runTurn({ runner, store, tenant: "acme", task: "x", sessionId: "conv-999" }),
      (error) => HearthError.is(error, "HEARTH_SESSION_NOT_FOUND"),
    );
    await runtime.runTurn({ ...own, tenant: "globex", task: "hi" });
    assert.equal((await store.get("globex", "conv-123"))?.session.messages.length, 2);
    assert.equal((await store.get("acme", "conv-123"))?.session.messages.length, 4);
    // Ten turns creating one new id at once: one creates it, the others continue it; none is lost.
    await Promise.all(
      Array.from({ length: 10 }, (_, index) => runtime.runTurn({ ...own, sessionId: "conv-race", task: `t${index}` })),
    );
    assert.equal((await store.get("acme", "conv-race"))?.session.messages.length, 20);
    await assert.rejects(runtime.runTurn({ ...own, sessionId: "no spaces allowed", task: "x" }), (error) =>
      HearthError.is(error, "HEARTH_INVALID_REQUEST"),
    );
  } finally {
    await runtime.close();
  }
});

test("runtime.runTurn with keepContext keeps the context with the session; without it, nothing is kept", async () => {
  const seen: unknown[] = [];
  const runtime = createRuntime(
    defineApp({
      name: "kept",
      warmup: { syntheticTurns: false },
      models: { default: () => new ScriptedModelClient({ replies: ["a", "b", "c"] }) },
      agents: {
        helper: ({ models }) =>
          new AssistantAgent({
            name: "helper",
            modelClient: models.default,
            systemMessage: (run) => {
              seen.push(run.context);
              return "Be brief.";
            },
          }),
      },
    }),
    { log: () => undefined, closeConnectionPools: false },
  );
  await runtime.start();
  const store = new MemorySessionStore();
  const turn = { runner: runtime.agent("helper"), store, tenant: "acme" };
  try {
    const first = await runtime.runTurn({ ...turn, task: "a", context: { user: "u-1" }, keepContext: true });
    await runtime.runTurn({ ...turn, task: "b", sessionId: first.sessionId, keepContext: true });
    assert.deepEqual(seen, [{ user: "u-1" }, { user: "u-1" }]);
    assert.deepEqual((await store.get("acme", first.sessionId))?.session.requestContext, { user: "u-1" });
    const plain = await runtime.runTurn({ ...turn, task: "c", context: { user: "u-2" } });
    assert.equal((await store.get("acme", plain.sessionId))?.session.requestContext, undefined);
  } finally {
    await runtime.close();
  }
});
