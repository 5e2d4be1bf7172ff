import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { HearthError } from "../core/errors.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { TenantCache, type TenantsOptions } from "./tenant-cache.ts";

const context = () => ({ assets: {}, resources: {}, models: {} });

function cache(overrides: Partial<TenantsOptions> = {}, log: string[] = []) {
  const keys = new Map<string, string>();
  const options: TenantsOptions = {
    resolve: (apiKey) => apiKey.replace("key-", ""),
    credentials: (tenantId) => ({ providerKey: keys.get(tenantId) ?? `sk-${tenantId}` }),
    build: async ({ tenantId, credentials }) => {
      log.push(`build ${tenantId} ${credentials.providerKey}`);
      await delay(10);
      return {
        agents: { helper: new AssistantAgent({ name: "helper", modelClient: new ScriptedModelClient() }) },
        close: () => void log.push(`close ${tenantId} ${credentials.providerKey}`),
      };
    },
    ...overrides,
  };
  return { tenants: new TenantCache(options, context), keys, log };
}

test("a burst of first requests for one tenant builds its stack once", async () => {
  const { tenants, log } = cache();
  const stacks = await Promise.all(Array.from({ length: 100 }, () => tenants.get("acme")));
  assert.deepEqual(log, ["build acme sk-acme"]);
  assert.ok(stacks.every((stack) => stack === stacks[0]));
  assert.deepEqual(tenants.stats(), { size: 1, hits: 0, misses: 100, builds: 1, evictions: 0 });
  await tenants.get("acme");
  assert.equal(tenants.stats().hits, 1);
  await tenants.close();
});

test("past maxEntries the least recently used stack is evicted and closed", async () => {
  const { tenants, log } = cache({ maxEntries: 2 });
  await tenants.get("a");
  await tenants.get("b");
  await tenants.get("a"); // a is now the most recently used
  await tenants.get("c");
  assert.deepEqual(
    log.filter((line) => line.startsWith("close")),
    ["close b sk-b"],
  );
  assert.equal(tenants.stats().size, 2);
  await tenants.close();
  assert.deepEqual(log.filter((line) => line.startsWith("close")).sort(), [
    "close a sk-a",
    "close b sk-b",
    "close c sk-c",
  ]);
  await assert.rejects(tenants.get("a"), (error) => HearthError.is(error, "HEARTH_RUNTIME_CLOSED"));
});

test("an idle stack is evicted after idleTtlMs", async () => {
  const { tenants, log } = cache({ idleTtlMs: 40 });
  await tenants.get("sleepy");
  await delay(120);
  assert.ok(log.includes("close sleepy sk-sleepy"));
  assert.equal(tenants.stats().size, 0);
  await tenants.close();
});

test("rotated credentials build a new stack and retire the old; invalidate drops a tenant", async () => {
  const { tenants, keys, log } = cache();
  const first = await tenants.get("acme");
  keys.set("acme", "sk-rotated");
  const second = await tenants.get("acme");
  assert.notEqual(first, second);
  assert.deepEqual(
    log,
    ["build acme sk-acme", "build acme sk-rotated", "close acme sk-acme"],
    "the old stack is retired once the new one is built",
  );
  await tenants.invalidate("acme");
  assert.equal(tenants.stats().size, 0);
  await tenants.get("acme");
  assert.equal(tenants.stats().builds, 3);
  await tenants.close();
});

test("bad tenant options are refused, naming the field", () => {
  for (const [options, field] of [
    [{ build: () => ({ agents: {} }) }, "tenants.resolve"],
    [{ resolve: () => "x" }, "tenants.build"],
    [{ resolve: () => "x", build: () => ({ agents: {} }), maxEntries: 0 }, "tenants.maxEntries"],
  ] as const) {
    assert.throws(
      () => new TenantCache(options as never, context),
      (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === field,
    );
  }
});

test("a tenant's credentials named like keys become secrets when its stack is built; its settings do not", async () => {
  const { processSecrets } = await import("../internal/redact.ts");
  const tenants = new TenantCache(
    {
      resolve: () => "acme",
      credentials: () => ({
        openaiKey: "acme-openai-key-123",
        dbPassword: "acme-db-pass-456",
        model: "gpt-4o-mini",
        baseURL: "https://llm.acme.example/v1",
      }),
      build: () => ({
        agents: { helper: new AssistantAgent({ name: "helper", modelClient: new ScriptedModelClient() }) },
      }),
    },
    context,
  );
  await tenants.get("acme");
  assert.equal(
    processSecrets.redact("key acme-openai-key-123, password acme-db-pass-456"),
    "key [redacted], password [redacted]",
  );
  assert.equal(
    processSecrets.redact("model gpt-4o-mini at https://llm.acme.example/v1"),
    "model gpt-4o-mini at https://llm.acme.example/v1",
  );
  await tenants.close();
});
