// The synthetic warm-up never reaches a provider: an agent whose model client the runtime cannot
// stub (built inside the agent's factory, not under `models`) gets no synthetic request at all.
import assert from "node:assert/strict";
import diagnostics_channel from "node:diagnostics_channel";
import { test } from "node:test";
import { AssistantAgent, defineApp, OpenAIChatCompletionClient } from "hearth";
import { serve } from "hearth/node";
import { startMockOpenAIServer } from "hearth/testing";

test("an agent with a model client built in its own factory gets no synthetic request: the provider sees nothing before the first real request", async () => {
  const mock = await startMockOpenAIServer();
  const app = defineApp({
    name: "inline",
    agents: {
      echo: () =>
        new AssistantAgent({
          name: "echo",
          modelClient: new OpenAIChatCompletionClient({ model: "m", baseURL: mock.url, apiKey: "sk-test" }),
        }),
    },
  });
  const server = await serve(app, {
    port: 0,
    store: { kind: "memory" },
    log: () => {},
    runtime: { closeConnectionPools: false },
  });
  try {
    assert.deepEqual(
      mock.requests.map((request) => request.path),
      [],
      "no model call before a user asked for one",
    );
    const step = server.runtime.startupTrace().steps.find((entry) => entry.name === "http:/v1/chat");
    assert.equal(step?.status, "failed", "the trace says the synthetic request was refused");
    assert.match(step?.error?.message ?? "", /answered 503/);
    const response = await fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "hi" }),
    });
    assert.equal(response.status, 200);
    assert.equal(mock.requests.filter((request) => request.path.endsWith("/chat/completions")).length, 1);
  } finally {
    await server.close();
    await mock.close();
  }
});

/** Serves an app to completion of its startup and counts the warm-up requests the server sent itself. */
async function warmupRequestsOf(syntheticTurns: boolean | undefined): Promise<{ count: number; steps: string[] }> {
  const mock = await startMockOpenAIServer();
  const app = defineApp({
    name: "counted",
    ...(syntheticTurns === undefined ? {} : { warmup: { syntheticTurns } }),
    models: { default: () => new OpenAIChatCompletionClient({ model: "m", baseURL: mock.url, apiKey: "sk-test" }) },
    agents: { echo: ({ models }) => new AssistantAgent({ name: "echo", modelClient: models.default }) },
  });
  let count = 0;
  const seen = (message: unknown) => {
    if ((message as { request: { headers: Record<string, unknown> } }).request.headers["x-hearth-warmup"] !== undefined)
      count += 1;
  };
  diagnostics_channel.subscribe("http.server.request.start", seen);
  const server = await serve(app, {
    port: 0,
    store: { kind: "memory" },
    log: () => {},
    runtime: { closeConnectionPools: false },
  });
  diagnostics_channel.unsubscribe("http.server.request.start", seen);
  const steps = server.runtime
    .startupTrace()
    .steps.filter((step) => step.kind === "synthetic")
    .map((step) => `${step.name}:${step.status}`)
    .sort();
  await server.close();
  await mock.close();
  return { count, steps };
}

test("the synthetic requests are part of the warm phase, and an app that turns synthetic turns off gets none", async () => {
  assert.deepEqual(await warmupRequestsOf(undefined), { count: 2, steps: ["agent:echo:ok", "http:/v1/chat:ok"] });
  assert.deepEqual(await warmupRequestsOf(false), { count: 0, steps: [] });
});
