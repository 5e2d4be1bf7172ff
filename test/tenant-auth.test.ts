// Who a request is: only a key the app knows, looked up as its own property, gives a tenant; and a
// tenant's request runs on the tenant's own stack, never on the operator's key unless the app shares it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AssistantAgent, defineApp, HearthError, MemorySessionStore, OpenAIChatCompletionClient } from "hearth";
import { serve, type HearthServer } from "hearth/node";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";

const prototypeNames = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"];
const operatorKey = "sk-operator-0123456789";
const tenantProviderKey = (tenant: string) => `sk-${tenant}-provider-key`;
let mock: MockOpenAIServer;
const servers: HearthServer[] = [];
const logs: Record<string, unknown>[] = [];

before(async () => {
  mock = await startMockOpenAIServer({
    apiKeys: [operatorKey, tenantProviderKey("tenant-a"), tenantProviderKey("tenant-b")],
  });
});
after(async () => {
  for (const server of servers) await server.close();
  await mock.close();
});

async function start(app: Parameters<typeof serve>[0]): Promise<HearthServer> {
  const name = "kind" in app ? app.name : app.app.name;
  const server = await serve(app, {
    port: 0,
    store: new MemorySessionStore(),
    log: (entry) => logs.push({ app: name, ...entry }),
    runtime: { closeConnectionPools: false },
  });
  servers.push(server);
  return server;
}

