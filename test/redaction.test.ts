// Secrets never leave the server: not in readiness, the startup trace, problem documents (plain or
// streamed), logs, or tool results (which the model sees and the session stores); and a provider is
// named by its label, never by its URL.
import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import {
  AssistantAgent,
  defineApp,
  defineTool,
  MemorySessionStore,
  OpenAIChatCompletionClient,
  resource,
} from "hearth";
import { serve, type HearthServer } from "hearth/node";
import { startMockOpenAIServer, type MockChatRequest, type MockOpenAIServer } from "hearth/testing";

// An environment value named like a password: hearth knows it is one without being told.
const databasePassword = "db-pass-6f1d2c9a";
process.env.SUPPORT_DB_PASSWORD = databasePassword;
// An Azure-style hex key: no pattern matches it, only knowing it catches it.
const hexKey = "0123456789abcdef0123456789abcdef";
const clientKey = "client-key-tenant-a";
const vaultToken = "vault-0a1b2c3d4e5f";
const secrets = [databasePassword, hexKey, clientKey, vaultToken, "pa55word", "s3cret-db", "sk-provider-0123456789"];

let mock: MockOpenAIServer;
let quoting: Server;
let closedPort: number;
let server: HearthServer;
const logs: Record<string, unknown>[] = [];

/** A provider that quotes back the key it was sent, as some do. */
async function startQuotingProvider(): Promise<Server> {
  const http = await import("node:http");
  const provider = http.createServer((request, response) => {
    const key = request.headers["api-key"] ?? request.headers.authorization ?? "";
    response.writeHead(401, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        error: { message: `Access denied due to invalid subscription key ${String(key).replace(/^Bearer /, "")}.` },
      }),
    );
  });
  await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
  return provider;
}

