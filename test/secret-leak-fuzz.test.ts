// No key leaves the server: a seeded fuzz with many shapes of keys (OpenAI's `sk-…` and
// `sk-proj-…`, Azure's 32 hex digits, Anthropic's `sk-ant-…`, JWTs, GitHub, Slack and Google
// tokens, short ones, base64 with `+/=`, quotes and backslashes, unicode) as the app's API keys and
// as its model providers' keys. It provokes what can quote one: provider errors that quote the key
// they were sent (or an API key), 5xx, malformed JSON, resets, rate limits; tools whose output and
// errors quote keys; readiness and warm-up failures that quote them; bad requests that carry them
// (as a field name, an agent, a model, a path); wrong keys. Then it looks for every key, and its
// URL-, JSON- and base64-encoded forms, in every log line, response body and header, problem
// document, /readyz, /v1/startup, /metrics, OpenTelemetry span, what the provider was sent, and
// stored session. The seed is printed; HEARTH_FUZZ_SEED=<seed> replays a run.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import {
  AssistantAgent,
  defineApp,
  defineTool,
  MemorySessionStore,
  type ModelClient,
  OpenAIChatCompletionClient,
  resource,
} from "hearth";
import { type HearthServer, serve } from "hearth/node";
import { instrument } from "hearth/otel";
import { type MockChatRequest, type MockFault, type MockOpenAIServer, startMockOpenAIServer } from "hearth/testing";
import { seededRandom } from "./support/seeded-random.ts";

