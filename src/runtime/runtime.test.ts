import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { HearthError } from "../core/errors.ts";
import { OpenAIChatCompletionClient } from "../models/openai/openai-client.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { startMockOpenAIServer } from "../testing/mock-openai-server.ts";
import type { Tool } from "../core/tool.ts";
import { defineApp } from "./app.ts";
import { asset } from "./asset.ts";
import { inFactory } from "./construction-guard.ts";
import { resource } from "./resource.ts";
import { createRuntime, type RuntimeOptions } from "./runtime.ts";
import { syntheticRun } from "../core/run-context.ts";

const quiet = (logs: Record<string, unknown>[] = []): RuntimeOptions => ({
  log: (entry) => logs.push(entry),
  closeConnectionPools: false,
  dev: false,
});
const fastWarmup = { attempts: 3, initialDelayMs: 1, maxDelayMs: 5 };
const isStartupFailure = (step: string, causeCode?: string) => (error: unknown) =>
  HearthError.is(error, "HEARTH_STARTUP_FAILED") &&
  error.step === step &&
  (causeCode === undefined || (error.cause as HearthError | undefined)?.code === causeCode);

test("resources are built in dependency order and closed in reverse; the state moves through each phase", async () => {
  const events: string[] = [];
  let runtimeState = (): string => "";
  const tracked = (name: string, dependsOn: string[] = []) =>
    resource({
      dependsOn,
      init: async ({ resources }) => {
        events.push(`init ${name} (${runtimeState()}) with ${Object.keys(resources).join(",") || "-"}`);
        await delay(5);
        return name;
      },
      warmup: () => {
        events.push(`warm ${name} (${runtimeState()})`);
      },
      close: () => {
        events.push(`close ${name}`);
      },
    });
  const app = defineApp({
    name: "ordered",
    resources: { cache: tracked("cache", ["db"]), db: tracked("db"), search: tracked("search", ["cache", "db"]) },
  });
  const runtime = createRuntime(app, quiet());
  runtimeState = () => runtime.state;
  assert.equal(runtime.state, "idle");
  await runtime.start();
  assert.equal(runtime.state, "ready");
  assert.deepEqual(events.slice(0, 3), [
    "init db (starting) with -",
    "init cache (starting) with db",
    "init search (starting) with cache,db",
  ]);
  assert.deepEqual(events.slice(3).sort(), ["warm cache (warming)", "warm db (warming)", "warm search (warming)"]);
  assert.deepEqual(runtime.resources, { db: "db", cache: "cache", search: "search" });
  const closing = runtime.close();
  assert.equal(runtime.state, "draining");
  assert.equal(runtime.close(), closing, "close is idempotent");
  await closing;
  await runtime.close();
  assert.equal(runtime.state, "closed");
  assert.deepEqual(events.slice(6), ["close search", "close cache", "close db"]);
});

test("independent resources initialise in parallel", async () => {
  const slow = () => resource({ init: () => delay(100, "ok") });
  const runtime = createRuntime(
    defineApp({ name: "parallel", resources: { a: slow(), b: slow() }, warmup: { syntheticTurns: false } }),
    quiet(),
  );
  await runtime.start();
  // Overlapping steps in the trace, not a wall-clock ceiling (which a loaded machine would pass or fail at random).
  const [first, second] = runtime.startupTrace().steps.filter((step) => step.kind === "resource");
  assert.ok(first !== undefined && second !== undefined);
  assert.ok(
    second.startMs < first.startMs + first.durationMs,
    `resource:${second.name} started at ${second.startMs} ms, before resource:${first.name} ended at ${first.startMs + first.durationMs} ms`,
  );
  await runtime.close();
});

