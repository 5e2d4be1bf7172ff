// Keep-warm holds a provider's connection open through a quiet period longer than the provider
// keeps an idle connection, costs no tokens, keeps to its budget, and stops when the runtime drains.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { ConnectionPools } from "../models/connection-pools.ts";
import { OpenAIChatCompletionClient } from "../models/openai/openai-client.ts";
import { startMockOpenAIServer } from "../testing/mock-openai-server.ts";
import { defineApp } from "./app.ts";
import type { KeepWarmOptions } from "./keep-warm.ts";
import { createRuntime } from "./runtime.ts";
import { serve } from "../server/node.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The mock closes connections quiet for 2.5 s and says so (`Keep-Alive: timeout=2`), so Node's
// client drops an idle socket after a second: a quiet spell of 2.5 s loses it unless refreshed.
async function quietSpell(keepWarm: KeepWarmOptions | false) {
  const mock = await startMockOpenAIServer({ idleTimeoutMs: 2_500 });
  const pools = new ConnectionPools();
  const runtime = createRuntime(
    defineApp({
      name: "keep-warm",
      keepWarm,
      warmup: { syntheticTurns: false },
      models: {
        default: () =>
          new OpenAIChatCompletionClient({ model: "m", baseURL: mock.url, apiKey: "k", connectionPools: pools }),
      },
      agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
    }),
    { log: () => undefined, closeConnectionPools: false },
  );
  await runtime.start();
  const afterWarmup = mock.connectionCount;
  await pause(2_500);
  const result = await runtime.agent("helper").run({ task: "hello" });
  const refreshes = mock.requests.filter((request) => request.path.endsWith("/models")).length - 1;
  const connections = mock.connectionCount - afterWarmup;
  return { mock, pools, runtime, result, refreshes, connections };
}

test("with keep-warm, the connection opened at warm-up serves the first request after a quiet spell", async () => {
  const spell = await quietSpell({ intervalMs: 400 });
  try {
    assert.equal(spell.result.messages.at(-1)?.type, "text");
    assert.equal(spell.connections, 0, "no new connection: the warm one was kept open");
    assert.ok(spell.refreshes >= 2, `refreshed ${spell.refreshes} times (GET /models: no tokens)`);
    assert.ok(
      spell.mock.requests.every((request) => request.path.endsWith("/models") || request.body?.messages !== undefined),
    );
  } finally {
    await spell.runtime.close();
    spell.pools.close();
    await spell.mock.close();
  }
});

test("without keep-warm, the same quiet spell loses the connection: the first request after it opens a new one", async () => {
  const spell = await quietSpell(false);
  try {
    assert.equal(spell.refreshes, 0);
    assert.equal(spell.connections, 1);
  } finally {
    await spell.runtime.close();
    spell.pools.close();
    await spell.mock.close();
  }
});

test("keep-warm keeps to its hourly budget", async () => {
  const mock = await startMockOpenAIServer();
  const pools = new ConnectionPools();
  const runtime = createRuntime(
    defineApp({
      name: "keep-warm-budget",
      keepWarm: { intervalMs: 40, connections: 2, maxRequestsPerHour: 5 },
      warmup: { syntheticTurns: false },
      models: {
        default: () =>
          new OpenAIChatCompletionClient({ model: "m", baseURL: mock.url, apiKey: "k", connectionPools: pools }),
        // A second client on the same provider: one origin, refreshed once, not twice.
        other: () =>
          new OpenAIChatCompletionClient({ model: "n", baseURL: mock.url, apiKey: "k", connectionPools: pools }),
      },
    }),
    { log: () => undefined, closeConnectionPools: false },
  );
  const refreshes = () => mock.requests.filter((request) => request.path.endsWith("/models")).length - 2;
  try {
    await runtime.start();
    await pause(600);
    assert.equal(refreshes(), 5, "two, two, then the one the budget has left");
  } finally {
    await runtime.close();
    pools.close();
    await mock.close();
  }
});