const seed = Number(process.env.HEARTH_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const requests = 160;

const random = seededRandom(seed);

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const urlSafe = `${alnum}_-`;
const base64url = (text: string) => Buffer.from(text).toString("base64url");
const shapes: Record<string, () => string> = {
  openai: () => `sk-${random.from(alnum, 48)}`,
  openaiProject: () => `sk-proj-${random.from(urlSafe, 120)}`,
  azure: () => random.from("0123456789abcdef", 32),
  anthropic: () => `sk-ant-api03-${random.from(urlSafe, 93)}AA`,
  jwt: () =>
    `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url(`{"sub":"${random.from(alnum, 12)}","iat":1700000000}`)}.${random.from(urlSafe, 43)}`,
  github: () => `ghp_${random.from(alnum, 36)}`,
  slack: () => `xoxb-${random.from("0123456789", 12)}-${random.from(alnum, 24)}`,
  google: () => `AIza${random.from(urlSafe, 35)}`,
  short: () => random.from(alnum, 8),
  base64: () =>
    Buffer.from(random.from(alnum, 30)).toString("base64").replace(/=+$/, "") + random.pick(["+/=", "/+", "=="]),
  quoted: () => `q"u\\o'te<${random.from(alnum, 10)}>&%`,
  unicode: () => `clé-${random.from(alnum, 8)}-秘密-😀`,
};
// Every shape an API key of the app; the ones a provider could take (an HTTP header's characters) its providers' keys.
const apiKeys = Object.fromEntries(Object.entries(shapes).map(([shape, make]) => [shape, make()]));
const providerShapes = ["openai", "openaiProject", "azure", "anthropic", "jwt"] as const;
const providerKeys = Object.fromEntries(providerShapes.map((shape) => [shape, shapes[shape]?.() as string]));
/** Keys a client can send (Latin-1 only): the unicode one is configured, and must not leak either. */
const sendable = Object.entries(apiKeys).filter(([, key]) => /^[\x21-\x7e]+$/.test(key));
const nearMisses: string[] = [];

/** The forms a key could take in text: as it is, URL-encoded, JSON-escaped, and base64 at each alignment. */
function formsOf(key: string): string[] {
  const forms = new Set([key, encodeURIComponent(key), encodeURI(key), JSON.stringify(key).slice(1, -1)]);
  for (let offset = 0; offset < 3; offset++)
    for (const encoding of ["base64", "base64url"] as const) {
      // The characters that depend on the key's bytes alone: not the first four (they take the
      // prefix's bytes) after an offset, nor the last (it takes what follows).
      const encoded = Buffer.from("\u0000".repeat(offset) + key)
        .toString(encoding)
        .replace(/=+$/, "");
      const core = encoded.slice(offset === 0 ? 0 : 4, -1);
      if (core.length >= 10) forms.add(core);
    }
  return [...forms];
}

/** What the tools quote on their next call: set before each request. */
let quoted: string[] = [];
const quote = defineTool({
  name: "quote",
  description: "Reads a setting.",
  parameters: { type: "object", properties: {} },
  execute: () => ({
    note: `the key is ${quoted[0]}`,
    nested: { list: [`Bearer ${quoted[1]}`, `api_key=${quoted[0]}`], raw: quoted[1] },
  }),
});
const fail = defineTool({
  name: "fail",
  description: "Connects to the database.",
  parameters: { type: "object", properties: {} },
  execute: () => {
    throw new Error(`login refused for ${quoted[0]} (token ${quoted[1]})`);
  },
});

function respond(request: MockChatRequest) {
  const last = request.messages.at(-1);
  if (last?.role === "tool") return { content: "The tool answered." };
  const text = String(last?.content ?? "");
  if (text.includes("use quote")) return { toolCalls: [{ name: "quote", arguments: {} }] };
  if (text.includes("use fail")) return { toolCalls: [{ name: "fail", arguments: {} }] };
  return { content: "Hello." };
}

let mock: MockOpenAIServer;
let server: HearthServer;
const logs: unknown[] = [];
const outputs: { where: string; text: string }[] = [];
const spans = new InMemorySpanExporter();
const stopTracing = instrument({
  tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
  captureContent: true,
});

function app() {
  const anyKey = () => random.pick([...Object.values(apiKeys), ...Object.values(providerKeys)]);
  // Keys by tenant: the tenant is named by the key's shape.
  const keys = Object.fromEntries(Object.entries(apiKeys).map(([shape, key]) => [key, shape]));
  const models = Object.fromEntries(
    providerShapes.map((shape) => [
      shape,
      () =>
        new OpenAIChatCompletionClient({
          model: "mock",
          baseURL: mock.url,
          apiKey: providerKeys[shape] as string,
          maxRetries: 0,
          timeoutMs: 2_000,
        }),
    ]),
  );
  const agents = Object.fromEntries(
    providerShapes.map((shape) => [
      `agent_${shape}`,
      ({ models }: { models: Readonly<Record<string, ModelClient>> }) =>
        new AssistantAgent({
          name: `agent_${shape}`,
          modelClient: models[shape] as ModelClient,
          tools: [quote, fail],
          reflectOnToolUse: true,
        }),
    ]),
  );
  const failing = `${anyKey()} ${anyKey()}`;
  return defineApp({
    name: "leak_fuzz",
    auth: { apiKeys: keys },
    resources: {
      vault: resource({
        init: () => ({}),
        health: () => {
          throw new Error(`the vault refused ${failing}`);
        },
      }),
      cache: resource({
        init: () => ({}),
        required: false,
        warmup: () => {
          throw new Error(`NOAUTH: ${failing}`);
        },
      }),
    },
    models,
    agents,
  });
}

before(async () => {
  mock = await startMockOpenAIServer({ respond, apiKeys: Object.values(providerKeys) });
  server = await serve(app(), {
    port: 0,
    store: new MemorySessionStore(),
    log: (entry) => logs.push(entry),
    playground: true,
    runtime: { closeConnectionPools: false },
  });
});
after(async () => {
  stopTracing();
  await server.close();
  await mock.close();
});

async function call(
  path: string,
  init: { method?: string; key?: string | undefined; headers?: Record<string, string>; body?: string } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== undefined) headers.authorization = `Bearer ${init.key}`;
  if (init.body !== undefined) headers["content-type"] ??= "application/json";
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await response.text();
  outputs.push({
    where: `${init.method ?? (init.body === undefined ? "GET" : "POST")} ${path.slice(0, 60)}: body`,
    text,
  });
  outputs.push({ where: `${path.slice(0, 60)}: headers`, text: JSON.stringify([...response.headers]) });
  return { status: response.status, text };
}

