// The real server on port 0 against the mock model server: chat, streaming, sessions, bad input,
// auth, readiness around warm-up, metrics, and logs without secrets.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { AssistantAgent, defineApp, OpenAIChatCompletionClient, resource, RoundRobinGroupChat } from "hearth";
import { serve, type HearthServer } from "hearth/node";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { createSupportAgent, loadOrders, loadPolicy } from "../examples/support/support-agent.ts";
import { supportModel } from "../examples/support/support-model.ts";

const providerKey = "sk-provider-secret-0123456789";
const clientKey = "client-key-tenant-a";
let mock: MockOpenAIServer;
let server: HearthServer;
const logs: Record<string, unknown>[] = [];
const directory = mkdtempSync(join(tmpdir(), "hearth-server-"));

function app() {
  return defineApp({
    name: "support",
    auth: { apiKeys: { [clientKey]: "tenant-a", "client-key-tenant-b": "tenant-b" } },
    models: {
      default: () => new OpenAIChatCompletionClient({ model: "support-mock", baseURL: mock.url, apiKey: providerKey }),
    },
    agents: {
      support_agent: ({ models }) =>
        createSupportAgent({ modelClient: models.default, orders: loadOrders(), policy: loadPolicy() }),
      echo: ({ models }) => new AssistantAgent({ name: "echo", modelClient: models.default, modelClientStream: true }),
    },
    teams: {
      duo: ({ models }) =>
        new RoundRobinGroupChat({
          participants: [
            new AssistantAgent({ name: "first", modelClient: models.default }),
            new AssistantAgent({ name: "second", modelClient: models.default }),
          ],
          maxTurns: 2,
        }),
    },
  });
}

async function call(path: string, init: RequestInit & { key?: string | null } = {}) {
  const headers = new Headers(init.headers);
  if (init.key !== null) headers.set("authorization", `Bearer ${init.key ?? clientKey}`);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  const response = await fetch(`${server.url}${path}`, { ...init, headers });
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  return {
    status: response.status,
    type,
    text,
    body: type.includes("json") && text !== "" ? JSON.parse(text) : undefined,
  };
}

const chat = (body: unknown, init: RequestInit & { key?: string | null } = {}) =>
  call("/v1/chat", { method: "POST", body: JSON.stringify(body), ...init });

