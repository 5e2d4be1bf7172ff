// CORS for browser clients: off by default; when on, an allowed origin gets the headers a browser
// needs (its preflight answered), any other gets none, and a wrong option is refused at once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent, defineApp } from "hearth";
import { serve } from "hearth/node";
import { ScriptedModelClient } from "hearth/testing";

const app = defineApp({
  name: "cors",
  models: { default: () => new ScriptedModelClient({ replies: Array.from({ length: 20 }, () => "hi") }) },
  agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
});
const allowed = "https://app.example.com";

async function withServer(options: Parameters<typeof serve>[1], body: (url: string) => Promise<void>) {
  const server = await serve(app, { port: 0, log: () => undefined, store: { kind: "memory" }, ...options });
  try {
    await body(server.url);
  } finally {
    await server.close();
  }
}

const chat = (url: string, origin: string) =>
  fetch(`${url}/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify({ message: "hello" }),
  });
const preflight = (url: string, origin: string) =>
  fetch(`${url}/v1/chat`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });

test("off by default: no CORS headers, whatever the origin", async () => {
  await withServer({}, async (url) => {
    const response = await chat(url, allowed);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("access-control-allow-origin"), null);
  });
});

test("with an allow-list: an allowed origin gets the headers and its preflight is answered; another gets none", async () => {
  await withServer({ cors: { origins: [allowed] } }, async (url) => {
    const response = await chat(url, allowed);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("access-control-allow-origin"), allowed);
    assert.match(response.headers.get("access-control-expose-headers") ?? "", /x-request-id/);
    assert.equal(response.headers.get("vary"), "origin");
    const answered = await preflight(url, allowed);
    assert.equal(answered.status, 204);
    assert.equal(answered.headers.get("access-control-allow-origin"), allowed);
    assert.match(answered.headers.get("access-control-allow-methods") ?? "", /POST/);
    assert.match(answered.headers.get("access-control-allow-headers") ?? "", /authorization/);
    assert.equal(answered.headers.get("access-control-max-age"), "600");

    const stranger = await chat(url, "https://evil.example.com");
    assert.equal(stranger.headers.get("access-control-allow-origin"), null);
    const refused = await preflight(url, "https://evil.example.com");
    assert.equal(refused.headers.get("access-control-allow-origin"), null);
  });
});

test('"*" allows any origin, with no credentials implied', async () => {
  await withServer({ cors: { origins: "*" } }, async (url) => {
    const response = await chat(url, "https://anywhere.example.org");
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
  });
});

test("a wrong cors option is refused before the server starts", async () => {
  for (const origins of [[], ["https://app.example.com/path"], ["not a url"]])
    await assert.rejects(serve(app, { port: 0, log: () => undefined, store: { kind: "memory" }, cors: { origins } }), {
      field: "cors.origins",
    });
});