function fault(agentShape: string): MockFault | undefined {
  const apiKey = random.pick(Object.values(apiKeys));
  const providerKey = providerKeys[agentShape] as string;
  return random.pick<MockFault | undefined>([
    undefined,
    {
      fault: "status",
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${providerKey}.`, code: "invalid_api_key" } },
    },
    { fault: "status", status: 400, body: { error: { message: `Invalid value near '${apiKey}' in messages[0].` } } },
    { fault: "status", status: 403, body: { error: { message: `Key ${providerKey} (${apiKey}) lacks access.` } } },
    { fault: "status", status: 404, body: `no deployment for ${providerKey}` },
    { fault: "server-error", status: random.pick([500, 502, 503]) },
    { fault: "rate-limit", retryAfterSeconds: 1 },
    { fault: "malformed-json" },
    { fault: "reset" },
    { fault: "reset-mid-stream", afterChunks: 1 },
  ]);
}

test(`no key of any shape leaves the server in any output (seed ${seed})`, async (t) => {
  t.diagnostic(`seed ${seed} (HEARTH_FUZZ_SEED=${seed} replays it)`);
  for (let round = 0; round < requests; round++) {
    const [, key] = random.pick(sendable);
    const agentShape = random.pick(providerShapes);
    const anyKey = random.pick([...Object.values(apiKeys), ...Object.values(providerKeys)]);
    quoted = [random.pick(Object.values(apiKeys)), random.pick(Object.values(providerKeys))];
    const stream = random.below(3) === 0;
    const message = random.pick(["hi", "please use quote", "please use fail"]);
    switch (random.below(9)) {
      case 0:
      case 1:
      case 2: {
        const next = fault(agentShape);
        if (next !== undefined) mock.enqueue(next);
        await call("/v1/chat", { key, body: JSON.stringify({ message, agent: `agent_${agentShape}`, stream }) });
        break;
      }
      case 3: {
        const next = fault(agentShape);
        if (next !== undefined) mock.enqueue(next);
        await call("/v1/chat/completions", {
          key,
          body: JSON.stringify({
            model: `agent_${agentShape}`,
            messages: [{ role: "user", content: message }],
            stream,
          }),
        });
        break;
      }
      case 4: {
        // Bad requests that carry a key where hearth's answer names what was wrong.
        const body = random.pick([
          JSON.stringify({ message: "hi", [anyKey]: 1 }),
          JSON.stringify({ message: "hi", agent: anyKey }),
          JSON.stringify({ message: "hi", team: anyKey }),
          JSON.stringify({ message: "hi", sessionId: anyKey }),
          JSON.stringify({ message: 42, context: { token: anyKey } }),
          `{"message": "hi", "agent": ${JSON.stringify(anyKey)}`,
          JSON.stringify({ model: anyKey, messages: [{ role: "user", content: "hi" }] }),
          JSON.stringify({ model: `agent_${agentShape}`, messages: [{ role: "tool", content: anyKey }] }),
        ]);
        const path = random.pick(["/v1/chat", "/v1/chat/completions"]);
        await call(path, {
          key,
          body,
          ...(random.below(4) === 0
            ? { headers: { "content-type": `text/${anyKey.replace(/[^\x21-\x7e]/g, "")}` } }
            : {}),
        });
        break;
      }
      case 5: {
        // A key in the path: an unknown route, a model, a session, a playground part.
        const encoded = random.pick([
          encodeURIComponent(anyKey),
          encodeURI(anyKey).replace(/[?#]/g, encodeURIComponent),
        ]);
        const path = random.pick([
          `/v1/${encoded}`,
          `/v1/models/${encoded}`,
          `/v1/sessions/${encoded}`,
          `/playground/${encoded}`,
          `/${encoded}/v1/chat`,
        ]);
        await call(path, { key, method: random.pick(["GET", "DELETE", "POST"]) });
        break;
      }
      case 6: {
        // A wrong key, one character off a real one (and so nearly as secret): never written anywhere.
        const near = key.slice(0, -1) + (key.at(-1) === "x" ? "y" : "x");
        nearMisses.push(near);
        await call(random.pick(["/v1/chat", "/v1/startup", "/metrics", "/v1/models", "/v1/sessions/abc"]), {
          key: near,
          ...(random.below(2) === 0 ? { body: JSON.stringify({ message: "hi" }) } : {}),
        });
        break;
      }
      case 7:
        await call(
          random.pick([
            "/readyz",
            "/v1/startup",
            "/metrics",
            "/openapi.json",
            "/v1/models",
            "/playground/requests",
            "/healthz",
          ]),
          {
            key: random.below(4) === 0 ? undefined : key,
          },
        );
        break;
      default:
        await call(`/v1/sessions/${random.pick(["abc", "ses_1"])}`, { key, method: random.pick(["GET", "DELETE"]) });
    }
  }
  // Every session the fuzz left, as a client reads it and as the store keeps it.
  for (const [tenant, key] of sendable) {
    for (const id of await server.app.store.list(tenant)) {
      await call(`/v1/sessions/${id}`, { key });
      outputs.push({
        where: `stored session ${tenant}/${id}`,
        text: JSON.stringify(await server.app.store.get(tenant, id)),
      });
    }
  }
  outputs.push({ where: "the log", text: JSON.stringify(logs) });
  outputs.push({
    where: "the spans",
    text: JSON.stringify(
      spans
        .getFinishedSpans()
        .map((span) => ({ name: span.name, attributes: span.attributes, status: span.status, events: span.events })),
    ),
  });
  outputs.push({
    where: "what the provider was sent",
    text: JSON.stringify(mock.requests.map((request) => request.body)),
  });
  assert.ok(logs.length > requests, "every request was logged");
  assert.ok(
    spans.getFinishedSpans().some((span) => span.attributes["gen_ai.input.messages"] !== undefined),
    "content was traced",
  );

  const leaks: string[] = [];
  const secrets: [string, string][] = [
    ...Object.entries(apiKeys).map(([shape, key]) => [`API key (${shape})`, key] as [string, string]),
    ...Object.entries(providerKeys).map(([shape, key]) => [`provider key (${shape})`, key] as [string, string]),
  ];
  for (const [name, secret] of secrets)
    for (const form of formsOf(secret))
      for (const { where, text } of outputs)
        if (text.includes(form))
          leaks.push(
            `${name} ${JSON.stringify(form)} in ${where}: ${text.slice(Math.max(0, text.indexOf(form) - 120), text.indexOf(form) + form.length + 40)}`,
          );
  const logText = JSON.stringify(logs);
  for (const near of new Set(nearMisses))
    if (logText.includes(near)) leaks.push(`a wrong key ${JSON.stringify(near)} in the log`);
  assert.deepEqual(leaks.slice(0, 20), [], `${leaks.length} leaks (HEARTH_FUZZ_SEED=${seed})`);
});

test("a key sent as a session id is redacted from the playground's list of requests, as from the log", async () => {
  const [, key] = sendable.find(([shape]) => shape === "short") as [string, string];
  assert.equal((await call(`/v1/sessions/${key}`, { key })).status, 404);
  const listed = await call("/playground/requests", { key });
  assert.equal(listed.status, 200);
  assert.ok(!listed.text.includes(key), listed.text.slice(0, 300));
  assert.match(listed.text, /"session":"\[redacted\]"/);
});
