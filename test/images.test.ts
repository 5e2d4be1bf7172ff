// Images in a task over HTTP: content parts on /v1/chat and /v1/chat/completions reach the model in
// each provider's wire format, are stored in the session as given, and bad input is a 400 naming the field.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { AnthropicChatCompletionClient, AssistantAgent, defineApp, OpenAIChatCompletionClient } from "hearth";
import { serve, type HearthServer } from "hearth/node";
import {
  startMockAnthropicServer,
  startMockOpenAIServer,
  type MockAnthropicServer,
  type MockOpenAIServer,
} from "hearth/testing";

// A 1x1 PNG.
const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const pngURL = `data:image/png;base64,${png}`;
const photoURL = "https://images.example.com/lamp.jpg";

let openai: MockOpenAIServer;
let anthropic: MockAnthropicServer;
let server: HearthServer;

function app() {
  return defineApp({
    name: "vision",
    agents: {
      seer: () =>
        new AssistantAgent({
          name: "seer",
          modelClient: new OpenAIChatCompletionClient({ model: "gpt-4o", baseURL: openai.url, apiKey: "sk-test" }),
        }),
      blind: () =>
        new AssistantAgent({
          name: "blind",
          modelClient: new OpenAIChatCompletionClient({
            model: "acme-text-7b",
            baseURL: openai.url,
            apiKey: "sk-test",
          }),
        }),
      claude: () =>
        new AssistantAgent({
          name: "claude",
          modelClient: new AnthropicChatCompletionClient({
            model: "claude-sonnet-4-5",
            baseURL: anthropic.url,
            apiKey: "sk-ant-test",
          }),
        }),
    },
  });
}

async function post(path: string, body: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text), headers: response.headers };
}

const lastUserContent = (mock: MockOpenAIServer) =>
  mock.requests.at(-1)?.body?.messages.findLast((message) => message.role === "user")?.content;

