// hearth's OpenAI-compatible routes driven by OpenAI's own npm client: the support agent (its
// lookup_order tool over a real orders table) against hearth's mock model server on loopback.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import {
  AssistantAgent,
  defineApp,
  MaxMessageTermination,
  OpenAIChatCompletionClient,
  RoundRobinGroupChat,
} from "hearth";
import { type HearthServer, serve } from "hearth/node";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { createSupportAgent, loadOrders, loadPolicy } from "../examples/support/support-agent.ts";
import { supportModel } from "../examples/support/support-model.ts";

let mock: MockOpenAIServer;
let server: HearthServer;
const tracking = /JD014600006281/;

before(async () => {
  mock = await startMockOpenAIServer({ respond: supportModel });
  const orders = loadOrders();
  const policy = loadPolicy();
  const app = defineApp({
    name: "shop",
    auth: { apiKeys: { "sk-acme-123": "acme" } },
    models: {
      default: () => new OpenAIChatCompletionClient({ model: "support-mock", baseURL: mock.url, apiKey: "sk-mock" }),
    },
    agents: {
      support_agent: ({ models }) => createSupportAgent({ modelClient: models.default, orders, policy, stream: true }),
      // Listed under another name than its own (`support_agent`): the name a client sends is the key.
      helper: ({ models }) => createSupportAgent({ modelClient: models.default, orders, policy, stream: true }),
      // A model client that does not stream, and no tools: the mock answers it with a fixed line.
      quiet_agent: ({ models }) => new AssistantAgent({ name: "quiet_agent", modelClient: models.default }),
    },
    teams: {
      desk: ({ agents }) =>
        new RoundRobinGroupChat({ participants: [agents.quiet_agent], termination: new MaxMessageTermination(2) }),
    },
  });
  server = await serve(app, { port: 0, log: () => undefined, store: { kind: "memory" } });
});

after(async () => {
  await server?.close();
  await mock?.close();
});

const client = (apiKey = "sk-acme-123") => new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });

test("a plain completion: the agent's reply, usage, the session's id; its tool calls stay inside", async () => {
  const { data, response } = await client()
    .chat.completions.create({
      model: "support_agent",
      messages: [
        { role: "system", content: "ignored: the agent's instructions are the app's" },
        { role: "user", content: "Where is order A123?" },
      ],
    })
    .withResponse();
  assert.equal(data.object, "chat.completion");
  assert.equal(data.model, "support_agent");
  assert.equal(data.choices.length, 1);
  assert.equal(data.choices[0]?.finish_reason, "stop");
  assert.match(data.choices[0]?.message.content ?? "", tracking);
  assert.equal(data.choices[0]?.message.tool_calls, undefined);
  assert.ok((data.usage?.prompt_tokens ?? 0) > 0);
  assert.equal(data.usage?.total_tokens, (data.usage?.prompt_tokens ?? 0) + (data.usage?.completion_tokens ?? 0));
  const sessionId = response.headers.get("x-session-id") ?? "";
  assert.match(sessionId, /^[\w-]{1,128}$/);
  // The turn is stored like any other: the tool call and its result are in the session.
  const stored = (await (
    await fetch(`${server.url}/v1/sessions/${sessionId}`, { headers: { authorization: "Bearer sk-acme-123" } })
  ).json()) as { messages: { type: string }[] };
  assert.deepEqual(
    stored.messages.map((message) => message.type),
    ["text", "tool-call-request", "tool-call-execution", "text"],
  );
});