const chat = (server: HearthServer, key: string, body: Record<string, unknown>) =>
  fetch(`${server.url}/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });

const operatorModel = () => new OpenAIChatCompletionClient({ model: "mock", baseURL: mock.url, apiKey: operatorKey });

/** A tenant stack whose one agent calls the provider with the tenant's own key. */
const tenantStack = ({ tenantId }: { tenantId: string }) => {
  const modelClient = new OpenAIChatCompletionClient({
    model: "mock",
    baseURL: mock.url,
    apiKey: tenantProviderKey(tenantId),
  });
  return { agents: { helper: new AssistantAgent({ name: "helper", modelClient }) }, models: { main: modelClient } };
};

// The shape the docs once showed: a plain object looked up by key. "constructor" finds a function there.
const plainKeys: Record<string, string> = {
  "tenant-a-key-0001": "tenant-a",
  "tenant-b-key-0002": "tenant-b",
  "empty-tenant-key": "",
};

describe("a key is a tenant only when the app knows it", () => {
  test("prototype names, an empty tenant and anything but a string are 401 with tenants.resolve, streamed or not, and no model is called", async () => {
    const server = await start(
      defineApp({ name: "plain_lookup", tenants: { resolve: (key) => plainKeys[key], build: tenantStack } }),
    );
    const before = mock.requests.length;
    for (const key of [...prototypeNames, "empty-tenant-key", "unknown-key-0003"]) {
      for (const stream of [false, true]) {
        const response = await chat(server, key, { message: "hi", stream });
        assert.equal(response.status, 401, `Bearer ${key}${stream ? " (stream)" : ""}`);
        assert.equal(((await response.json()) as { code: string }).code, "HEARTH_UNAUTHORIZED");
      }
    }
    for (const authorization of [
      undefined,
      "",
      "Basic dGVuYW50LWEta2V5LTAwMDE6",
      "Bearer",
      "Bearer tenant-a-key-0001 extra",
    ]) {
      const response = await fetch(`${server.url}/v1/chat`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(authorization === undefined ? {} : { authorization }) },
        body: JSON.stringify({ message: "hi" }),
      });
      assert.equal(response.status, 401, `Authorization: ${String(authorization)}`);
    }
    assert.equal(mock.requests.length, before, "no model call was made for a refused key");
    const ok = await chat(server, "tenant-a-key-0001", { message: "hi" });
    assert.equal(ok.status, 200);
  });

  test("auth.apiKeys and auth.resolve refuse prototype names and empty tenants too", async () => {
    const byKeys = await start(
      defineApp({
        name: "by_keys",
        auth: { apiKeys: { "client-key-0001": "tenant-a" } },
        models: { default: operatorModel },
        agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
      }),
    );
    const byResolve = await start(
      defineApp({
        name: "by_resolve",
        auth: { resolve: (key) => plainKeys[key] },
        models: { default: operatorModel },
        agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
      }),
    );
    for (const server of [byKeys, byResolve]) {
      for (const key of [...prototypeNames, "empty-tenant-key"])
        assert.equal(
          (await chat(server, key, { message: "hi" })).status,
          401,
          `${server.runtime.app.name}: Bearer ${key}`,
        );
      for (const path of ["/v1/startup", "/v1/sessions/abc"])
        assert.equal(
          (await fetch(`${server.url}${path}`, { headers: { authorization: "Bearer constructor" } })).status,
          401,
          `${path} with Bearer constructor`,
        );
    }
    assert.equal((await chat(byKeys, "client-key-0001", { message: "hi" })).status, 200);
    // A key only inherited (from a prototype, a class, a shared defaults object) is not a key of the app.
    const inherited = Object.assign(Object.create({ "inherited-key-0001": "tenant-x" }) as Record<string, string>, {
      "own-key-0001": "tenant-a",
    });
    const byInherited = await start(
      defineApp({
        name: "by_inherited",
        auth: { apiKeys: inherited },
        models: { default: operatorModel },
        agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
      }),
    );
    assert.equal((await chat(byInherited, "inherited-key-0001", { message: "hi" })).status, 401);
    assert.equal((await chat(byInherited, "own-key-0001", { message: "hi" })).status, 200);
    assert.equal((await chat(byResolve, "tenant-b-key-0002", { message: "hi" })).status, 200);
  });
});

describe("with tenants, a request runs on its tenant's stack", () => {
  let server: HearthServer;
  before(async () => {
    server = await start(
      defineApp({
        name: "tenanted",
        tenants: {
          resolve: (key) =>
            new Map([
              ["tenant-a-key-0001", "tenant-a"],
              ["tenant-b-key-0002", "tenant-b"],
            ]).get(key),
          build: tenantStack,
          shared: ["faq"],
        },
        models: { default: operatorModel },
        agents: {
          // Listed first: before the fix, a request naming no agent got this one, on the operator's key.
          operator_agent: ({ models }) => new AssistantAgent({ name: "operator_agent", modelClient: models.default }),
          faq: ({ models }) => new AssistantAgent({ name: "faq", modelClient: models.default }),
        },
      }),
    );
  });

  const keysSeen = (from: number) =>
    mock.requests
      .slice(from)
      .filter((request) => request.path === "/v1/chat/completions")
      .map((request) => request.headers.authorization);

  test("a request naming no agent is served by the tenant's own first agent, with the tenant's key", async () => {
    const from = mock.requests.length;
    const response = await chat(server, "tenant-a-key-0001", { message: "hello" });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { messages: { source: string }[] }).messages.at(-1)?.source, "helper");
    assert.deepEqual(keysSeen(from), [`Bearer ${tenantProviderKey("tenant-a")}`]);
  });

  test("an app-level agent the app did not share is not there for a tenant; one it shares is, on the app's model", async () => {
    const hidden = await chat(server, "tenant-a-key-0001", { message: "hello", agent: "operator_agent" });
    assert.equal(hidden.status, 404);
    const problem = (await hidden.json()) as { code: string; detail: string };
    assert.equal(problem.code, "HEARTH_AGENT_UNKNOWN");
    assert.match(problem.detail, /there is: helper, faq/);
    const from = mock.requests.length;
    const shared = await chat(server, "tenant-b-key-0002", { message: "hello", agent: "faq" });
    assert.equal(shared.status, 200);
    assert.deepEqual(keysSeen(from), [`Bearer ${operatorKey}`]);
  });

  test("an app with tenants gets no warning that it configures no API keys; an open app does", async () => {
    await start(
      defineApp({
        name: "open_app",
        models: { default: operatorModel },
        agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
      }),
    );
    const warned = (name: string) =>
      logs.some((entry) => entry.app === name && String(entry.msg).includes("configures no API keys"));
    assert.equal(warned("tenanted"), false);
    assert.equal(warned("plain_lookup"), false);
    assert.equal(warned("open_app"), true);
  });

  test("tenants.shared must name agents or teams of the app", () => {
    assert.throws(
      () =>
        defineApp({
          name: "bad",
          tenants: { resolve: () => undefined, build: tenantStack, shared: ["ghost"] },
          agents: {},
        }),
      (error) =>
        HearthError.is(error, "HEARTH_CONFIG_INVALID") &&
        error.field === "tenants.shared" &&
        /"ghost"/.test(error.message),
    );
  });
});