describe("the HTTP server", () => {
  before(async () => {
    mock = await startMockOpenAIServer({ respond: supportModel, apiKeys: [providerKey] });
    server = await serve(app(), {
      port: 0,
      store: { kind: "sqlite", path: join(directory, "sessions.db") },
      log: (entry) => logs.push(entry),
      runtime: { closeConnectionPools: false },
    });
  });
  after(async () => {
    await server.close();
    await mock.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test("the synthetic warm-up request before ready stored no session and wrote no log line; its header is inert from outside", async () => {
    const trace = server.runtime.startupTrace();
    const http = trace.steps.find((step) => step.name === "http:/v1/chat");
    assert.equal(http?.status, "ok");
    assert.ok(http.startMs + http.durationMs <= (trace.readyMs ?? 0), "the synthetic requests were over before ready");
    assert.equal(trace.firstRequest, undefined, "a synthetic request is not the first request");
    assert.deepEqual(await server.app.store.list("tenant-a"), []);
    assert.ok(!logs.some((entry) => entry.msg === "request"), "no request was logged before the first real one");
    const forged = await chat({ message: "Where is order A123?" }, { headers: { "x-hearth-warmup": "guess" } });
    assert.equal(forged.status, 200);
    assert.match(forged.body.reply, /A123 has shipped/, "a real answer from the model, not the warm-up stub");
    assert.notEqual(server.runtime.startupTrace().firstRequest, undefined, "the first real request is");
  });

  test("POST /v1/chat answers from the tool, and the session continues by id", async () => {
    const first = await chat({ message: "Where is order A123?" });
    assert.equal(first.status, 200);
    assert.equal(
      first.body.reply,
      "Order A123 has shipped with DHL (tracking JD014600006281) and should arrive by 2026-11-27.",
    );
    assert.equal(first.body.stopReason, "text");
    assert.ok(first.body.usage.promptTokens > 0);
    assert.deepEqual(
      first.body.messages.map((message: { type: string }) => message.type),
      ["text", "tool-call-request", "tool-call-execution", "text"],
    );
    const second = await chat({ message: "And order B201?", sessionId: first.body.sessionId });
    assert.equal(second.body.sessionId, first.body.sessionId);
    assert.match(second.body.reply, /B201 was delivered/);
    const stored = await call(`/v1/sessions/${first.body.sessionId}`);
    assert.equal(stored.status, 200);
    assert.equal(stored.body.messages.length, 8);
  });

  test("streaming answers with server-sent events: deltas, tool events, messages, done", async () => {
    const response = await chat({ message: "Where is order A124?", stream: true });
    assert.equal(response.status, 200);
    assert.match(response.type, /text\/event-stream/);
    const events = [...response.text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    assert.ok(events.includes("tool-call") && events.includes("tool-result") && events.includes("message"));
    assert.equal(events.at(-1), "done");
    const done = JSON.parse(/event: done\ndata: (.+)\n/.exec(response.text)?.[1] ?? "{}");
    assert.match(done.reply, /A124 is being prepared/);

    const echo = await call("/v1/chat", {
      method: "POST",
      body: JSON.stringify({ message: "stream me", agent: "echo" }),
      headers: { accept: "text/event-stream" },
    });
    const deltas = [...echo.text.matchAll(/^event: message-delta\ndata: (.+)$/gm)]
      .map((match) => JSON.parse(match[1] ?? "{}").content)
      .join("");
    assert.equal(deltas, "I can help with your orders: tell me the order number, for example A123.");
  });

  test("a team answers through the same endpoint", async () => {
    const response = await chat({ message: "hello", team: "duo" });
    assert.equal(response.status, 200);
    assert.equal(response.body.stopReason, "Maximum number of turns 2 reached.");
    assert.deepEqual(
      response.body.messages.map((message: { source: string }) => message.source),
      ["user", "first", "second"],
    );
  });

  test("sessions belong to their tenant, and DELETE removes them", async () => {
    const created = await chat({ message: "hi" });
    const id = created.body.sessionId;
    const other = await call(`/v1/sessions/${id}`, { key: "client-key-tenant-b" });
    assert.equal(other.status, 404);
    assert.equal(other.body.code, "HEARTH_SESSION_NOT_FOUND");
    const crossTenant = await chat({ message: "hi", sessionId: id }, { key: "client-key-tenant-b" });
    assert.equal(crossTenant.status, 404);
    assert.equal((await call(`/v1/sessions/${id}`, { method: "DELETE" })).status, 204);
    assert.equal((await call(`/v1/sessions/${id}`)).status, 404);
    assert.equal((await call(`/v1/sessions/${id}`, { method: "DELETE" })).status, 404);
  });

  test("every bad input gets a problem document with its code, and changes nothing", async () => {
    const created = await chat({ message: "hi" });
    const id = created.body.sessionId;
    const before = (await call(`/v1/sessions/${id}`)).text;
    const cases: [Promise<Awaited<ReturnType<typeof call>>>, number, string, string?][] = [
      [call("/v1/chat", { method: "POST", body: "{not json" }), 400, "HEARTH_INVALID_REQUEST", "body"],
      // Bytes that are not UTF-8, twice: the shared decoder keeps nothing from one body to the next.
      [
        call("/v1/chat", { method: "POST", body: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]) }),
        400,
        "HEARTH_INVALID_REQUEST",
        "body",
      ],
      [
        call("/v1/chat", { method: "POST", body: new Uint8Array([0x7b, 0x22, 0xe2, 0x82]) }),
        400,
        "HEARTH_INVALID_REQUEST",
        "body",
      ],
      [chat([1, 2]), 400, "HEARTH_INVALID_REQUEST", "body"],
      [chat({}), 400, "HEARTH_INVALID_REQUEST", "message"],
      [chat({ message: 42, sessionId: id }), 400, "HEARTH_INVALID_REQUEST", "message"],
      [chat({ message: "  ", sessionId: id }), 400, "HEARTH_INVALID_REQUEST", "message"],
      [chat({ message: "hi", sessionId: id, stream: "yes" }), 400, "HEARTH_INVALID_REQUEST", "stream"],
      [chat({ message: "hi", sessionId: id, extra: 1 }), 400, "HEARTH_INVALID_REQUEST", "extra"],
      [chat({ message: "hi", sessionId: id, agent: "ghost" }), 404, "HEARTH_AGENT_UNKNOWN"],
      [chat({ message: "hi", sessionId: id, team: "ghosts" }), 404, "HEARTH_TEAM_UNKNOWN"],
      // Names an object has without being given them are not agents or teams.
      [chat({ message: "hi", sessionId: id, agent: "constructor" }), 404, "HEARTH_AGENT_UNKNOWN"],
      [chat({ message: "hi", sessionId: id, agent: "__proto__" }), 404, "HEARTH_AGENT_UNKNOWN"],
      [chat({ message: "hi", sessionId: id, team: "toString" }), 404, "HEARTH_TEAM_UNKNOWN"],
      [chat({ message: "hi", sessionId: id, agent: "echo", team: "duo" }), 400, "HEARTH_INVALID_REQUEST", "team"],
      [chat({ message: "hi", sessionId: "no-such-session" }), 404, "HEARTH_SESSION_NOT_FOUND"],
      [chat({ message: "hi", sessionId: "../etc" }), 400, "HEARTH_INVALID_REQUEST", "sessionId"],
      [chat({ message: "x".repeat(1024 * 1024 + 10), sessionId: id }), 413, "HEARTH_BODY_TOO_LARGE"],
      [
        call("/v1/chat", {
          method: "POST",
          body: JSON.stringify({ message: "hi", sessionId: id }),
          headers: { "content-type": "text/plain" },
        }),
        415,
        "HEARTH_UNSUPPORTED_MEDIA_TYPE",
      ],
      [call("/v1/chat", { method: "GET" }), 405, "HEARTH_METHOD_NOT_ALLOWED"],
      [call("/v1/nothing"), 404, "HEARTH_NOT_FOUND"],
    ];
    for (const [pending, status, code, field] of cases) {
      const response = await pending;
      assert.equal(response.status, status, `${code}: ${response.text.slice(0, 200)}`);
      assert.match(response.type, /application\/problem\+json/);
      assert.equal(response.body.code, code);
      assert.equal(response.body.status, status);
      assert.equal(response.body.type, `urn:hearth:error:${code}`);
      if (field !== undefined) assert.equal(response.body.field, field);
      assert.doesNotMatch(response.text, /\n\s+at /, "no stack trace");
    }
    assert.equal((await call(`/v1/sessions/${id}`)).text, before, "the session is unchanged");
  });

  test("no key or an unknown key is 401; a provider key in the body is not a field", async () => {
    for (const key of [null, "wrong-key-123"]) {
      const response = await chat({ message: "hi" }, { key });
      assert.equal(response.status, 401);
      assert.equal(response.body.code, "HEARTH_UNAUTHORIZED");
    }
    const sneaky = await chat({ message: "hi", apiKey: "sk-from-the-body-12345678" });
    assert.equal(sneaky.status, 400);
    assert.equal(sneaky.body.field, "apiKey");
  });

  test("liveness, readiness, the trace, the OpenAPI document and metrics", async () => {
    assert.equal((await call("/healthz", { key: null })).status, 200);
    const ready = await call("/readyz", { key: null });
    assert.equal(ready.status, 200);
    assert.equal(ready.body.state, "ready");
    const trace = await call("/v1/startup");
    assert.deepEqual(
      trace.body.phases.map((phase: { name: string }) => phase.name),
      ["node", "load", "init", "warm", "ready"],
    );
    const openapi = await call("/openapi.json", { key: null });
    assert.equal(openapi.body.openapi, "3.1.0");
    assert.ok(openapi.body.paths["/v1/chat"].post);
    await chat({ message: "Where is order A123?" });
    // Cross-tenant figures: with keys configured, only for a caller with one.
    assert.equal((await call("/metrics", { key: null })).status, 401);
    const metrics = await call("/metrics");
    assert.match(metrics.type, /text\/plain/);
    for (const expected of [
      /hearth_startup_phase_duration_seconds\{phase="warm"\} [\d.]+/,
      /hearth_time_to_ready_seconds [\d.]+/,
      /hearth_first_request_duration_seconds [\d.]+/,
      /hearth_http_request_duration_seconds_count\{route="\/v1\/chat",status="200"\} \d+/,
      /hearth_http_request_duration_seconds_count\{route="\/v1\/chat",status="400"\} \d+/,
      /hearth_model_call_duration_seconds_count\{model="support-mock",outcome="ok"\} \d+/,
      /hearth_tool_call_duration_seconds_count\{tool="lookup_order"\} \d+/,
      /# TYPE hearth_constructions_after_ready_total counter/,
    ]) {
      assert.match(metrics.text, expected);
    }
  });

  test("one log line per request with tenant, agent, session and timings; no key ever appears", async () => {
    logs.length = 0;
    const response = await chat({ message: "Where is order A123?" });
    const line = logs.find((entry) => entry.msg === "request" && entry.route === "/v1/chat");
    assert.ok(line !== undefined);
    assert.equal(line.tenant, "tenant-a");
    assert.equal(line.agent, "support_agent");
    assert.equal(line.session, response.body.sessionId);
    assert.equal(line.status, 200);
    assert.equal(line.modelCalls, 2);
    assert.equal(line.toolCalls, 1);
    assert.ok(Number(line.totalMs) >= Number(line.modelMs) && Number(line.modelMs) > 0);
    const everything = JSON.stringify(logs);
    assert.ok(!everything.includes(providerKey) && !everything.includes(clientKey), "no key in the logs");
  });
});

describe("readiness around warm-up", () => {
  test("/healthz answers while warming, /readyz is 503 until ready, then 200", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let url!: string;
    const listening = new Promise<void>((resolve) => {
      const slowApp = defineApp({
        name: "slow",
        resources: { cache: resource({ init: () => 1, warmup: () => gate }) },
      });
      void serve(slowApp, {
        port: 0,
        store: { kind: "memory" },
        log: () => {},
        onListening: (address) => {
          url = address;
          resolve();
        },
      }).then((started) => (warm = started));
    });
    let warm: HearthServer | undefined;
    await listening;
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const notReady = await fetch(`${url}/readyz`);
    assert.equal(notReady.status, 503);
    assert.equal(((await notReady.json()) as { state: string }).state, "warming");
    const early = await fetch(`${url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "hi" }),
    });
    assert.equal(early.status, 503);
    assert.equal(((await early.json()) as { code: string }).code, "HEARTH_NOT_READY");
    release();
    while (warm === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    await warm.close();
  });
});

describe("turns that fail, time out or lose their client", () => {
  let slowMock: MockOpenAIServer;
  let slowServer: HearthServer;
  const captured: Record<string, unknown>[] = [];
  before(async () => {
    slowMock = await startMockOpenAIServer();
    const slowApp = defineApp({
      name: "slow",
      models: {
        default: () =>
          new OpenAIChatCompletionClient({ model: "m", baseURL: slowMock.url, apiKey: providerKey, maxRetries: 0 }),
      },
      agents: { echo: ({ models }) => new AssistantAgent({ name: "echo", modelClient: models.default }) },
    });
    slowServer = await serve(slowApp, {
      port: 0,
      store: { kind: "memory" },
      requestTimeoutMs: 300,
      log: (entry) => captured.push(entry),
      runtime: { closeConnectionPools: false },
    });
  });
  after(async () => {
    await slowServer.close();
    await slowMock.close();
  });
  const post = (body: unknown, signal?: AbortSignal) =>
    fetch(`${slowServer.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      ...(signal === undefined ? {} : { signal }),
    });

  test("a client that disconnects aborts the run (the provider sees the close) and the session is unchanged", async () => {
    const first = (await (await post({ message: "first" })).json()) as { sessionId: string };
    const before = await (await fetch(`${slowServer.url}/v1/sessions/${first.sessionId}`)).text();
    slowMock.requests.length = 0;
    slowMock.enqueue({ fault: "delay", ms: 30_000 });
    const controller = new AbortController();
    const pending = post({ message: "never answered", sessionId: first.sessionId }, controller.signal).catch(
      () => "aborted",
    );
    while (slowMock.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    assert.equal(await pending, "aborted");
    await slowMock.waitForEarlyClose(0, 2_000);
    // The turn is over once the session is free again: a new turn on it goes through.
    const next = await post({ message: "after", sessionId: first.sessionId });
    assert.equal(next.status, 200);
    const after = (await (await fetch(`${slowServer.url}/v1/sessions/${first.sessionId}`)).json()) as {
      messages: { content?: string }[];
    };
    assert.ok(!JSON.stringify(after).includes("never answered"), "the aborted turn stored nothing");
    assert.equal(after.messages.length, JSON.parse(before).messages.length + 2);
  });

  test("a turn past the request timeout is a 504 that stores nothing", async () => {
    slowMock.enqueue({ fault: "delay", ms: 5_000 });
    const response = await post({ message: "too slow" });
    assert.equal(response.status, 504);
    assert.equal(((await response.json()) as { code: string }).code, "HEARTH_REQUEST_TIMEOUT");
  });

  test("a provider error that quotes the key reaches neither the client nor the log", async () => {
    captured.length = 0;
    slowMock.enqueue({
      fault: "status",
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${providerKey}.`, code: "invalid_api_key" } },
    });
    const response = await post({ message: "hi" });
    const text = await response.text();
    assert.equal(response.status, 502);
    assert.equal(JSON.parse(text).code, "HEARTH_MODEL_AUTH");
    assert.match(text, /Incorrect API key provided: (sk-)?\[redacted\]/);
    slowMock.enqueue({
      fault: "status",
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${providerKey}.` } },
    });
    const streamed = await (await post({ message: "hi", stream: true })).text();
    assert.match(streamed, /event: error/);
    for (const output of [text, streamed, JSON.stringify(captured)]) assert.ok(!output.includes(providerKey));
  });
});
