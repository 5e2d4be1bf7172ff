// A route of the app's own in hearth's server: the seed's POST /chat -> { reply } served by
// `hearth serve`'s own server, beside hearth's routes, authenticated, logged and counted like them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent, defineApp, HearthError, type LogEntry, MemorySessionStore } from "hearth";
import { serve } from "hearth/node";
import { ScriptedModelClient } from "hearth/testing";

const key = "client-key-acme-0001";

test("routes: { 'POST /chat': handler } serves the seed's shape with hearth's sessions, auth, logs and errors", async () => {
  const lines: LogEntry[] = [];
  const model = new ScriptedModelClient({ replies: ["Hello!", "Again!"] });
  const app = defineApp({
    name: "own-routes",
    auth: { apiKeys: { [key]: "acme" } },
    models: { default: () => model },
    agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
  });
  const server = await serve(app, {
    port: 0,
    store: new MemorySessionStore(),
    log: (entry) => lines.push(entry),
    routes: {
      "POST /chat": async (_request, { runtime, store, tenant, readJson }) => {
        const body = (await readJson()) as { message?: string; session_id?: string };
        if (typeof body.message !== "string")
          throw new HearthError("HEARTH_INVALID_REQUEST", "`message` is required.", { field: "message" });
        const turn = await runtime.runTurn({
          runner: runtime.agent("helper"),
          store,
          tenant: await tenant(),
          task: body.message,
          ...(body.session_id === undefined ? {} : { sessionId: body.session_id, createSession: true }),
        });
        return {
          status: 200,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ reply: turn.reply, session_id: turn.sessionId }),
        };
      },
    },
  });
  const send = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${key}` }) =>
    fetch(`${server.url}/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  try {
    const first = await send({ message: "hi", session_id: "conv-1" });
    assert.equal(first.status, 200);
    assert.deepEqual(await first.json(), { reply: "Hello!", session_id: "conv-1" });
    assert.ok(first.headers.get("x-request-id"));
    const second = await send({ message: "again", session_id: "conv-1" });
    assert.deepEqual(await second.json(), { reply: "Again!", session_id: "conv-1" });
    // hearth's own route sees the same session, for the same tenant.
    const stored = await fetch(`${server.url}/v1/sessions/conv-1`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(((await stored.json()) as { messages: unknown[] }).messages.length, 4);

    const anonymous = await send({ message: "hi" }, {});
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { code: string }).code, "HEARTH_UNAUTHORIZED");
    const invalid = await send({});
    assert.equal(invalid.status, 400);
    assert.equal(((await invalid.json()) as { field: string }).field, "message");
    const wrongMethod = await fetch(`${server.url}/chat`);
    assert.equal(wrongMethod.status, 405);
    assert.equal((await fetch(`${server.url}/elsewhere`)).status, 404);

    const logged = lines.filter((line) => line.msg === "request" && line.route === "/chat");
    assert.deepEqual(
      logged.map((line) => line.status),
      [200, 200, 401, 400, 405],
    );
    assert.equal(logged[0]?.tenant, "acme");
    const metrics = await (
      await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${key}` } })
    ).text();
    assert.match(metrics, /route="\/chat",status="200"/);
  } finally {
    await server.close();
  }
});

test("a route must read METHOD /path, be a function, and not take one of hearth's paths", async () => {
  const app = defineApp({ name: "bad-routes", agents: {} });
  for (const [routes, message] of [
    [{ "/chat": () => undefined }, /must read "METHOD \/path"/],
    [{ "POST /v1/chat": () => undefined }, /takes a path of hearth's own/],
    [{ "GET /healthz": () => undefined }, /takes a path of hearth's own/],
    [{ "POST /chat": "no" }, /must be a function/],
  ] as const) {
    await assert.rejects(
      serve(app, { port: 0, store: new MemorySessionStore(), log: () => undefined, routes: routes as never }),
      message,
    );
  }
});