test("keep-warm stops when the runtime drains", async () => {
  const mock = await startMockOpenAIServer();
  const pools = new ConnectionPools();
  const runtime = createRuntime(
    defineApp({
      name: "keep-warm-drain",
      keepWarm: { intervalMs: 40 },
      warmup: { syntheticTurns: false },
      models: {
        default: () =>
          new OpenAIChatCompletionClient({ model: "m", baseURL: mock.url, apiKey: "k", connectionPools: pools }),
      },
    }),
    { log: () => undefined, closeConnectionPools: false },
  );
  try {
    await runtime.start();
    await pause(300);
    assert.ok(mock.requests.length > 2, "refreshing while it runs");
    await runtime.close();
    // A refresh sent just before the close may reach the mock just after it: not one sent after.
    await pause(50);
    const atClose = mock.requests.length;
    await pause(300);
    assert.equal(mock.requests.length, atClose, "nothing after the drain");
  } finally {
    await runtime.close();
    pools.close();
    await mock.close();
  }
});

test("an app's keepWarm option is checked when the app is defined", () => {
  for (const [keepWarm, field] of [
    [true, "keepWarm"],
    [{ intervalMs: 0 }, "keepWarm.intervalMs"],
    [{ connections: 1.5 }, "keepWarm.connections"],
    [{ everyMs: 5 }, "keepWarm.everyMs"],
    [{ rewarmAfterMs: -1 }, "keepWarm.rewarmAfterMs"],
  ] as const)
    assert.throws(() => defineApp({ name: "bad", keepWarm: keepWarm as never }), { field });
});

test("/metrics shows each provider's connections, how long it has been quiet, and the keep-warm requests sent", async () => {
  const mock = await startMockOpenAIServer();
  const pools = new ConnectionPools();
  const { serve } = await import("../server/node.ts");
  const { MemorySessionStore } = await import("../state/memory-session-store.ts");
  const server = await serve(
    defineApp({
      name: "provider-metrics",
      keepWarm: { intervalMs: 60 },
      warmup: { syntheticTurns: false },
      models: {
        default: () =>
          new OpenAIChatCompletionClient({
            model: "m",
            baseURL: mock.url,
            apiKey: "k",
            provider: "mock-ai",
            connectionPools: pools,
          }),
      },
    }),
    { port: 0, store: new MemorySessionStore(), log: () => undefined, runtime: { closeConnectionPools: false } },
  );
  try {
    await pause(300);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    // One connection, idle or (a keep-warm request under way) in use.
    const open = (state: string) =>
      Number(
        new RegExp(`\\nhearth_provider_connections\\{provider="mock-ai",state="${state}"\\} (\\d+)\\n`).exec(text)?.[1],
      );
    assert.equal(open("idle") + open("active"), 1);
    assert.match(text, /\nhearth_provider_idle_seconds\{provider="mock-ai"\} [\d.]+\n/);
    const sent = Number(/\nhearth_keep_warm_requests_total\{provider="mock-ai"\} (\d+)\n/.exec(text)?.[1]);
    assert.ok(sent >= 1, `keep-warm requests counted (${sent})`);
    assert.ok(sent <= mock.requests.filter((request) => request.path.endsWith("/models")).length - 1);
    assert.doesNotMatch(text, /127\.0\.0\.1/, "named by the provider's label, never its URL");
  } finally {
    await server.close();
    pools.close();
    await mock.close();
  }
});

