// hearth inside the servers people already run: Express, Fastify and Hono each serve hearth's routes
// under /agents and the seed's own POST /chat -> { reply } beside them, with sessions loaded and
// stored by hearth (examples/own-routes).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { MemorySessionStore } from "hearth";
import { type MockOpenAIServer, startMockOpenAIServer } from "hearth/testing";
import { startExpress } from "../examples/own-routes/express.ts";
import { startFastify } from "../examples/own-routes/fastify.ts";
import { startHono } from "../examples/own-routes/hono.ts";
import { supportApp } from "../examples/support/app.ts";
import { supportModel } from "../examples/support/support-model.ts";

let mock: MockOpenAIServer;
before(async () => {
  mock = await startMockOpenAIServer({ respond: supportModel });
  // The support app's model client reads these when the runtime builds it.
  process.env.OPENAI_BASE_URL = mock.url;
  process.env.OPENAI_API_KEY = "sk-mounting-test";
});
after(() => mock.close());

const hosts = {
  Express: () => startExpress(supportApp, { store: new MemorySessionStore(), log: () => undefined }),
  Fastify: () => startFastify(supportApp, { store: new MemorySessionStore(), log: () => undefined }),
  Hono: () => startHono(supportApp, { store: new MemorySessionStore(), log: () => undefined }),
};

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

for (const [name, start] of Object.entries(hosts)) {
  test(`${name}: the seed's POST /chat -> { reply } and hearth's routes under /agents, one session store`, async () => {
    const host = await start();
    try {
      const first = await post(`${host.url}/chat`, { message: "Where is order A123?" });
      assert.equal(first.status, 200);
      const answer = (await first.json()) as { reply: string; session_id: string };
      assert.match(answer.reply, /A123 has shipped/);
      assert.deepEqual(Object.keys(answer).sort(), ["reply", "session_id"], "the seed's shape, nothing else");

      const next = await post(`${host.url}/chat`, { message: "And B201?", session_id: answer.session_id });
      assert.equal(((await next.json()) as { session_id: string }).session_id, answer.session_id);
      // The client's own conversation id maps directly.
      const own = await post(`${host.url}/chat`, { message: "Where is order A123?", session_id: "ticket-42" });
      assert.equal(((await own.json()) as { session_id: string }).session_id, "ticket-42");
      assert.equal((await post(`${host.url}/chat`, { message: "" })).status, 400);

      // hearth's own API, mounted: the same sessions, stored by the same store.
      const stored = await fetch(`${host.url}/agents/v1/sessions/${answer.session_id}`);
      assert.equal(stored.status, 200);
      const session = (await stored.json()) as { messages: { type: string }[] };
      assert.equal(session.messages.filter((message) => message.type === "text").length, 4);
      const chat = await post(`${host.url}/agents/v1/chat`, { message: "Where is order A123?" });
      assert.equal(chat.status, 200);
      assert.match(((await chat.json()) as { reply: string }).reply, /A123 has shipped/);
      assert.equal((await fetch(`${host.url}/agents/readyz`)).status, 200);
      assert.equal((await fetch(`${host.url}/v1/chat`, { method: "POST" })).status, 404, "not outside /agents");
    } finally {
      await host.close();
    }
  });
}
