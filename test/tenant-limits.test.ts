// Per-tenant limits over HTTP: a chat past a tenant's limit is a 429 that names the limit and says
// when it frees, on both chat routes; other tenants are not touched.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AssistantAgent, defineApp, OpenAIChatCompletionClient } from "hearth";
import { type HearthServer, serve } from "hearth/node";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";

let mock: MockOpenAIServer;
let server: HearthServer;
const keys = { acme: "sk-acme-limits", globex: "sk-globex-limits", initech: "sk-initech-limits" };

before(async () => {
  mock = await startMockOpenAIServer({ respond: () => ({ content: "hello there, this is a reply of some length" }) });
  const app = defineApp({
    name: "limited",
    auth: { apiKeys: { [keys.acme]: "acme", [keys.globex]: "globex", [keys.initech]: "initech" } },
    models: {
      default: () => new OpenAIChatCompletionClient({ model: "m", baseURL: mock.url, apiKey: "sk-mock" }),
    },
    agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
  });
  server = await serve(app, {
    port: 0,
    log: () => undefined,
    store: { kind: "memory" },
    tenantLimits: {
      requestsPerMinute: 2,
      tenants: { globex: { turnsInFlight: 1 }, initech: { tokensPerDay: 10 } },
    },
  });
});

after(async () => {
  await server?.close();
  await mock?.close();
});

const chat = (key: string, path = "/v1/chat") =>
  fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(
      path === "/v1/chat" ? { message: "hi" } : { model: "helper", messages: [{ role: "user", content: "hi" }] },
    ),
  });

test("requests per minute: the third chat in a minute is a 429 naming the limit, with Retry-After", async () => {
  assert.equal((await chat(keys.acme)).status, 200);
  assert.equal((await chat(keys.acme, "/v1/chat/completions")).status, 200);
  const refused = await chat(keys.acme);
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get("retry-after"), "30");
  const problem = (await refused.json()) as { code: string; limit: string; detail: string };
  assert.equal(problem.code, "HEARTH_TENANT_LIMITED");
  assert.equal(problem.limit, "requestsPerMinute");
  assert.match(problem.detail, /2 requests a minute/);
  // On the OpenAI route, in OpenAI's shape.
  const openai = await chat(keys.acme, "/v1/chat/completions");
  assert.equal(openai.status, 429);
  assert.equal(((await openai.json()) as { error: { code: string } }).error.code, "rate_limit_exceeded");
});

test("turns in flight: a second turn while one runs is refused; it is taken once the first ends", async () => {
  mock.enqueue({ fault: "delay", ms: 400 }, { content: "slow" });
  const before = mock.requests.length;
  const slow = chat(keys.globex);
  // In flight once the model has its request.
  while (mock.requests.length === before) await new Promise((resolve) => setTimeout(resolve, 5));
  const refused = await chat(keys.globex);
  assert.equal(refused.status, 429);
  assert.equal(((await refused.json()) as { limit: string }).limit, "turnsInFlight");
  assert.equal((await slow).status, 200);
  assert.equal((await chat(keys.globex)).status, 200);
});

test("tokens per day: once a day's tokens are used, chats are refused until midnight UTC", async () => {
  assert.equal((await chat(keys.initech)).status, 200);
  const refused = await chat(keys.initech);
  assert.equal(refused.status, 429);
  const untilMidnight = Math.ceil((86_400_000 - (Date.now() % 86_400_000)) / 1000);
  assert.ok(Math.abs(Number(refused.headers.get("retry-after")) - untilMidnight) <= 5);
  assert.equal(((await refused.json()) as { limit: string }).limit, "tokensPerDay");
});
