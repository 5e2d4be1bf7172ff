// hearth/otel against the OpenTelemetry SDK's own in-memory exporter: the span tree and attributes
// of an agent turn with a tool call, a selector team's turn, a streamed turn, a failed model call,
// startup, and a request that carries a traceparent.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, beforeEach, test } from "node:test";
import { SpanStatusCode } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  AssistantAgent,
  addSecrets,
  ConnectionPools,
  createRuntime,
  defineApp,
  defineTool,
  MaxMessageTermination,
  OpenAIChatCompletionClient,
  SelectorGroupChat,
} from "hearth";
import { serve } from "hearth/node";
import { McpWorkbench } from "hearth/mcp";
import { instrument } from "hearth/otel";
import { type MockChatRequest, startMockOpenAIServer } from "hearth/testing";

const exporter = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
const metricReader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const stop = instrument({
  tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  meterProvider: new MeterProvider({ readers: [metricReader] }),
});
after(() => stop());
beforeEach(() => exporter.reset());

const respond = (request: MockChatRequest) => {
  const usage = { promptTokens: 12, completionTokens: 3 };
  const system = String(request.messages[0]?.content ?? "");
  if (system.includes("Read the above conversation")) return { content: "planner", usage };
  if (request.messages.some((message) => message.role === "tool")) return { content: "It is 21 degrees.", usage };
  if (request.tools?.some((tool) => tool.function.name === "lookup_order") === true)
    return { toolCalls: [{ id: "call_m1", name: "lookup_order", arguments: { id: "A1" } }], usage };
  if (request.tools?.some((tool) => tool.function.name === "weather") === true)
    return { toolCalls: [{ id: "call_w1", name: "weather", arguments: { city: "Oslo" } }], usage };
  return { content: "A plan.", usage };
};
const mock = await startMockOpenAIServer({ respond });
const pools = new ConnectionPools();
after(async () => {
  pools.close();
  await mock.close();
});
const client = (maxRetries?: number) =>
  new OpenAIChatCompletionClient({
    model: "m",
    baseURL: mock.url,
    apiKey: "k",
    connectionPools: pools,
    ...(maxRetries === undefined ? {} : { maxRetries }),
  });
const weather = defineTool({
  name: "weather",
  description: "The weather in a city.",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  execute: () => ({ celsius: 21 }),
});

/** The agent of most tests here: one tool, and a second model call that answers from its result. */
const forecaster = (systemMessage?: string) =>
  new AssistantAgent({
    name: "forecaster",
    modelClient: client(),
    tools: [weather],
    reflectOnToolUse: true,
    ...(systemMessage === undefined ? {} : { systemMessage }),
  });

const byName = (spans: readonly ReadableSpan[], name: string) => {
  const found = spans.filter((span) => span.name === name);
  assert.ok(found.length > 0, `a span ${name} among ${spans.map((span) => span.name).join(", ")}`);
  return found;
};
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

test("an agent turn with a tool call: invoke_agent, with its two chat calls and the tool's execute_tool under it", async () => {
  const sentBefore = mock.requests.length;
  await forecaster().run({ task: "Weather in Oslo?" });
  const spans = exporter.getFinishedSpans();
  const [turn] = byName(spans, "invoke_agent forecaster");
  assert.equal(parentOf(turn as ReadableSpan), undefined, "the outermost span");
  assert.equal(turn?.attributes["gen_ai.operation.name"], "invoke_agent");
  assert.equal(turn?.attributes["gen_ai.agent.name"], "forecaster");
  assert.equal(turn?.attributes["gen_ai.usage.input_tokens"], 24);
  const chats = byName(spans, "chat m");
  assert.equal(chats.length, 2);
  for (const chat of chats) {
    assert.equal(parentOf(chat), turn?.spanContext().spanId);
    assert.equal(chat.spanContext().traceId, turn?.spanContext().traceId);
    assert.equal(chat.attributes["gen_ai.operation.name"], "chat");
    assert.equal(chat.attributes["gen_ai.request.model"], "m");
    assert.equal(chat.attributes["gen_ai.usage.input_tokens"], 12);
    assert.equal(chat.attributes["gen_ai.usage.output_tokens"], 3);
    assert.ok(Array.isArray(chat.attributes["gen_ai.response.finish_reasons"]));
    assert.ok(typeof chat.attributes["gen_ai.provider.name"] === "string");
  }
  const [tool] = byName(spans, "execute_tool weather");
  assert.equal(parentOf(tool as ReadableSpan), turn?.spanContext().spanId);
  assert.equal(tool?.attributes["gen_ai.tool.name"], "weather");
  assert.equal(tool?.attributes["gen_ai.tool.call.id"], "call_w1");
  // The provider calls carried the turn's span as their parent.
  const { traceId, spanId } = turn?.spanContext() ?? {};
  const sent = mock.requests.slice(sentBefore).filter((request) => request.path.endsWith("/chat/completions"));
  assert.equal(sent.length, 2);
  for (const request of sent) assert.equal(request.headers.traceparent, `00-${traceId}-${spanId}-01`);
  // Nothing of what was said is recorded.
  for (const span of spans) assert.doesNotMatch(JSON.stringify(span.attributes), /Oslo|21 degrees/);
});