test("the request log marks a request whose model call had to open a new connection", async () => {
  const mock = await startMockOpenAIServer();
  const pools = new ConnectionPools();
  const lines: Record<string, unknown>[] = [];
  const { serve } = await import("../server/node.ts");
  const { MemorySessionStore } = await import("../state/memory-session-store.ts");
  const server = await serve(
    defineApp({
      name: "cold-mark",
      keepWarm: false,
      warmup: { syntheticTurns: false },
      models: {
        default: () =>
          new OpenAIChatCompletionClient({ model: "m", baseURL: mock.url, apiKey: "k", connectionPools: pools }),
      },
      agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
    }),
    {
      port: 0,
      store: new MemorySessionStore(),
      log: (entry) => lines.push(entry),
      runtime: { closeConnectionPools: false },
    },
  );
  const chat = () =>
    fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "hi" }),
    }).then((response) => response.text());
  try {
    await chat(); // on the connection warm-up opened
    pools.close(); // every pooled connection gone, as after a long quiet spell
    await chat();
    const requests = lines.filter((line) => line.msg === "request" && line.route === "/v1/chat");
    assert.deepEqual(
      requests.map((line) => line.newConnections),
      [undefined, 1],
    );
  } finally {
    await server.close();
    pools.close();
    await mock.close();
  }
});

/**
 * An app on the mock whose agent counts the synthetic turns it takes (its system message is made
 * for each turn, and says whether the run is synthetic), re-warming after 300 ms of quiet.
 */
function countingApp(name: string, mockUrl: string, pools: ConnectionPools) {
  const counted = { syntheticTurns: 0 };
  const app = defineApp({
    name,
    keepWarm: { intervalMs: 60_000, rewarmAfterMs: 300 },
    models: {
      default: () =>
        new OpenAIChatCompletionClient({ model: "m", baseURL: mockUrl, apiKey: "k", connectionPools: pools }),
    },
    agents: {
      helper: ({ models }) =>
        new AssistantAgent({
          name: "helper",
          modelClient: models.default,
          systemMessage: (run) => {
            if (run.synthetic === true) counted.syntheticTurns += 1;
            return "Be brief.";
          },
        }),
    },
  });
  return { app, counted };
}

test("after a quiet spell keep-warm runs the synthetic turns again, off the network; a request starts the spell over", async () => {
  const mock = await startMockOpenAIServer();
  const pools = new ConnectionPools();
  const { app, counted } = countingApp("keep-warm-rewarm", mock.url, pools);
  const runtime = createRuntime(app, { log: () => undefined, closeConnectionPools: false });
  const chats = () => mock.requests.filter((request) => request.path.endsWith("/chat/completions")).length;
  try {
    await runtime.start();
    const atReady = counted.syntheticTurns;
    assert.equal(atReady, 1, "the warm phase's synthetic turn");
    await pause(800);
    assert.ok(
      counted.syntheticTurns - atReady >= 1,
      `ran again after the quiet spell (${counted.syntheticTurns - atReady} times)`,
    );
    assert.equal(chats(), 0, "with the model stubbed: nothing reached the provider");
    await runtime.track(() => runtime.agent("helper").run({ task: "hello" }));
    assert.equal(chats(), 1);
    const afterRequest = counted.syntheticTurns;
    await pause(100);
    assert.equal(counted.syntheticTurns, afterRequest, "a request starts the quiet spell over");
  } finally {
    await runtime.close();
    pools.close();
    await mock.close();
  }
});

test("served over HTTP, the re-warm sends the synthetic requests through the server again too", async () => {
  const mock = await startMockOpenAIServer();
  const pools = new ConnectionPools();
  const { app, counted } = countingApp("keep-warm-rewarm-http", mock.url, pools);
  try {
    for (const listenWhenReady of [false, true]) {
      counted.syntheticTurns = 0;
      const server = await serve(app, { port: 0, log: () => undefined, listenWhenReady, store: { kind: "memory" } });
      try {
        // One agent turn of the runtime's own and two synthetic requests through the server.
        assert.equal(counted.syntheticTurns, 3, `at ready (listenWhenReady: ${listenWhenReady})`);
        await pause(500);
        assert.ok(
          counted.syntheticTurns >= 6,
          `after a quiet spell, ${counted.syntheticTurns} (listenWhenReady: ${listenWhenReady})`,
        );
      } finally {
        await server.close();
      }
    }
  } finally {
    pools.close();
    await mock.close();
  }
});
