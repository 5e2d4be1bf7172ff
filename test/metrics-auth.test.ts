// /metrics holds every tenant's figures: with keys configured it takes one, unless the server says
// it is public; without keys it is open. Probes (/healthz, /readyz) are open either way.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent, defineApp } from "hearth";
import { serve } from "hearth/node";
import { ScriptedModelClient } from "hearth/testing";

const app = (keys: boolean) =>
  defineApp({
    name: "metrics",
    ...(keys ? { auth: { apiKeys: { "sk-metrics-key": "acme" } } } : {}),
    models: { default: () => new ScriptedModelClient({ replies: ["hi"] }) },
    agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
  });

async function statuses(keys: boolean, publicMetrics?: boolean) {
  const server = await serve(app(keys), {
    port: 0,
    log: () => undefined,
    store: { kind: "memory" },
    ...(publicMetrics === undefined ? {} : { publicMetrics }),
  });
  try {
    const get = async (path: string, key?: string) =>
      (await fetch(`${server.url}${path}`, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } }))
        .status;
    return {
      metrics: await get("/metrics"),
      metricsWithKey: await get("/metrics", "sk-metrics-key"),
      metricsWrongKey: await get("/metrics", "sk-not-a-key"),
      healthz: await get("/healthz"),
      readyz: await get("/readyz"),
    };
  } finally {
    await server.close();
  }
}

test("with keys, /metrics takes one; the probes stay open", async () => {
  assert.deepEqual(await statuses(true), {
    metrics: 401,
    metricsWithKey: 200,
    metricsWrongKey: 401,
    healthz: 200,
    readyz: 200,
  });
});

test("publicMetrics: true opens /metrics to a scraper without a key", async () => {
  assert.equal((await statuses(true, true)).metrics, 200);
});

test("without keys, /metrics is open", async () => {
  assert.equal((await statuses(false)).metrics, 200);
});