test("an init step past its timeout fails startup, naming the step, and closes what was built", async () => {
  const closed: string[] = [];
  const app = defineApp({
    name: "timeouts",
    resources: {
      fast: resource({ init: () => "fast", close: () => void closed.push("fast") }),
      slow: resource({ dependsOn: ["fast"], timeoutMs: 30, init: ({ signal }) => delay(5_000, "slow", { signal }) }),
    },
  });
  const runtime = createRuntime(app, quiet());
  await assert.rejects(runtime.start(), isStartupFailure("resource:slow", "HEARTH_STEP_TIMEOUT"));
  await assert.rejects(runtime.ready, isStartupFailure("resource:slow"));
  assert.equal(runtime.state, "closed");
  assert.deepEqual(closed, ["fast"]);
  const failed = runtime.startupTrace().steps.find((step) => step.name === "slow");
  assert.equal(failed?.status, "failed");
  assert.equal(failed?.error?.code, "HEARTH_STEP_TIMEOUT");
});

test("warm-up failures are retried by class: timeout, connection and rate limit retry; auth and bad config fail fast", async () => {
  const failingTwice = (error: () => unknown) => {
    let calls = 0;
    return {
      get calls() {
        return calls;
      },
      warmup: async () => {
        calls += 1;
        if (calls <= 2) throw error();
      },
    };
  };
  const timeout = failingTwice(() => new HearthError("HEARTH_MODEL_TIMEOUT", "slow", { retryable: true }));
  const connection = failingTwice(() => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
  const rateLimit = failingTwice(
    () => new HearthError("HEARTH_MODEL_RATE_LIMITED", "429", { retryable: true, retryAfterMs: 3 }),
  );
  const app = defineApp({
    name: "retries",
    warmup: fastWarmup,
    resources: {
      timeout: resource({ init: () => 1, warmup: timeout.warmup }),
      connection: resource({ init: () => 2, warmup: connection.warmup }),
      rateLimit: resource({ init: () => 3, warmup: rateLimit.warmup }),
    },
  });
  const runtime = createRuntime(app, quiet());
  await runtime.start();
  assert.deepEqual([timeout.calls, connection.calls, rateLimit.calls], [3, 3, 3]);
  assert.deepEqual(
    runtime
      .startupTrace()
      .steps.filter((step) => step.kind === "warmup")
      .map((step) => [step.name, step.attempts, step.status])
      .sort(),
    [
      ["resource:connection", 3, "ok"],
      ["resource:rateLimit", 3, "ok"],
      ["resource:timeout", 3, "ok"],
    ],
  );
  await runtime.close();

  for (const [error, failure] of [
    [new HearthError("HEARTH_MODEL_AUTH", "bad key", { status: 401 }), "HEARTH_MODEL_AUTH"],
    [new HearthError("HEARTH_CONFIG_INVALID", "bad url"), "HEARTH_CONFIG_INVALID"],
  ] as const) {
    let calls = 0;
    const failing = createRuntime(
      defineApp({
        name: "fails",
        warmup: fastWarmup,
        resources: {
          db: resource({
            init: () => 1,
            warmup: () => {
              calls += 1;
              return Promise.reject(error);
            },
          }),
        },
      }),
      quiet(),
    );
    await assert.rejects(
      failing.start(),
      (thrown) => isStartupFailure("resource:db", failure)(thrown) && (thrown as HearthError).attempts === 1,
    );
    assert.equal(calls, 1, `${failure} is not retried`);
  }
});

test("a required step that keeps failing fails startup once; an optional one leaves the runtime degraded", async () => {
  let attempts = 0;
  const flaky = () =>
    resource({
      init: () => "x",
      warmup: () => Promise.reject(Object.assign(new Error("reset"), { code: "ECONNRESET", attempt: ++attempts })),
    });
  const required = createRuntime(
    defineApp({ name: "required", warmup: fastWarmup, resources: { cache: flaky() } }),
    quiet(),
  );
  await assert.rejects(required.start(), isStartupFailure("resource:cache"));
  assert.equal(attempts, 3, "it gave up after the configured attempts, and did not loop");

  const logs: Record<string, unknown>[] = [];
  const optional = createRuntime(
    defineApp({
      name: "optional",
      warmup: fastWarmup,
      resources: {
        cache: resource({ init: () => "x", required: false, warmup: () => Promise.reject(new Error("down")) }),
      },
    }),
    quiet(logs),
  );
  await optional.start();
  await optional.ready;
  assert.equal(optional.state, "degraded");
  assert.equal(optional.isReady, true);
  assert.deepEqual((await optional.health()).checks, { "resource:cache": { ok: false, error: "down" } });
  assert.ok(logs.some((entry) => entry.level === "warn" && String(entry.msg).includes("serving degraded")));
  await optional.close();
});

test("model clients warm before ready: a bad key fails startup at once, without retries", async () => {
  const { startMockOpenAIServer } = await import("../testing/mock-openai-server.ts");
  const mock = await startMockOpenAIServer({ apiKeys: ["good"] });
  try {
    const app = (apiKey: string) =>
      defineApp({
        name: "models",
        warmup: fastWarmup,
        models: { main: () => new OpenAIChatCompletionClient({ model: "m", baseURL: mock.url, apiKey }) },
      });
    const good = createRuntime(app("good"), quiet());
    await good.start();
    assert.deepEqual(
      mock.requests.map((request) => request.path),
      ["/v1/models"],
    );
    await good.close();
    mock.requests.length = 0;
    const bad = createRuntime(app("bad"), quiet());
    await assert.rejects(bad.start(), isStartupFailure("model:main", "HEARTH_MODEL_AUTH"));
    assert.equal(mock.requests.length, 1);
  } finally {
    await mock.close();
  }
});

test("synthetic turns run each agent's real path against a stub before ready, never the provider", async () => {
  const scripted = new ScriptedModelClient();
  const app = defineApp({
    name: "synthetic",
    models: { main: () => scripted },
    agents: {
      helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.main }),
      own: () => new AssistantAgent({ name: "own", modelClient: new ScriptedModelClient() }),
    },
  });
  const runtime = createRuntime(app, quiet());
  await runtime.start();
  assert.equal(scripted.requests.length, 0, "the stub answered, not the model client");
  const synthetic = runtime.startupTrace().steps.filter((step) => step.kind === "synthetic");
  assert.deepEqual(
    synthetic.map((step) => [step.name, step.status]),
    [["agent:helper", "ok"]],
    "an agent with its own unmanaged client is skipped",
  );
  scripted.enqueue("real answer");
  const result = await runtime.track(() => runtime.agents.helper.run({ task: "hi" }));
  assert.equal(
    result.messages.at(-1)?.type === "text" ? (result.messages.at(-1) as { content: string }).content : "",
    "real answer",
  );
  assert.ok(runtime.models.main instanceof ScriptedModelClient, "the warmable wrapper keeps instanceof");
  await runtime.close();
});