test("streamed: chat.completion.chunk frames that add up to the reply, usage when asked, then [DONE]", async () => {
  const stream = await client().chat.completions.create({
    model: "support_agent",
    messages: [{ role: "user", content: "Where is order A123?" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  const finishReasons: (string | null | undefined)[] = [];
  let usage: OpenAI.CompletionUsage | undefined | null;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    assert.equal(chunk.object, "chat.completion.chunk");
    assert.equal(chunk.model, "support_agent");
    const choice = chunk.choices[0];
    assert.equal(choice?.delta.tool_calls, undefined);
    text += choice?.delta.content ?? "";
    if (choice !== undefined) finishReasons.push(choice.finish_reason);
    if (chunk.usage) usage = chunk.usage;
  }
  assert.match(text, tracking);
  // The agent's model streams: its reply came in more than one piece, then a chunk with the finish reason.
  assert.ok(chunks > 4, `${chunks} chunks`);
  assert.equal(finishReasons.at(-1), "stop");
  assert.ok((usage?.completion_tokens ?? 0) > 0);

  // The same question answered whole has the same text.
  const whole = await client().chat.completions.create({
    model: "support_agent",
    messages: [{ role: "user", content: "Where is order A123?" }],
  });
  assert.equal(text, whole.choices[0]?.message.content);
});

test("an agent listed under another key than its name still streams its text as written", async () => {
  const stream = await client().chat.completions.create({
    model: "helper",
    messages: [{ role: "user", content: "Where is order A123?" }],
    stream: true,
  });
  let text = "";
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.delta.content ?? "";
  }
  assert.match(text, tracking);
  assert.ok(chunks > 4, `${chunks} chunks`);
});

test("a team and an agent whose model does not stream: the reply still comes, in one piece", async () => {
  for (const model of ["desk", "quiet_agent"]) {
    const stream = await client().chat.completions.create({
      model,
      messages: [{ role: "user", content: "Where is order A123?" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    assert.match(text, /tell me the order number/, model);
  }
});

test("GET /v1/models lists the agents and teams; retrieving one works, an unknown one is a 404", async () => {
  const listed = [];
  for await (const model of client().models.list()) listed.push(model.id);
  assert.deepEqual(listed.sort(), ["desk", "helper", "quiet_agent", "support_agent"]);
  const one = await client().models.retrieve("desk");
  assert.equal(one.owned_by, "shop");
  assert.equal((await client().models.retrieve("team:desk")).id, "team:desk");
  await assert.rejects(client().models.retrieve("nobody"), (error: unknown) => {
    assert.ok(error instanceof OpenAI.NotFoundError);
    assert.equal(error.code, "model_not_found");
    return true;
  });
});

test("an unknown model is a 404 in OpenAI's error shape", async () => {
  await assert.rejects(
    client().chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hello" }] }),
    (error: unknown) => {
      assert.ok(error instanceof OpenAI.NotFoundError, String(error));
      assert.equal(error.status, 404);
      assert.equal(error.code, "model_not_found");
      assert.equal(error.param, "model");
      assert.equal(error.type, "invalid_request_error");
      assert.match(error.message, /gpt-4o/);
      // Sending it again will not mend it: OpenAI's SDKs are told not to retry it on their own.
      assert.equal(error.headers?.get("x-should-retry"), "false");
      return true;
    },
  );
});

test("a bad key is a 401 on every new route, as on /v1/chat", async () => {
  const stranger = client("sk-wrong");
  const refusal = (error: unknown) => {
    assert.ok(error instanceof OpenAI.AuthenticationError, String(error));
    assert.equal(error.code, "invalid_api_key");
    return true;
  };
  await assert.rejects(
    stranger.chat.completions.create({ model: "support_agent", messages: [{ role: "user", content: "hello" }] }),
    refusal,
  );
  await assert.rejects(
    stranger.chat.completions.create({
      model: "support_agent",
      messages: [{ role: "user", content: "hello" }],
      stream: true,
    }),
    refusal,
  );
  await assert.rejects(stranger.models.list(), refusal);
  await assert.rejects(stranger.models.retrieve("desk"), refusal);
});

test("a continued session: x-session-id carries the conversation, so the client sends only the new message", async () => {
  const first = await client()
    .chat.completions.create({ model: "support_agent", messages: [{ role: "user", content: "Where is order A123?" }] })
    .withResponse();
  const sessionId = first.response.headers.get("x-session-id") ?? "";
  const before = mock.requests.length;
  const second = await client()
    .chat.completions.create(
      { model: "support_agent", messages: [{ role: "user", content: "And what about my other parcel?" }] },
      { headers: { "x-session-id": sessionId } },
    )
    .withResponse();
  assert.equal(second.response.headers.get("x-session-id"), sessionId);
  // The model saw the first exchange, tool call included, before the new question.
  const seen = mock.requests[before]?.body?.messages ?? [];
  assert.deepEqual(
    seen.map((message) => message.role),
    ["system", "user", "assistant", "tool", "assistant", "user"],
  );
  assert.equal(seen.at(-1)?.content, "And what about my other parcel?");
});

test("a client that sends the whole history: a new session starts from it", async () => {
  const before = mock.requests.length;
  const { response } = await client()
    .chat.completions.create({
      model: "support_agent",
      messages: [
        { role: "user", content: "Hello" },
        { role: "assistant", content: "Hi! How can I help?" },
        { role: "user", content: [{ type: "text", text: "Where is order A123?" }] },
      ],
    })
    .withResponse();
  const seen = mock.requests[before]?.body?.messages ?? [];
  assert.deepEqual(
    seen.map((message) => [message.role, message.content]),
    [
      ["system", seen[0]?.content],
      ["user", "Hello"],
      ["assistant", "Hi! How can I help?"],
      ["user", "Where is order A123?"],
    ],
  );
  // Stored: the history, then the turn.
  const stored = (await (
    await fetch(`${server.url}/v1/sessions/${response.headers.get("x-session-id")}`, {
      headers: { authorization: "Bearer sk-acme-123" },
    })
  ).json()) as { messages: { type: string; source: string }[] };
  assert.deepEqual(
    stored.messages.slice(0, 3).map((message) => message.source),
    ["user", "support_agent", "user"],
  );

  // A team's member receives the history from the thread, the client's assistant lines as another speaker's.
  const teamBefore = mock.requests.length;
  await client().chat.completions.create({
    model: "desk",
    messages: [
      { role: "user", content: "Hello" },
      { role: "assistant", content: "Hi! How can I help?" },
      { role: "user", content: "Anything new?" },
    ],
  });
  assert.deepEqual(
    (mock.requests[teamBefore]?.body?.messages ?? []).slice(1).map((message) => [message.role, message.content]),
    [
      ["user", "Hello"],
      ["user", "Hi! How can I help?"],
      ["user", "Anything new?"],
    ],
  );
});

test("bad requests are 400s in OpenAI's error shape, naming the field", async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ model: "support_agent", messages: [] }, "messages"],
    [{ model: "support_agent", messages: [{ role: "assistant", content: "hi" }] }, "messages"],
    [{ model: "support_agent", messages: [{ role: "tool", content: "42", tool_call_id: "x" }] }, "messages[0].role"],
    [{ model: "support_agent", messages: [{ role: "user", content: "hi" }], n: 2 }, "n"],
    [
      {
        model: "support_agent",
        messages: [{ role: "user", content: "hi" }],
        tools: [{ type: "function", function: { name: "f", parameters: {} } }],
      },
      "tools",
    ],
    [
      {
        model: "support_agent",
        messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "", format: "wav" } }] }],
      },
      "messages[0].content[0]",
    ],
    // An image is taken (test/images.test.ts), but this agent's model does not read images.
    [
      {
        model: "support_agent",
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x.test/a.png" } }] }],
      },
      "message",
    ],
    [{ messages: [{ role: "user", content: "hi" }] }, "model"],
  ];
  for (const [body, param] of cases) {
    await assert.rejects(
      client().chat.completions.create(body as never),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError, `${JSON.stringify(body)}: ${String(error)}`);
        assert.equal(error.param, param);
        assert.equal(error.code, "HEARTH_INVALID_REQUEST");
        return true;
      },
      JSON.stringify(body),
    );
  }
  const badSession = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: "Bearer sk-acme-123", "content-type": "application/json", "x-session-id": "../etc" },
    body: JSON.stringify({ model: "support_agent", messages: [{ role: "user", content: "hi" }] }),
  });
  assert.equal(badSession.status, 400);
  assert.equal(((await badSession.json()) as { error: { param: string } }).error.param, "x-session-id");
});

test("a model failure mid-stream reaches the client as an error event it throws", async () => {
  mock.enqueue({ fault: "status", status: 400, body: { error: { message: "bad things" } } });
  const stream = await client().chat.completions.create({
    model: "support_agent",
    messages: [{ role: "user", content: "Where is order A123?" }],
    stream: true,
  });
  await assert.rejects(
    (async () => {
      for await (const _chunk of stream);
    })(),
    (error: unknown) => {
      assert.ok(error instanceof OpenAI.APIError, String(error));
      assert.match(String(error.code), /^HEARTH_/);
      return true;
    },
  );
});