test("a selector team's turn: invoke_workflow, with the selector's chat and the speaker's invoke_agent under it", async () => {
  const team = new SelectorGroupChat({
    name: "crew",
    participants: [
      new AssistantAgent({ name: "planner", modelClient: client() }),
      new AssistantAgent({ name: "critic", modelClient: client() }),
    ],
    modelClient: client(),
    termination: new MaxMessageTermination(2),
  });
  await team.run({ task: "Plan a trip." });
  const spans = exporter.getFinishedSpans();
  const [workflow] = byName(spans, "invoke_workflow crew");
  assert.equal(workflow?.attributes["gen_ai.workflow.name"], "crew");
  const workflowId = workflow?.spanContext().spanId;
  const selector = byName(spans, "chat m").find((span) => span.attributes["hearth.caller"] === "crew/selector");
  assert.equal(selector?.attributes["gen_ai.agent.name"], undefined, "the selector is not an agent");
  assert.equal(parentOf(selector as ReadableSpan), workflowId);
  const [planner] = byName(spans, "invoke_agent planner");
  assert.equal(parentOf(planner as ReadableSpan), workflowId);
  const plannerChat = byName(spans, "chat m").find((span) => span.attributes["gen_ai.agent.name"] === "planner");
  assert.equal(parentOf(plannerChat as ReadableSpan), planner?.spanContext().spanId);
});

test("a streamed turn has the same spans", async () => {
  const agent = new AssistantAgent({ name: "streamer", modelClient: client(), modelClientStream: true });
  for await (const _item of agent.runStream({ task: "Plan a trip." })) {
    // read to the end
  }
  const spans = exporter.getFinishedSpans();
  const [turn] = byName(spans, "invoke_agent streamer");
  const [chat] = byName(spans, "chat m");
  assert.equal(parentOf(chat as ReadableSpan), turn?.spanContext().spanId);
  assert.equal(chat?.attributes["gen_ai.usage.output_tokens"], 3);
});

test("a failed model call: its chat span and the turn's have an error status and error.type", async () => {
  mock.enqueue({ fault: "server-error", status: 500 });
  const agent = new AssistantAgent({ name: "unlucky", modelClient: client(0) });
  await assert.rejects(agent.run({ task: "Plan a trip." }));
  const spans = exporter.getFinishedSpans();
  const [chat] = byName(spans, "chat m");
  assert.equal(chat?.status.code, SpanStatusCode.ERROR);
  assert.equal(chat?.attributes["error.type"], "HEARTH_MODEL_SERVER");
  const [turn] = byName(spans, "invoke_agent unlucky");
  assert.equal(turn?.status.code, SpanStatusCode.ERROR);
  assert.equal(turn?.attributes["error.type"], "HEARTH_MODEL_SERVER");
});

