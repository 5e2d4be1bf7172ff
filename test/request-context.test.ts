// The seed's support app, ported: a policy file and a customer database opened once, per-tenant
// keys, and a lookup tool that needs to know which customer is asking. The customer id travels as
// the request's context, from the POST /v1/chat body to the tool and the system message, and is
// not stored with the session.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import {
  AgentTool,
  type AuthOptions,
  AssistantAgent,
  asset,
  defineApp,
  defineTool,
  HearthError,
  type LogEntry,
  MaxMessageTermination,
  MemorySessionStore,
  OpenAIChatCompletionClient,
  type RequestContext,
  type RequestContextOptions,
  RoundRobinGroupChat,
  resource,
} from "hearth";
import { serve } from "hearth/node";
import { type MockChatRequest, ScriptedModelClient, startMockOpenAIServer } from "hearth/testing";

const key = "client-key-acme-0001";

function lastToolContent(request: MockChatRequest): string | undefined {
  const last = request.messages.at(-1);
  return last?.role === "tool" && typeof last.content === "string" ? last.content : undefined;
}

async function startSeedApp() {
  const dir = mkdtempSync(join(tmpdir(), "hearth-seed-"));
  writeFileSync(join(dir, "policy.md"), "Answer in one sentence. Never reveal another customer's data.");
  const file = join(dir, "customers.db");
  const setup = new DatabaseSync(file);
  setup.exec("CREATE TABLE customers (id TEXT PRIMARY KEY, name TEXT, plan TEXT)");
  setup.exec("INSERT INTO customers VALUES ('c-42', 'Alice', 'pro'), ('c-7', 'Bob', 'free')");
  setup.close();

  const mock = await startMockOpenAIServer({
    respond: (request) => {
      const found = lastToolContent(request);
      if (found === undefined) return { toolCalls: [{ name: "lookup_customer", arguments: {} }] };
      const customer = JSON.parse(found) as { name?: string; plan?: string; error?: string };
      return {
        content:
          customer.name === undefined ? "I could not find you." : `${customer.name}, you are on ${customer.plan}.`,
      };
    },
  });
  const opened: string[] = [];
  const app = defineApp({
    name: "seed",
    auth: { apiKeys: { [key]: "acme" } },
    context: {
      schema: {
        type: "object",
        properties: { customerId: { type: "string", pattern: "^c-[0-9]+$" } },
        required: ["customerId"],
        additionalProperties: false,
      },
    },
    assets: { policy: asset.text(join(dir, "policy.md")) },
    resources: {
      customers: resource({
        init: () => {
          opened.push(file);
          return new DatabaseSync(file, { readOnly: true });
        },
        close: (db) => db.close(),
      }),
    },
    models: {
      default: () => new OpenAIChatCompletionClient({ model: "gpt-4o-mini", baseURL: mock.url, apiKey: "sk-test" }),
    },
    agents: {
      support: ({ assets, resources, models }) => {
        const lookup = resources.customers.prepare("SELECT name, plan FROM customers WHERE id = ?");
        const lookupCustomer = defineTool({
          name: "lookup_customer",
          description: "The logged-in customer's name and plan.",
          parameters: { type: "object", properties: {} },
          execute: (_args, { context }) => lookup.get(String(context.customerId)) ?? { error: "no such customer" },
        });
        return new AssistantAgent({
          name: "support",
          modelClient: models.default,
          tools: [lookupCustomer],
          reflectOnToolUse: true,
          systemMessage: (run) => `${assets.policy}\nThe customer's id is ${String(run.context?.customerId)}.`,
        });
      },
    },
  });
  const server = await serve(app, {
    port: 0,
    store: new MemorySessionStore(),
    log: () => undefined,
    runtime: { closeConnectionPools: false },
  });
  return {
    server,
    mock,
    opened,
    chat: (body: unknown) =>
      fetch(`${server.url}/v1/chat`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      }),
    close: async () => {
      await server.close();
      await mock.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test("the seed's app: the customer id sent as context reaches the tool and the system message, and is not stored", async () => {
  const seed = await startSeedApp();
  try {
    assert.equal(seed.opened.length, 1, "the database is opened once, at startup");
    const alice = await seed.chat({ message: "Which plan am I on?", context: { customerId: "c-42" } });
    assert.equal(alice.status, 200);
    const answer = (await alice.json()) as { reply: string; sessionId: string };
    assert.equal(answer.reply, "Alice, you are on pro.");

    const bob = await seed.chat({ message: "Which plan am I on?", context: { customerId: "c-7" } });
    assert.equal(((await bob.json()) as { reply: string }).reply, "Bob, you are on free.");
    assert.equal(seed.opened.length, 1);

    // The system message was made for each request from its own context.
    const systems = seed.mock.requests
      .map((request) => request.body?.messages[0])
      .filter((message) => message?.role === "system")
      .map((message) => String(message?.content));
    assert.ok(systems.some((text) => text.endsWith("The customer's id is c-42.")));
    assert.ok(systems.some((text) => text.endsWith("The customer's id is c-7.")));
    assert.ok(systems.every((text) => text.startsWith("Answer in one sentence.")));

    // The context is the request's, not the session's: the next turn must send it again.
    const stored = await fetch(`${seed.server.url}/v1/sessions/${answer.sessionId}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(stored.status, 200);
    assert.doesNotMatch(await stored.text(), /c-42/);
  } finally {
    await seed.close();
  }
});

test("the app's context schema checks the field: missing, unknown or malformed fields are a 400 naming `context`", async () => {
  const seed = await startSeedApp();
  try {
    const before = seed.mock.requests.length;
    for (const body of [
      { message: "hi" },
      { message: "hi", context: { customerId: "c-42", admin: true } },
      { message: "hi", context: { customerId: "42" } },
      { message: "hi", context: ["c-42"] },
      { message: "hi", context: "c-42" },
    ]) {
      const response = await seed.chat(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      const problem = (await response.json()) as { code: string; field: string; detail: string };
      assert.equal(problem.code, "HEARTH_INVALID_REQUEST");
      assert.equal(problem.field, "context");
    }
    assert.equal(seed.mock.requests.length, before, "no model call was made for a refused context");
  } finally {
    await seed.close();
  }
});

/**
 * Serves an app whose one agent calls `probe`, a tool that records the context it is given, on
 * every turn it is sent.
 */
async function serveProbe(options: { readonly auth?: AuthOptions; readonly context?: RequestContextOptions }) {
  const seen: RequestContext[] = [];
  const model = new ScriptedModelClient();
  const probe = defineTool({
    name: "probe",
    description: "Records the context.",
    parameters: { type: "object" },
    execute: (_args, { context }) => {
      seen.push(context);
      return "ok";
    },
  });
  const app = defineApp({
    name: "probe",
    ...options,
    models: { default: () => model },
    agents: {
      helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default, tools: [probe] }),
    },
  });
  const server = await serve(app, { port: 0, store: new MemorySessionStore(), log: () => undefined });
  const send = (body: unknown, headers: Record<string, string> = {}) => {
    model.enqueue({ toolCalls: [{ name: "probe", arguments: {} }] });
    return fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  };
  return { seen, send, fetch: (path: string) => fetch(`${server.url}${path}`), close: () => server.close() };
}

test("context.resolve makes the run's context from the checked field, the tenant and the headers", async () => {
  const probe = await serveProbe({
    auth: { apiKeys: { [key]: "acme" } },
    context: {
      resolve: ({ context, tenant, headers }) => {
        const user = headers["x-user"];
        if (user === undefined) throw new HearthError("HEARTH_UNAUTHORIZED", "Send x-user.");
        // What the server verified wins over what the body says.
        return { ...context, tenant, user };
      },
    },
  });
  try {
    const body = { message: "who?", context: { locale: "fr", user: "forged" } };
    assert.equal((await probe.send(body, { authorization: `Bearer ${key}`, "x-user": "u-1" })).status, 200);
    assert.deepEqual(probe.seen, [{ locale: "fr", user: "u-1", tenant: "acme" }]);
    const refused = await probe.send(body, { authorization: `Bearer ${key}` });
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { code: string }).code, "HEARTH_UNAUTHORIZED");
  } finally {
    await probe.close();
  }
});

test("without a context option, the field is any JSON object; a tool without one gets {}", async () => {
  const probe = await serveProbe({});
  try {
    assert.equal((await probe.send({ message: "a", context: { anything: [1, 2] } })).status, 200);
    assert.equal((await probe.send({ message: "b" })).status, 200);
    assert.deepEqual(probe.seen, [{ anything: [1, 2] }, {}]);
    assert.equal((await probe.send({ message: "c", context: null })).status, 400);
  } finally {
    await probe.close();
  }
});

test("a team's members, and an agent used as a tool, see the run's context", async () => {
  const seen: { by: string; context: RequestContext }[] = [];
  const probe = (by: string) =>
    defineTool({
      name: `probe_${by}`,
      description: "Records the context.",
      parameters: { type: "object" },
      execute: (_args, { context }) => {
        seen.push({ by, context });
        return "ok";
      },
    });
  const innerModel = new ScriptedModelClient({ replies: [{ toolCalls: [{ name: "probe_inner", arguments: {} }] }] });
  const inner = new AssistantAgent({ name: "inner", modelClient: innerModel, tools: [probe("inner")] });
  const first = new AssistantAgent({
    name: "first",
    modelClient: new ScriptedModelClient({ replies: [{ toolCalls: [{ name: "probe_first", arguments: {} }] }] }),
    tools: [probe("first")],
  });
  const second = new AssistantAgent({
    name: "second",
    modelClient: new ScriptedModelClient({ replies: [{ toolCalls: [{ name: "inner", arguments: { task: "go" } }] }] }),
    tools: [new AgentTool(inner)],
  });
  const team = new RoundRobinGroupChat({ participants: [first, second], termination: new MaxMessageTermination(3) });
  await team.run({ task: "start", context: { locale: "fr" } });
  assert.deepEqual(
    seen.map((entry) => entry.by),
    ["first", "inner"],
  );
  for (const entry of seen) assert.deepEqual(entry.context, { locale: "fr" });
  await assert.rejects(team.run({ task: "again", context: "fr" as never }), { code: "HEARTH_CONFIG_INVALID" });
});

test("a system message function is called with the run, must return a string, and sees no context in warm-up", async () => {
  const model = new ScriptedModelClient({ replies: ["one", "two"] });
  const calls: (RequestContext | undefined)[] = [];
  const agent = new AssistantAgent({
    name: "helper",
    modelClient: model,
    systemMessage: (run) => {
      calls.push(run.context);
      return `Greet ${String(run.context?.name ?? "the user")}.`;
    },
  });
  await agent.run({ task: "hi", context: { name: "Ada" } });
  await agent.run({ task: "hi" });
  assert.deepEqual(calls, [{ name: "Ada" }, undefined]);
  const systemOf = (index: number) => {
    const first = model.requests[index]?.messages[0];
    return first?.role === "system" ? first.content : undefined;
  };
  assert.equal(systemOf(0), "Greet Ada.");
  assert.equal(systemOf(1), "Greet the user.");
  const broken = new AssistantAgent({
    name: "broken",
    modelClient: new ScriptedModelClient({ replies: ["x"] }),
    systemMessage: (() => 42) as never,
  });
  await assert.rejects(broken.run({ task: "hi" }), /a systemMessage function must return a string/);
  assert.throws(
    () => new AssistantAgent({ name: "bad", modelClient: model, systemMessage: 42 as never }),
    /systemMessage must be a string, null or a function/,
  );
});

test("a tool call that fails is logged at warn with the tool, its code and the request id; the request still answers", async () => {
  const lines: LogEntry[] = [];
  const model = new ScriptedModelClient();
  const fails = defineTool({
    name: "charge_card",
    description: "Fails.",
    parameters: { type: "object", properties: { card: { type: "string" } } },
    execute: () => {
      throw new Error("gateway refused postgres://app:hunter2@db/payments");
    },
  });
  const app = defineApp({
    name: "failing",
    models: { default: () => model },
    agents: {
      helper: ({ models }) =>
        new AssistantAgent({ name: "helper", modelClient: models.default, tools: [fails], reflectOnToolUse: true }),
    },
  });
  const server = await serve(app, { port: 0, store: new MemorySessionStore(), log: (entry) => lines.push(entry) });
  try {
    model.enqueue({ toolCalls: [{ name: "charge_card", arguments: { card: "4111 1111 1111 1111" } }] }, "sorry");
    const response = await fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "pay" }),
    });
    assert.equal(response.status, 200);
    const failed = lines.filter((line) => line.msg === "a tool call failed");
    assert.equal(failed.length, 1, "one line for the failed call; none from the synthetic warm-up");
    const line = failed[0] as LogEntry;
    assert.equal(line.level, "warn");
    assert.equal(line.tool, "charge_card");
    assert.equal(line.code, "HEARTH_TOOL_FAILED");
    assert.equal(line.id, response.headers.get("x-request-id"));
    assert.match(String(line.error), /gateway refused/);
    const text = JSON.stringify(line);
    assert.doesNotMatch(text, /hunter2/, "the error is redacted");
    assert.doesNotMatch(text, /4111/, "the arguments are not logged");
  } finally {
    await server.close();
  }
});

test("an app's context option is checked when the app is defined", () => {
  const base = { name: "bad", agents: {} };
  assert.throws(() => defineApp({ ...base, context: 5 as never }), { field: "context" });
  assert.throws(() => defineApp({ ...base, context: { resolve: "no" as never } }), { field: "context.resolve" });
  assert.throws(() => defineApp({ ...base, context: { schema: 5 as never } }), { field: "context.schema" });
});

test("a zod schema checks the context as the app declared it: its output is the run's context", async () => {
  const { z } = await import("zod");
  const probe = await serveProbe({
    context: { schema: z.object({ customerId: z.string().min(1), locale: z.string().default("en") }).strict() },
  });
  try {
    assert.equal((await probe.send({ message: "hi", context: { customerId: "c-1" } })).status, 200);
    assert.deepEqual(probe.seen, [{ customerId: "c-1", locale: "en" }], "the schema's defaults are applied");
    const refused = await probe.send({ message: "hi", context: { customerId: "c-1", role: "admin" } });
    assert.equal(refused.status, 400);
    assert.match(((await refused.json()) as { detail: string }).detail, /context/);
  } finally {
    await probe.close();
  }
});

test("with context.keep, a session keeps the context it was sent and a turn that sends none runs with it", async () => {
  const probe = await serveProbe({
    context: {
      keep: true,
      schema: {
        type: "object",
        properties: { customerId: { type: "string" } },
        required: ["customerId"],
        additionalProperties: false,
      },
      resolve: ({ context, headers }) => ({ ...context, locale: headers["x-locale"] ?? "en" }),
    },
  });
  try {
    const first = await probe.send({ message: "hi", context: { customerId: "c-42" } });
    assert.equal(first.status, 200);
    const { sessionId } = (await first.json()) as { sessionId: string };
    const again = await probe.send({ message: "again", sessionId }, { "x-locale": "fr" });
    assert.equal(again.status, 200);
    assert.deepEqual(probe.seen, [
      { customerId: "c-42", locale: "en" },
      { customerId: "c-42", locale: "fr" },
    ]);
    // A new context replaces the kept one; resolve still runs on every turn.
    assert.equal((await probe.send({ message: "now", sessionId, context: { customerId: "c-7" } })).status, 200);
    assert.equal((await probe.send({ message: "then", sessionId })).status, 200);
    assert.deepEqual(probe.seen.slice(2), [
      { customerId: "c-7", locale: "en" },
      { customerId: "c-7", locale: "en" },
    ]);
    // A new session keeps nothing yet: without the field it is checked as {} and refused.
    const fresh = await probe.send({ message: "hi" });
    assert.equal(fresh.status, 400);
    assert.equal(((await fresh.json()) as { field: string }).field, "context");
    const stored = (await (await probe.fetch(`/v1/sessions/${sessionId}`)).json()) as {
      requestContext?: unknown;
    };
    assert.deepEqual(stored.requestContext, { customerId: "c-7" }, "kept as checked, before resolve");
  } finally {
    await probe.close();
  }
});