test("a synthetic turn runs the tool loop and the client's own parsing, but neither the tool nor the provider, and telemetry sees no call", async () => {
  const mock = await startMockOpenAIServer();
  const checked: unknown[] = [];
  const executed: unknown[] = [];
  const lookup: Tool<{ id: string }> = {
    name: "lookup",
    description: "Looks something up.",
    parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    strict: false,
    timeoutMs: 1_000,
    checkArguments: (value) => {
      checked.push(value);
      return { ok: false, message: "id is required" };
    },
    execute: (args) => executed.push(args),
  };
  const published: unknown[] = [];
  const onCall = (message: unknown) => published.push(message);
  for (const name of ["hearth:model-call", "hearth:tool-call"]) subscribe(name, onCall);
  try {
    for (const stream of [false, true]) {
      checked.length = 0;
      const app = defineApp({
        name: "synthetic-tools",
        models: { main: () => new OpenAIChatCompletionClient({ model: "m", baseURL: mock.url, apiKey: "k" }) },
        agents: {
          helper: ({ models }) =>
            new AssistantAgent({
              name: "helper",
              modelClient: models.main,
              tools: [lookup],
              reflectOnToolUse: true,
              modelClientStream: stream,
            }),
        },
      });
      const runtime = createRuntime(app, quiet());
      await runtime.start();
      const synthetic = runtime.startupTrace().steps.filter((step) => step.kind === "synthetic");
      assert.deepEqual(
        synthetic.map((step) => [step.name, step.status]),
        [["agent:helper", "ok"]],
      );
      assert.equal(checked.length, 2, "the tool's arguments were checked up front and again by the stub's tool call");
      await runtime.close();
    }
    assert.deepEqual(executed, [], "the tool itself never ran");
    assert.deepEqual(published, [], "no model or tool call reached telemetry");
    assert.deepEqual(
      mock.requests.map((request) => request.path),
      ["/v1/models", "/v1/models"],
      "only the warm-ups reached the provider",
    );
  } finally {
    for (const name of ["hearth:model-call", "hearth:tool-call"]) unsubscribe(name, onCall);
    await mock.close();
  }
});

