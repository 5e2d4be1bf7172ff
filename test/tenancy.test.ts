// Tenants over HTTP: each tenant's calls carry its own provider key, even under 1000 interleaved
// concurrent requests; a burst of first requests builds a tenant once; hot tenants prewarm.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AssistantAgent, defineApp, MemorySessionStore, OpenAIChatCompletionClient } from "hearth";
import { serve, type HearthServer } from "hearth/node";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
// Internal: the process-wide pools every client shares unless given its own.
import { sharedConnectionPools } from "../src/models/connection-pools.ts";

const tenantCount = 20;
const providerKey = (tenant: string) => `sk-${tenant}-provider-key`;
let mock: MockOpenAIServer;
let server: HearthServer;
const builds = new Map<string, number>();

before(async () => {
  const tenants = [...Array.from({ length: tenantCount }, (_, index) => `tenant-${index}`), "tenant-burst"];
  mock = await startMockOpenAIServer({ apiKeys: tenants.map(providerKey) });
  const app = defineApp({
    name: "multi",
    tenants: {
      resolve: (apiKey) => (apiKey.startsWith("client-") ? apiKey.slice("client-".length) : undefined),
      credentials: (tenantId) => ({ providerKey: providerKey(tenantId) }),
      build: async ({ tenantId, credentials }) => {
        builds.set(tenantId, (builds.get(tenantId) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 20)); // a build that takes a while invites a stampede
        const modelClient = new OpenAIChatCompletionClient({
          model: "mock",
          baseURL: mock.url,
          apiKey: credentials.providerKey ?? "",
        });
        return {
          agents: { helper: new AssistantAgent({ name: "helper", modelClient }) },
          models: { main: modelClient },
        };
      },
      prewarm: ["tenant-0", "tenant-1"],
    },
  });
  server = await serve(app, {
    port: 0,
    store: new MemorySessionStore(),
    log: () => {},
    runtime: { closeConnectionPools: false },
  });
});
after(async () => {
  await server.close();
  await mock.close();
});

const chat = (tenant: string, message: string) =>
  fetch(`${server.url}/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer client-${tenant}` },
    body: JSON.stringify({ message }),
  });

test("hot tenants are built and their keys proven before ready", () => {
  const warmed = server.runtime.startupTrace().steps.filter((step) => step.name.startsWith("tenant:"));
  assert.deepEqual(warmed.map((step) => [step.name, step.status]).sort(), [
    ["tenant:tenant-0", "ok"],
    ["tenant:tenant-1", "ok"],
  ]);
  assert.equal(builds.get("tenant-0"), 1);
  assert.ok(
    mock.requests.some(
      (request) =>
        request.path === "/v1/models" && request.headers.authorization === `Bearer ${providerKey("tenant-0")}`,
    ),
  );
});

test("1000 concurrent requests over 20 tenants: every model call carries its own tenant's key", async () => {
  mock.requests.length = 0;
  const responses = await Promise.all(
    Array.from({ length: 1000 }, async (_, index) => {
      const tenant = `tenant-${index % tenantCount}`;
      const response = await chat(tenant, `I am ${tenant}, request ${index}`);
      return { status: response.status, body: (await response.json()) as { reply: string } };
    }),
  );
  responses.forEach((response, index) => {
    assert.equal(response.status, 200);
    assert.equal(response.body.reply, `You said: I am tenant-${index % tenantCount}, request ${index}`);
  });
  const calls = mock.requests.filter((request) => request.path.endsWith("/chat/completions"));
  assert.equal(calls.length, 1000);
  for (const call of calls) {
    const tenant = /I am (tenant-\d+)/.exec(JSON.stringify(call.body?.messages))?.[1] as string;
    assert.equal(call.headers.authorization, `Bearer ${providerKey(tenant)}`, `a call of ${tenant}`);
  }
  for (let index = 0; index < tenantCount; index++)
    assert.equal(builds.get(`tenant-${index}`), 1, `tenant-${index} was built once`);
  assert.equal(sharedConnectionPools.size, 1, "all tenants' clients share the one pool of their provider's origin");
});

test("100 simultaneous first requests for one tenant build its stack once", async () => {
  const responses = await Promise.all(Array.from({ length: 100 }, () => chat("tenant-burst", "hello")));
  assert.ok(responses.every((response) => response.status === 200));
  assert.equal(builds.get("tenant-burst"), 1);
  const unknown = await fetch(`${server.url}/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer someone-else" },
    body: JSON.stringify({ message: "hi" }),
  });
  assert.equal(unknown.status, 401);
  const metrics = await (
    await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer client-tenant-burst" } })
  ).text();
  assert.match(metrics, /hearth_tenant_cache_events_total\{event="hit"\} \d+/);
  assert.match(metrics, /hearth_tenant_build_duration_seconds_count \d+/);
});
