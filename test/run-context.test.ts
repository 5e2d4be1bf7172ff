// A run carries one explicit context from the request to every tool: who is asking (the tenant),
// in which session, for which request; and a synthetic warm-up run says so there.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent, defineApp, defineTool, MemorySessionStore, type RunContext } from "hearth";
import { serve } from "hearth/node";
import { ScriptedModelClient } from "hearth/testing";

test("a tool sees the tenant, the session and the request of the run it serves; the synthetic warm-up's tool is never called", async () => {
  const seen: RunContext[] = [];
  const whoAmI = defineTool({
    name: "who_am_i",
    description: "Says who is asking.",
    parameters: { type: "object" },
    execute: (_args, { run }) => {
      seen.push(run);
      return { tenant: run.tenant };
    },
  });
  const model = new ScriptedModelClient();
  const app = defineApp({
    name: "context",
    auth: { apiKeys: { "client-key-acme-0001": "acme" } },
    models: { default: () => model },
    agents: {
      helper: ({ models }) =>
        new AssistantAgent({ name: "helper", modelClient: models.default, tools: [whoAmI], reflectOnToolUse: true }),
    },
  });
  const server = await serve(app, {
    port: 0,
    store: new MemorySessionStore(),
    log: () => undefined,
    runtime: { closeConnectionPools: false },
  });
  try {
    assert.equal(seen.length, 0, "the synthetic warm-up runs every step but the tool itself");
    model.enqueue({ toolCalls: [{ name: "who_am_i", arguments: {} }] }, "done");
    const response = await fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer client-key-acme-0001" },
      body: JSON.stringify({ message: "who?" }),
    });
    const body = (await response.json()) as { sessionId: string };
    assert.equal(seen.length, 1);
    const run = seen[0] as RunContext;
    assert.equal(run.synthetic, false);
    assert.equal(run.tenant, "acme");
    assert.equal(run.sessionId, body.sessionId);
    assert.equal(run.requestId, response.headers.get("x-request-id"));
  } finally {
    await server.close();
  }
});