test("startup is a trace: hearth.startup, a span per phase, each step under its phase, at their real times", async () => {
  const runtime = createRuntime(
    defineApp({
      name: "traced-startup",
      warmup: { syntheticTurns: false },
      models: { default: () => client() },
      agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
    }),
    { log: () => undefined, closeConnectionPools: false },
  );
  try {
    await runtime.start();
    const spans = exporter.getFinishedSpans();
    const [root] = byName(spans, "hearth.startup");
    assert.equal(root?.attributes["hearth.app"], "traced-startup");
    const rootId = root?.spanContext().spanId;
    for (const phase of ["node", "load", "init", "warm"]) {
      const [span] = byName(spans, `hearth.startup.${phase}`);
      assert.equal(parentOf(span as ReadableSpan), rootId);
    }
    const [init] = byName(spans, "hearth.startup.init");
    const [agentStep] = byName(spans, "agent:helper");
    assert.equal(parentOf(agentStep as ReadableSpan), init?.spanContext().spanId);
    const [warmStep] = byName(spans, "warmup:model:default");
    assert.equal(parentOf(warmStep as ReadableSpan), byName(spans, "hearth.startup.warm")[0]?.spanContext().spanId);
    // From the process's start: the root begins at the node phase, before this file was loaded.
    const startMs = (root?.startTime[0] ?? 0) * 1000 + (root?.startTime[1] ?? 0) / 1e6;
    assert.ok(Math.abs(startMs - performance.timeOrigin) < 5, "starts at the process's start");
  } finally {
    await runtime.close();
  }
});

