// The AI SDK's chat, as `useChat` runs it (its AbstractChat with the default transport, no React),
// against `/v1/chat`: the UI message stream is read by the AI SDK's own parser and renders the
// support agent's text, its tool call and the tool's result.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { defineApp, OpenAIChatCompletionClient } from "hearth";
import { type HearthServer, serve } from "hearth/node";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { createSupportAgent, loadOrders, loadPolicy } from "../examples/support/support-agent.ts";
import { supportModel } from "../examples/support/support-model.ts";
import { PlainChat, textOf } from "./support/ai-sdk-chat.ts";

let mock: MockOpenAIServer;
let server: HearthServer;

before(async () => {
  mock = await startMockOpenAIServer({ respond: supportModel });
  const orders = loadOrders();
  const policy = loadPolicy();
  const app = defineApp({
    name: "shop",
    auth: { apiKeys: { "sk-shop-front": "front" } },
    models: {
      default: () => new OpenAIChatCompletionClient({ model: "support-mock", baseURL: mock.url, apiKey: "sk-mock" }),
    },
    agents: {
      support_agent: ({ models }) => createSupportAgent({ modelClient: models.default, orders, policy, stream: true }),
    },
  });
  server = await serve(app, { port: 0, log: () => undefined, store: { kind: "memory" } });
});

after(async () => {
  await server?.close();
  await mock?.close();
});

/** The chat as a page of the shop runs it, with its key. */
const chatWith = (key: string, body?: Record<string, unknown>) =>
  new PlainChat({ api: `${server.url}/v1/chat`, key, ...(body === undefined ? {} : { body }) });

test("useChat's chat renders the agent's text, its tool call and the tool's result", async () => {
  const chat = chatWith("sk-shop-front");
  await chat.sendMessage({ text: "Where is order A123?" });
  assert.equal(chat.status, "ready", String(chat.error));
  assert.equal(chat.messages.length, 2);
  const reply = chat.messages[1];
  assert.equal(reply?.role, "assistant");
  const tool = reply?.parts.find((part) => part.type === "dynamic-tool");
  assert.ok(tool !== undefined && tool.type === "dynamic-tool", JSON.stringify(reply?.parts));
  assert.equal(tool.toolName, "lookup_order");
  assert.equal(tool.state, "output-available");
  assert.deepEqual(tool.input, { order_id: "A123" });
  assert.equal((tool.output as { tracking?: string }).tracking, "JD014600006281");
  // The text comes after the tool's result, as the agent wrote it from it.
  const kinds = reply?.parts.filter((part) => part.type !== "step-start").map((part) => part.type);
  assert.deepEqual(kinds, ["dynamic-tool", "text"]);
  assert.match(textOf(reply), /has shipped with .* \(tracking JD014600006281\)/);
  const metadata = reply?.metadata as { sessionId?: string; usage?: { completionTokens: number } };
  assert.equal(metadata.sessionId, chat.id);
  assert.ok((metadata.usage?.completionTokens ?? 0) > 0);
});

test("the chat's id is the session: the next message continues it, with only the new message as the task", async () => {
  const chat = chatWith("sk-shop-front");
  await chat.sendMessage({ text: "Where is order A123?" });
  const before = mock.requests.length;
  await chat.sendMessage({ text: "Thanks! And order B201?" });
  assert.equal(chat.status, "ready", String(chat.error));
  assert.equal(chat.messages.length, 4);
  // The model saw the whole first exchange (its tool call included, which only the session holds).
  const seen = mock.requests[before]?.body?.messages ?? [];
  assert.deepEqual(
    seen.map((message) => message.role),
    ["system", "user", "assistant", "tool", "assistant", "user"],
  );
  const stored = (await (
    await fetch(`${server.url}/v1/sessions/${chat.id}`, { headers: { authorization: "Bearer sk-shop-front" } })
  ).json()) as { messages: { type: string }[] };
  assert.equal(stored.messages.filter((message) => message.type === "text").length, 4);
});

test("a bad key, or an unknown agent, fails the chat with hearth's problem document", async () => {
  const stranger = chatWith("sk-not-a-key");
  await stranger.sendMessage({ text: "hello" });
  assert.equal(stranger.status, "error");
  assert.match(String(stranger.error?.message), /HEARTH_UNAUTHORIZED/);

  const lost = chatWith("sk-shop-front", { agent: "nobody" });
  await lost.sendMessage({ text: "hello" });
  assert.equal(lost.status, "error");
  assert.match(String(lost.error?.message), /HEARTH_AGENT_UNKNOWN/);
});

test("a failure during the turn reaches the chat as its error", async () => {
  mock.enqueue({ fault: "status", status: 400, body: { error: { message: "bad things" } } });
  const chat = chatWith("sk-shop-front");
  await chat.sendMessage({ text: "Where is order A123?" });
  assert.equal(chat.status, "error");
  // Sent as the stream's error event, after the stream began: the problem's detail, redacted like any.
  assert.equal(chat.error?.message, 'The model provider "openai-compatible" rejected the request (400): bad things');
});

test("bad requests in the AI SDK's shape are 400s naming the field", async () => {
  const post = (body: unknown) =>
    fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { authorization: "Bearer sk-shop-front", "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const user = { id: "m1", role: "user", parts: [{ type: "text", text: "hi" }] };
  const cases: [unknown, string][] = [
    [{ id: "chat_1", messages: [], trigger: "submit-message" }, "messages"],
    [{ id: "../x", messages: [user], trigger: "submit-message" }, "id"],
    [{ id: "chat_1", messages: [user], trigger: "regenerate-message", messageId: "m2" }, "trigger"],
    [{ id: "chat_1", messages: [user], tools: [] }, "tools"],
    [
      {
        id: "chat_1",
        messages: [{ ...user, parts: [{ type: "file", mediaType: "text/plain", url: "data:text/plain;base64,aGk=" }] }],
      },
      "messages[0].parts[0].mediaType",
    ],
  ];
  for (const [body, field] of cases) {
    const response = await post(body);
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.equal(((await response.json()) as { field?: string }).field, field, JSON.stringify(body));
  }
});