async function freePort(): Promise<number> {
  const http = await import("node:http");
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function supportModel(request: MockChatRequest) {
  const last = request.messages.at(-1);
  if (last?.role === "tool") return { content: `The lookup said: ${String(last.content)}` };
  return { toolCalls: [{ name: "lookup_customer", arguments: { customer_id: "c-1" } }] };
}

function app() {
  const lookupCustomer = defineTool({
    name: "lookup_customer",
    description: "Looks a customer up.",
    parameters: { type: "object", properties: { customer_id: { type: "string" } }, required: ["customer_id"] },
    execute: () => {
      throw new Error(
        `cannot connect to postgres://app:s3cret-db@db.internal:5432/app as app with password ${databasePassword}`,
      );
    },
  });
  const quotingURL = `http://127.0.0.1:${(quoting.address() as AddressInfo).port}/v1`;
  return defineApp({
    name: "leaky",
    auth: { apiKeys: { [clientKey]: "tenant-a" } },
    resources: {
      db: resource({
        init: () => ({}),
        health: () => {
          throw new Error("connect ECONNREFUSED postgres://app:pa55word@db.internal:5432/app");
        },
      }),
      // A secret read from a vault into the environment during init, after the first redaction.
      vault: resource({
        init: () => {
          process.env.VAULT_SERVICE_TOKEN = vaultToken;
          return {};
        },
        health: () => {
          throw new Error(`the vault refused ${vaultToken}: expired`);
        },
      }),
      cache: resource({
        init: () => ({}),
        required: false,
        warmup: () => {
          throw new Error(`NOAUTH for redis://:pa55word@cache.internal:6379 (password ${databasePassword})`);
        },
      }),
    },
    models: {
      default: () =>
        new OpenAIChatCompletionClient({ model: "mock", baseURL: mock.url, apiKey: "sk-provider-0123456789" }),
      quoting: {
        create: () => new OpenAIChatCompletionClient({ model: "mock", baseURL: quotingURL, apiKey: hexKey }),
        required: false,
      },
      unreachable: {
        create: () =>
          new OpenAIChatCompletionClient({
            model: "mock",
            baseURL: `http://user:pa55word@127.0.0.1:${closedPort}/v1`,
            maxRetries: 0,
          }),
        required: false,
      },
      labelled: {
        create: () =>
          new OpenAIChatCompletionClient({
            model: "mock",
            baseURL: `http://127.0.0.1:${closedPort}/v1`,
            provider: "internal-llm",
            maxRetries: 0,
          }),
        required: false,
      },
    },
    agents: {
      support: ({ models }) =>
        new AssistantAgent({
          name: "support",
          modelClient: models.default,
          tools: [lookupCustomer],
          reflectOnToolUse: true,
        }),
      quoter: ({ models }) => new AssistantAgent({ name: "quoter", modelClient: models.quoting }),
      offline: ({ models }) => new AssistantAgent({ name: "offline", modelClient: models.unreachable }),
      labelled: ({ models }) => new AssistantAgent({ name: "labelled", modelClient: models.labelled }),
    },
  });
}

async function call(path: string, init: RequestInit & { key?: string | null } = {}) {
  const headers = new Headers(init.headers);
  if (init.key !== null) headers.set("authorization", `Bearer ${init.key ?? clientKey}`);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  const response = await fetch(`${server.url}${path}`, { ...init, headers });
  const text = await response.text();
  return {
    status: response.status,
    text,
    body: (response.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : undefined,
  };
}

function assertClean(text: string, where: string): void {
  for (const secret of secrets) assert.ok(!text.includes(secret), `${where} shows ${secret}: ${text}`);
}

describe("what leaves the server holds no secret", () => {
  before(async () => {
    mock = await startMockOpenAIServer({ respond: supportModel });
    quoting = await startQuotingProvider();
    closedPort = await freePort();
    server = await serve(app(), {
      port: 0,
      store: new MemorySessionStore(),
      log: (entry) => logs.push(entry),
      runtime: { closeConnectionPools: false },
    });
  });
  after(async () => {
    await server.close();
    await mock.close();
    await new Promise((resolve) => quoting.close(resolve));
  });

  test("/readyz tells anyone the state and the checks' names, and only an authenticated caller what failed, redacted", async () => {
    assert.equal(server.runtime.state, "degraded", "optional models and a resource failed to warm");
    for (const key of [null, "not-a-key-of-this-app"]) {
      const anonymous = await call("/readyz", { key });
      assert.equal(anonymous.status, 200);
      assert.deepEqual(anonymous.body.checks, {
        "model:default": { ok: true },
        "resource:cache": { ok: false },
        "model:quoting": { ok: false },
        "model:unreachable": { ok: false },
        "model:labelled": { ok: false },
        "resource:db": { ok: false },
        "resource:vault": { ok: false },
      });
      assertClean(anonymous.text, "/readyz without a key");
    }
    const operator = await call("/readyz");
    assert.match(operator.body.checks["resource:db"].error, /postgres:\/\/\[redacted\]@db\.internal/);
    assert.equal(
      operator.body.checks["resource:vault"].error,
      "the vault refused [redacted]: expired",
      "a secret set in the environment during init is known",
    );
    assert.match(operator.body.checks["model:quoting"].error, /invalid subscription key \[redacted\]/);
    assert.match(
      operator.body.checks["model:unreachable"].error,
      /could not reach the model provider "openai-compatible": ECONNREFUSED/,
    );
    assertClean(operator.text, "/readyz with a key");
  });

  test("/v1/startup and the log carry the warm-up errors redacted, the URL without its user info in the log only", async () => {
    const startup = await call("/v1/startup");
    assert.equal(startup.status, 200);
    const quoted = startup.body.steps.find((step: { name: string }) => step.name === "model:quoting");
    assert.match(quoted.error.message, /\[redacted\]/);
    const cache = startup.body.steps.find((step: { name: string }) => step.name === "resource:cache");
    assert.equal(cache.error.message, "NOAUTH for redis://[redacted]@cache.internal:6379 (password [redacted])");
    assertClean(startup.text, "/v1/startup");
    assert.doesNotMatch(
      startup.text,
      new RegExp(`127\\.0\\.0\\.1:${closedPort}`),
      "the startup trace names no provider URL",
    );
    const warning = logs.find(
      (entry) => entry.step === "warmup:model:unreachable" || entry.step === "model:unreachable",
    );
    assert.equal(warning?.url, `http://127.0.0.1:${closedPort}/v1/models`);
    assertClean(JSON.stringify(logs), "the log");
  });

  test("a provider that cannot be reached is named by its label: no URL, host, port or credentials in the problem document, plain or streamed", async () => {
    const plain = await call("/v1/chat", { method: "POST", body: JSON.stringify({ message: "hi", agent: "offline" }) });
    assert.equal(plain.status, 502);
    assert.equal(plain.body.code, "HEARTH_MODEL_CONNECTION");
    assert.equal(plain.body.detail, 'hearth could not reach the model provider "openai-compatible": ECONNREFUSED.');
    const labelled = await call("/v1/chat", {
      method: "POST",
      body: JSON.stringify({ message: "hi", agent: "labelled" }),
    });
    assert.equal(labelled.body.detail, 'hearth could not reach the model provider "internal-llm": ECONNREFUSED.');
    const streamed = await call("/v1/chat", {
      method: "POST",
      body: JSON.stringify({ message: "hi", agent: "offline", stream: true }),
    });
    assert.match(streamed.text, /event: error\ndata: .*"HEARTH_MODEL_CONNECTION"/);
    for (const text of [plain.text, labelled.text, streamed.text]) {
      assert.doesNotMatch(text, new RegExp(`127\\.0\\.0\\.1|${closedPort}|pa55word|user:`));
    }
    const line = logs.find((entry) => entry.msg === "request" && entry.id === plain.body.instance);
    assert.equal(
      line?.url,
      `http://127.0.0.1:${closedPort}/v1/chat/completions`,
      "the log has the URL, without its user info",
    );
    assert.equal(line?.code, "HEARTH_MODEL_CONNECTION");
  });

  test("a provider's message that quotes the key it was sent reaches no client", async () => {
    const response = await call("/v1/chat", {
      method: "POST",
      body: JSON.stringify({ message: "hi", agent: "quoter" }),
    });
    assert.equal(response.status, 502);
    assert.equal(response.body.code, "HEARTH_MODEL_AUTH");
    assert.match(response.body.detail, /invalid subscription key \[redacted\]/);
    assertClean(response.text, "the problem document");
  });

  test("a tool error that quotes a password is redacted before the model sees it, in the reply, and in the stored session", async () => {
    const response = await call("/v1/chat", {
      method: "POST",
      body: JSON.stringify({ message: "Who is c-1?", agent: "support" }),
    });
    assert.equal(response.status, 200);
    assert.match(response.body.reply, /postgres:\/\/\[redacted\]@db\.internal.*password \[redacted\]/);
    assertClean(response.text, "the chat reply");
    const stored = await call(`/v1/sessions/${response.body.sessionId}`);
    assertClean(stored.text, "the stored session");
    const toModel = mock.requests.filter((request) =>
      request.body?.messages.some((message) => message.role === "tool"),
    );
    assert.ok(toModel.length > 0, "the model was sent the tool result");
    assertClean(JSON.stringify(toModel.map((request) => request.body)), "what the model was sent");
    assertClean(JSON.stringify(logs), "the log");
  });
});
