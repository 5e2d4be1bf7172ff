// /metrics holds every tenant's figures and /v1/startup the process's startup trace: with keys
// configured each takes one (/metrics unless the server says it is public); without keys they are
// open. Probes (/healthz, /readyz) are open either way.
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
      startup: await get("/v1/startup"),
      startupWithKey: await get("/v1/startup", "sk-metrics-key"),
      startupWrongKey: await get("/v1/startup", "sk-metrics-kez"),
      healthz: await get("/healthz"),
      readyz: await get("/readyz"),
    };
  } finally {
    await server.close();
  }
}

test("with keys, /metrics and /v1/startup take one; the probes stay open", async () => {
  assert.deepEqual(await statuses(true), {
    metrics: 401,
    metricsWithKey: 200,
    metricsWrongKey: 401,
    startup: 401,
    startupWithKey: 200,
    startupWrongKey: 401,
    healthz: 200,
    readyz: 200,
  });
});

test("publicMetrics: true opens /metrics to a scraper without a key, and only /metrics", async () => {
  const { metrics, startup } = await statuses(true, true);
  assert.deepEqual({ metrics, startup }, { metrics: 200, startup: 401 });
});

test("without keys, /metrics and /v1/startup are open", async () => {
  const { metrics, startup } = await statuses(false);
  assert.deepEqual({ metrics, startup }, { metrics: 200, startup: 200 });
});