test("track refuses work before ready and while draining; close waits for work in flight", async () => {
  const runtime = createRuntime(defineApp({ name: "drain" }), quiet());
  await assert.rejects(
    runtime.track(async () => 1),
    (error) => HearthError.is(error, "HEARTH_NOT_READY"),
  );
  await runtime.start();
  let finished = false;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const work = runtime.track(async () => {
    await gate;
    finished = true;
    return "done";
  });
  // What close() saw when it resolved: a close that does not wait resolves while the work is held.
  const closedAfterWork = runtime.close({ deadlineMs: 5_000 }).then(() => finished);
  await assert.rejects(
    runtime.track(async () => 1),
    (error) => HearthError.is(error, "HEARTH_RUNTIME_CLOSED"),
  );
  setTimeout(release, 50);
  assert.equal(await closedAfterWork, true, "close resolved only after the work in flight finished");
  assert.equal(await work, "done");
  assert.equal(runtime.startupTrace().firstRequest !== undefined, true, "the first request is recorded apart");
});

test("past the drain deadline, work in flight is aborted through its signal", async () => {
  const runtime = createRuntime(defineApp({ name: "deadline" }), quiet());
  await runtime.start();
  const work = runtime.track((signal) => delay(10_000, "late", { signal }));
  await runtime.close({ deadlineMs: 20 });
  await assert.rejects(work, { name: "AbortError" });
});

test("the guard catches the seed's broken handler (client and agent built per request), once per call site", async () => {
  const logs: Record<string, unknown>[] = [];
  const app = defineApp({
    name: "guarded",
    models: { main: () => new ScriptedModelClient({ replies: ["ok", "ok", "ok"] }) },
    agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.main }) },
  });
  const runtime = createRuntime(app, quiet(logs));
  await runtime.start();

  const brokenHandler = (question: string) =>
    runtime.track(async () => {
      const client = new OpenAIChatCompletionClient({
        model: "gpt-4o-mini",
        apiKey: "sk-test",
        baseURL: "http://127.0.0.1:9/v1",
      });
      const agent = new AssistantAgent({ name: "per_request", modelClient: client });
      return agent.name + question;
    });
  await brokenHandler("one");
  await brokenHandler("two");
  assert.deepEqual(runtime.guard.counts, { "model-client": 2, agent: 2, team: 0, resource: 0 });
  const warnings = logs.filter((entry) => entry.level === "warn");
  assert.equal(warnings.length, 2, "one warning per call site, not per request");
  assert.match(String(warnings[0]?.callSite), /runtime\.test\.ts/);
  assert.match(String(warnings[0]?.stack), /brokenHandler/);

  const fixedHandler = (question: string) => runtime.track(() => runtime.agents.helper.run({ task: question }));
  await fixedHandler("three");
  inFactory(() => new AssistantAgent({ name: "built_by_a_factory", modelClient: runtime.models.main }));
  assert.deepEqual(
    runtime.guard.counts,
    { "model-client": 2, agent: 2, team: 0, resource: 0 },
    "the fixed pattern and factories are not reported",
  );
  await runtime.close();
  new AssistantAgent({ name: "after_close", modelClient: new ScriptedModelClient() });
  assert.equal(runtime.guard.counts.agent, 2, "a closed runtime no longer guards");
});