test("a request carrying traceparent: its spans are in the caller's trace, under the caller's span", async () => {
  const app = defineApp({
    name: "traced-http",
    models: { default: () => client() },
    agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
  });
  const logs: Record<string, unknown>[] = [];
  const server = await serve(app, { port: 0, log: (entry) => logs.push(entry), store: { kind: "memory" } });
  try {
    exporter.reset();
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const callerSpan = "00f067aa0ba902b7";
    const response = await fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${traceId}-${callerSpan}-01` },
      body: JSON.stringify({ message: "Plan a trip." }),
    });
    assert.equal(response.status, 200);
    const spans = exporter.getFinishedSpans();
    const [turn] = byName(spans, "invoke_agent helper");
    assert.equal(turn?.spanContext().traceId, traceId);
    assert.equal(parentOf(turn as ReadableSpan), callerSpan);
    assert.equal(typeof turn?.attributes["gen_ai.conversation.id"], "string");
    for (const span of spans) assert.equal(span.spanContext().traceId, traceId);
    // The request's log line names its trace and its outermost span.
    const line = logs.find((entry) => entry.msg === "request" && entry.id === response.headers.get("x-request-id"));
    assert.equal(line?.traceId, traceId);
    assert.equal(line?.spanId, turn?.spanContext().spanId);
    // A malformed header is ignored: a new trace.
    exporter.reset();
    await fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: "not-a-traceparent" },
      body: JSON.stringify({ message: "Plan a trip." }),
    });
    assert.notEqual(byName(exporter.getFinishedSpans(), "invoke_agent helper")[0]?.spanContext().traceId, traceId);
  } finally {
    await server.close();
  }
});

test("the GenAI client metrics: token usage by type and call duration, per model call, through the meter provider", async () => {
  await metricReader.forceFlush();
  metricExporter.reset();
  await forecaster().run({ task: "Weather in Oslo?" });
  await metricReader.forceFlush();
  const metrics = metricExporter.getMetrics().flatMap((batch) => batch.scopeMetrics.flatMap((scope) => scope.metrics));
  const points = (name: string) =>
    metrics
      .filter((metric) => metric.descriptor.name === name)
      .flatMap((metric) => metric.dataPoints as readonly unknown[]);
  const tokens = points("gen_ai.client.token.usage") as {
    attributes: Record<string, unknown>;
    value: { sum?: number; count: number };
  }[];
  const byType = (type: string) => tokens.filter((point) => point.attributes["gen_ai.token.type"] === type);
  assert.equal(
    byType("input").reduce((sum, point) => sum + (point.value.sum ?? 0), 0),
    24,
  );
  assert.equal(
    byType("output").reduce((sum, point) => sum + (point.value.sum ?? 0), 0),
    6,
  );
  assert.equal(byType("input")[0]?.attributes["gen_ai.request.model"], "m");
  const durations = points("gen_ai.client.operation.duration") as { value: { count: number } }[];
  assert.equal(
    durations.reduce((sum, point) => sum + point.value.count, 0),
    2,
  );
});

test("captureContent records what was said on chat spans, redacted; without it nothing is", async () => {
  const captured = new InMemorySpanExporter();
  const stopCapturing = instrument({
    tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(captured)] }),
    captureContent: true,
  });
  try {
    addSecrets(["sk-live-do-not-leak-4242", 'Tr0ub4d"or\\&3']);
    await forecaster("Answer about the weather.").run({
      task: 'Weather in Oslo? My key is sk-live-do-not-leak-4242, my password Tr0ub4d"or\\&3',
    });
    const [first, second] = byName(captured.getFinishedSpans(), "chat m");
    assert.equal(
      first?.attributes["gen_ai.system_instructions"],
      JSON.stringify([{ type: "text", content: "Answer about the weather." }]),
    );
    const input = String(first?.attributes["gen_ai.input.messages"]);
    assert.match(input, /Weather in Oslo\?/);
    assert.doesNotMatch(input, /sk-live-do-not-leak-4242/, "redacted");
    assert.doesNotMatch(input, /Tr0ub4d/, "redacted, though JSON would escape its quote");
    assert.match(
      String(first?.attributes["gen_ai.output.messages"]),
      /"type":"tool_call","id":"call_w1","name":"weather"/,
    );
    assert.match(String(second?.attributes["gen_ai.input.messages"]), /"type":"tool_call_response","id":"call_w1"/);
    assert.match(String(second?.attributes["gen_ai.output.messages"]), /It is 21 degrees/);
    // The instrumentation without captureContent saw the same calls and kept no content.
    for (const span of byName(exporter.getFinishedSpans(), "chat m"))
      assert.equal(span.attributes["gen_ai.input.messages"], undefined);
  } finally {
    stopCapturing();
  }
});

test("an MCP tool call made in a traced turn carries the turn's span in _meta.traceparent, and has its execute_tool span", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hearth-otel-mcp-"));
  const events = join(dir, "events.log");
  const workbench = new McpWorkbench({
    name: "fixture",
    stdio: {
      command: process.execPath,
      args: [new URL("./fixtures/mcp/fixture-server.ts", import.meta.url).pathname],
      env: { FIXTURE_EVENTS: events },
    },
    toolFilter: ["lookup.order"],
  });
  try {
    await workbench.start();
    const agent = new AssistantAgent({ name: "shopper", modelClient: client(), workbench, reflectOnToolUse: true });
    await agent.run({ task: "Where is A1?" });
    const spans = exporter.getFinishedSpans();
    const [turn] = byName(spans, "invoke_agent shopper");
    const [tool] = byName(spans, "execute_tool lookup_order");
    assert.equal(parentOf(tool as ReadableSpan), turn?.spanContext().spanId);
    const { traceId, spanId } = turn?.spanContext() ?? {};
    assert.ok(readFileSync(events, "utf8").includes(`traceparent 00-${traceId}-${spanId}-01`), "sent in _meta");
  } finally {
    await workbench.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("once stopped, nothing is traced and provider calls carry no traceparent; nor with a no-op tracer", async () => {
  stop();
  const sentBefore = mock.requests.length;
  await new AssistantAgent({ name: "quiet", modelClient: client() }).run({ task: "Plan a trip." });
  assert.deepEqual(exporter.getFinishedSpans(), []);
  const sent = mock.requests.slice(sentBefore);
  assert.ok(sent.length > 0);
  for (const request of sent) assert.equal(request.headers.traceparent, undefined);
  // And with an instrumentation whose API has no SDK behind it (a no-op tracer), none is sent either.
  const stopNoop = instrument();
  try {
    const noopBefore = mock.requests.length;
    await new AssistantAgent({ name: "untraced", modelClient: client() }).run({ task: "Plan a trip." });
    for (const request of mock.requests.slice(noopBefore)) assert.equal(request.headers.traceparent, undefined);
  } finally {
    stopNoop();
  }
});