describe("images in a task over HTTP", () => {
  before(async () => {
    openai = await startMockOpenAIServer();
    anthropic = await startMockAnthropicServer();
    server = await serve(app(), {
      port: 0,
      store: { kind: "memory" },
      log: () => undefined,
      maxSessionBytes: 12_000,
      images: { maxImages: 2, maxImageBytes: 10_000, maxImageUrlLength: 200 },
    });
  });
  beforeEach(() => {
    openai.requests.length = 0;
    anthropic.requests.length = 0;
  });
  after(async () => {
    await server.close();
    await openai.close();
    await anthropic.close();
  });

  test("/v1/chat: content parts reach OpenAI as image_url parts, and the session keeps the image inline for later turns", async () => {
    const message = [
      { type: "text", text: "What is in these?" },
      { type: "image_url", image_url: { url: pngURL } },
      { type: "image_url", image_url: { url: photoURL } },
    ];
    const first = await post("/v1/chat", { agent: "seer", message });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const onTheWire = [
      { type: "text", text: "What is in these?" },
      { type: "image_url", image_url: { url: pngURL } },
      { type: "image_url", image_url: { url: photoURL } },
    ];
    assert.deepEqual(lastUserContent(openai), onTheWire);
    assert.deepEqual(first.body.messages[0], {
      ...first.body.messages[0],
      type: "multi-modal",
      source: "user",
      content: [
        "What is in these?",
        { type: "image", data: png, mimeType: "image/png" },
        { type: "image", url: photoURL },
      ],
    });

    const stored = (await fetch(`${server.url}/v1/sessions/${first.body.sessionId}`).then((response) =>
      response.json(),
    )) as {
      messages: { content: unknown[] }[];
    };
    assert.deepEqual(stored.messages[0]?.content[1], { type: "image", data: png, mimeType: "image/png" });

    const second = await post("/v1/chat", { agent: "seer", sessionId: first.body.sessionId, message: "And now?" });
    assert.equal(second.status, 200);
    // The next turn's request shows the model the image again, from the stored session.
    const seen = openai.requests.at(-1)?.body?.messages.map((entry) => entry.content);
    assert.deepEqual(seen?.[1], onTheWire);
    assert.equal(seen?.at(-1), "And now?");
  });

  test("/v1/chat/completions: OpenAI's own image content parts in the last message reach the model", async () => {
    const response = await post("/v1/chat/completions", {
      model: "seer",
      messages: [
        { role: "user", content: "Hello" },
        { role: "assistant", content: "Hi! Send a picture." },
        {
          role: "user",
          content: [
            { type: "text", text: "Here." },
            { type: "image_url", image_url: { url: photoURL, detail: "low" } },
          ],
        },
      ],
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(lastUserContent(openai), [
      { type: "text", text: "Here." },
      { type: "image_url", image_url: { url: photoURL } },
    ]);
    const early = await post("/v1/chat/completions", {
      model: "seer",
      messages: [
        { role: "user", content: [{ type: "image_url", image_url: { url: photoURL } }] },
        { role: "user", content: "And?" },
      ],
    });
    assert.equal(early.status, 400);
    assert.equal(early.body.error.param, "messages[0].content");
  });

  test("/v1/chat to a Claude agent: the image reaches Anthropic as image blocks, base64 and URL", async () => {
    const response = await post("/v1/chat", {
      agent: "claude",
      message: [
        { type: "text", text: "Describe." },
        { type: "image_url", image_url: { url: pngURL } },
        { type: "image_url", image_url: { url: photoURL } },
      ],
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const sent = anthropic.requests.at(-1)?.body?.messages.at(-1);
    assert.equal(sent?.role, "user");
    assert.deepEqual(sent?.content, [
      { type: "text", text: "Describe." },
      { type: "image", source: { type: "base64", media_type: "image/png", data: png } },
      { type: "image", source: { type: "url", url: photoURL } },
    ]);
  });

  test("bad images are a 400 naming the field, before any model call", async () => {
    const image = (url: string) => ({ type: "image_url", image_url: { url } });
    const cases: [message: unknown, field: string][] = [
      [[{ type: "text", text: "Look" }, image("data:text/plain;base64,aGVsbG8=")], "message[1].image_url.url"],
      [[{ type: "text", text: "Look" }, image("data:image/png;base64,@@@@")], "message[1].image_url.url"],
      [[image("data:image/png,notbase64")], "message[0].image_url.url"],
      [[image("ftp://images.example.com/lamp.png")], "message[0].image_url.url"],
      [[image(`https://images.example.com/${"a".repeat(200)}.png`)], "message[0].image_url.url"],
      [[image(`data:image/png;base64,${"A".repeat(13_400)}`)], "message[0].image_url.url"],
      [[image(photoURL), image(photoURL), image(photoURL)], "message"],
      [[{ type: "input_audio", input_audio: {} }], "message[0]"],
      [[], "message"],
      [[{ type: "text", text: " " }], "message"],
    ];
    for (const [message, field] of cases) {
      const response = await post("/v1/chat", { agent: "seer", message: message });
      assert.equal(response.status, 400, `${field}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.code, "HEARTH_INVALID_REQUEST");
      assert.equal(response.body.field, field, JSON.stringify(response.body));
    }
    assert.equal(openai.requests.length, 0);
  });

  test("an image for a model without vision is a 400 that says so; nothing is stored", async () => {
    const response = await post("/v1/chat", {
      agent: "blind",
      sessionId: "blind-1",
      createSession: true,
      message: [
        { type: "text", text: "See?" },
        { type: "image_url", image_url: { url: photoURL } },
      ],
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.code, "HEARTH_INVALID_REQUEST");
    assert.match(response.body.detail, /modelInfo\.vision is false/);
    assert.equal(openai.requests.filter((request) => request.method === "POST").length, 0);
    assert.equal((await fetch(`${server.url}/v1/sessions/blind-1`)).status, 404);
  });

  test("inline images count toward maxSessionBytes: a session past it is a 413 and is not stored", async () => {
    const big = Buffer.alloc(9_000, 7).toString("base64");
    const response = await post("/v1/chat", {
      agent: "seer",
      sessionId: "big-1",
      createSession: true,
      message: [{ type: "image_url", image_url: { url: `data:image/png;base64,${big}` } }],
    });
    assert.equal(response.status, 413, response.body.code);
    assert.equal(response.body.code, "HEARTH_SESSION_TOO_LARGE");
    const left = await fetch(`${server.url}/v1/sessions/big-1`);
    assert.equal(left.status, 404, (await left.text()).slice(0, 300));
  });
});