test("in strict mode the guard throws, and construction events reach hearth:construction", async () => {
  const seen: unknown[] = [];
  const listener = (message: unknown) => seen.push(message);
  subscribe("hearth:construction", listener);
  const runtime = createRuntime(defineApp({ name: "strict" }), { ...quiet(), strict: true });
  await runtime.start();
  try {
    assert.throws(
      () => new AssistantAgent({ name: "late", modelClient: new ScriptedModelClient() }),
      (error) => HearthError.is(error, "HEARTH_CONSTRUCTION_AFTER_READY"),
    );
    assert.ok(seen.some((message) => (message as { kind?: string }).kind === "agent"));
  } finally {
    unsubscribe("hearth:construction", listener);
    await runtime.close();
  }
});

test("asset errors fail startup with a clear message: missing file, bad JSON, schema mismatch", async () => {
  const directory = mkdtempSync(join(tmpdir(), "hearth-assets-"));
  try {
    writeFileSync(join(directory, "broken.json"), "{ not json");
    writeFileSync(join(directory, "wrong.json"), JSON.stringify({ limit: "ten" }));
    const cases: [ReturnType<typeof asset.json> | ReturnType<typeof asset.text>, RegExp][] = [
      [asset.text("missing.md"), /the file does not exist/],
      [asset.json("broken.json"), /is not valid JSON/],
      [
        asset.json("wrong.json", { type: "object", properties: { limit: { type: "number" } } }),
        /does not match its schema: \$\.limit: expected number/,
      ],
    ];
    for (const [definition, message] of cases) {
      const runtime = createRuntime(
        defineApp({ name: "assets", root: directory, assets: { doc: definition } }),
        quiet(),
      );
      await assert.rejects(
        runtime.start(),
        (error) =>
          isStartupFailure("asset:doc", "HEARTH_ASSET_INVALID")(error) && message.test((error as Error).message),
      );
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test("in dev mode a changed asset is reloaded and agents are rebuilt with it, without a restart", async () => {
  const directory = mkdtempSync(join(tmpdir(), "hearth-dev-"));
  const file = join(directory, "prompt.md");
  writeFileSync(file, "Be brief.");
  const reloads: unknown[] = [];
  const listener = (message: unknown) => reloads.push(message);
  subscribe("hearth:asset-reload", listener);
  const app = defineApp({
    name: "dev",
    assets: { prompt: asset.text(file) },
    models: { main: () => new ScriptedModelClient() },
    agents: {
      helper: ({ assets, models }) =>
        new AssistantAgent({ name: "helper", modelClient: models.main, systemMessage: assets.prompt }),
    },
  });
  const runtime = createRuntime(app, { ...quiet(), dev: true });
  try {
    await runtime.start();
    assert.equal((runtime.agents.helper as AssistantAgent).systemMessage, "Be brief.");
    writeFileSync(file, "Be thorough.");
    for (let waited = 0; reloads.length === 0 && waited < 5_000; waited += 20) await delay(20);
    assert.equal(runtime.assets.prompt, "Be thorough.");
    assert.equal((runtime.agents.helper as AssistantAgent).systemMessage, "Be thorough.");
    assert.equal(runtime.guard.counts.agent, 0, "a dev rebuild is the runtime's own, not the cold-start bug");
    writeFileSync(file, "");
  } finally {
    unsubscribe("hearth:asset-reload", listener);
    await runtime.close();
    rmSync(directory, { recursive: true, force: true });
  }
});

test("afterReady work runs once the runtime is ready, off the critical path", async () => {
  const order: string[] = [];
  let runtimeState = () => "";
  const runtime = createRuntime(
    defineApp({
      name: "after",
      afterReady: [
        async function exporter() {
          order.push(`exporter (${runtimeState()})`);
        },
      ],
    }),
    quiet(),
  );
  runtimeState = () => runtime.state;
  await runtime.start();
  order.push("ready");
  await delay(10);
  assert.deepEqual(order, ["ready", "exporter (ready)"]);
  assert.deepEqual(
    runtime
      .startupTrace()
      .steps.filter((step) => step.phase === "after-ready")
      .map((step) => step.name),
    ["exporter"],
  );
  await runtime.close();
});

test("the trace has every phase and step from the process's start, published on hearth:startup and hearth:step", async () => {
  const phases: string[] = [];
  const steps: string[] = [];
  const onPhase = (message: unknown) => phases.push((message as { name: string }).name);
  const onStep = (message: unknown) =>
    steps.push(`${(message as { kind: string }).kind}:${(message as { name: string }).name}`);
  subscribe("hearth:startup", onPhase);
  subscribe("hearth:step", onStep);
  const logs: Record<string, unknown>[] = [];
  const app = defineApp({
    name: "traced",
    resources: { db: resource({ init: () => 1 }) },
    models: { main: () => new ScriptedModelClient() },
    agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.main }) },
  });
  const runtime = createRuntime(app, quiet(logs));
  try {
    await runtime.start();
    const trace = runtime.startupTrace();
    assert.deepEqual(
      trace.phases.map((phase) => phase.name),
      ["node", "load", "init", "warm", "ready"],
    );
    assert.equal(trace.phases[0]?.startMs, 0);
    for (let index = 1; index < trace.phases.length; index++) {
      const previous = trace.phases[index - 1];
      assert.ok(
        Math.abs((previous?.startMs ?? 0) + (previous?.durationMs ?? 0) - (trace.phases[index]?.startMs ?? 0)) < 0.05,
        "phases are contiguous",
      );
    }
    assert.equal(trace.readyMs, trace.phases.at(-1)?.startMs);
    assert.deepEqual(phases, ["node", "load", "init", "warm", "ready"]);
    assert.deepEqual(steps.slice(0, 3), ["resource:db", "model:main", "agent:helper"]);
    assert.ok(steps.includes("warmup:model:main") && steps.includes("synthetic:agent:helper"));
    const line = logs.find((entry) => entry.msg === "hearth ready");
    assert.equal(line?.readyMs, trace.readyMs);
    assert.ok(JSON.parse(JSON.stringify(trace)));
  } finally {
    unsubscribe("hearth:startup", onPhase);
    unsubscribe("hearth:step", onStep);
    await runtime.close();
  }
});

test("a synthetic warm-up added before start runs in the warm phase, its synthetic runs may serve while warming, and it never fails startup", async () => {
  const runtime = createRuntime(defineApp({ name: "extra" }), quiet());
  const seen: string[] = [];
  runtime.addSyntheticWarmup("probe", async () => {
    seen.push(runtime.state);
    // A synthetic run may be served while warming; an ordinary one is refused (below).
    await runtime.track(async () => seen.push("served"), syntheticRun);
  });
  runtime.addSyntheticWarmup("broken", async () => {
    throw new Error("no luck");
  });
  await assert.rejects(
    runtime.track(async () => undefined),
    (error: unknown) => HearthError.is(error, "HEARTH_NOT_READY"),
  );
  await runtime.start();
  assert.deepEqual(seen, ["warming", "served"]);
  const steps = runtime
    .startupTrace()
    .steps.map((step) => `${step.phase}:${step.kind}:${step.name}:${step.status}`)
    .sort();
  assert.deepEqual(steps, ["warm:synthetic:broken:failed", "warm:synthetic:probe:ok"]);
  assert.equal(runtime.startupTrace().firstRequest, undefined, "a synthetic request is not the first request");
  assert.throws(
    () => runtime.addSyntheticWarmup("late", async () => undefined),
    (error: unknown) =>
      HearthError.is(error, "HEARTH_CONFIG_INVALID") && /before start\(\)/.test((error as Error).message),
  );
  await runtime.close();
});

test("withoutTools builds the agents without their tools, as hearth profile --no-tools measures them", async () => {
  const { defineTool } = await import("../tools/define-tool.ts");
  const lookup = defineTool({
    name: "lookup",
    description: "",
    parameters: { type: "object" },
    execute: () => "found",
  });
  const app = defineApp({
    name: "tools",
    warmup: { syntheticTurns: false },
    models: { default: () => new ScriptedModelClient() },
    agents: {
      helper: ({ models }) =>
        new AssistantAgent({ name: "helper", modelClient: models.default, tools: [lookup], reflectOnToolUse: true }),
    },
  });
  for (const withoutTools of [false, true]) {
    const runtime = createRuntime(app, { ...quiet(), withoutTools });
    await runtime.start();
    const helper = runtime.agent("helper") as AssistantAgent;
    assert.deepEqual(
      helper.tools.map((tool) => tool.name),
      withoutTools ? [] : ["lookup"],
    );
    assert.equal(helper.reflectOnToolUse, !withoutTools);
    await runtime.close();
  }
});

test("health() lists every model and resource once ready, each ok, as /readyz shows it; nothing before", async () => {
  let healthy = true;
  const runtime = createRuntime(
    defineApp({
      name: "checks",
      warmup: { syntheticTurns: false },
      resources: {
        plain: resource({ init: () => ({}) }),
        db: resource({ init: () => ({}), health: () => healthy }),
      },
      models: { main: () => new ScriptedModelClient(), spare: () => new ScriptedModelClient() },
    }),
    { log: () => undefined, healthCacheMs: 0 },
  );
  assert.deepEqual((await runtime.health()).checks, {}, "nothing is built yet");
  await runtime.start();
  await runtime.ready;
  assert.deepEqual((await runtime.health()).checks, {
    "model:main": { ok: true },
    "model:spare": { ok: true },
    "resource:plain": { ok: true },
    "resource:db": { ok: true },
  });
  healthy = false;
  assert.deepEqual((await runtime.health()).checks["resource:db"], { ok: false, error: "unhealthy" });
  await runtime.close();
});

test("createRuntime(app, { models }) swaps a test model in for the app's own: its factory is not called", async () => {
  let built = 0;
  const app = defineApp({
    name: "swap",
    models: {
      default: () => {
        built += 1;
        return new OpenAIChatCompletionClient({ model: "m", baseURL: "http://127.0.0.1:9/v1" });
      },
    },
    agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
  });
  const scripted = new ScriptedModelClient({ replies: ["from the test model"] });
  const runtime = createRuntime(app, { models: { default: scripted }, log: () => undefined });
  await runtime.start();
  try {
    assert.equal(built, 0);
    assert.equal(runtime.models.default, scripted);
    const result = await runtime.agent("helper").run({ task: "hi" });
    const last = result.messages.at(-1);
    assert.equal(last?.type === "text" ? last.content : undefined, "from the test model");
    assert.equal(scripted.requests.length, 1, "the synthetic warm-up turn was answered by the stub, not the queue");
  } finally {
    await runtime.close();
  }
  assert.throws(
    () => createRuntime(app, { models: { other: scripted } }),
    (error) =>
      HearthError.is(error, "HEARTH_CONFIG_INVALID") && /replaces no model: app "swap" has default/.test(error.message),
  );
});
