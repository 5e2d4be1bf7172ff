// The mock OpenAI-compatible server on the wire, read with plain fetch: its queue of replies and
// faults, its error bodies in OpenAI's format, and its stream.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type MockOpenAIServer, startMockOpenAIServer } from "./mock-openai-server.ts";

let mock: MockOpenAIServer;
let failNext = false;

before(async () => {
  mock = await startMockOpenAIServer({
    apiKeys: ["sk-good"],
    chunkSize: 4,
    respond: (request) => {
      if (failNext) throw new Error("boom");
      return { content: `echo ${request.messages.length}` };
    },
  });
});
after(() => mock.close());

const chat = { model: "m", messages: [{ role: "user", content: "hi" }] };
const post = (body: unknown, key = "sk-good", path = "/chat/completions") =>
  fetch(`${mock.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const contentOf = async (response: Response) =>
  ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content;

test("queued replies and faults come first, in order, then the responder again", async () => {
  mock.enqueue({ content: "queued" }, { fault: "raw", body: '{"recorded":true}', status: 202 });
  assert.equal(await contentOf(await post(chat)), "queued");
  const raw = await post(chat);
  assert.equal(raw.status, 202);
  assert.equal(raw.headers.get("content-type"), "application/json");
  assert.equal(await raw.text(), '{"recorded":true}');
  assert.equal(await contentOf(await post(chat)), "echo 1");
});

test("a responder that throws is a 500 in OpenAI's error format", async () => {
  failNext = true;
  try {
    const response = await post(chat);
    assert.equal(response.status, 500);
    assert.deepEqual(await response.json(), {
      error: { message: "The mock responder threw: Error: boom", type: "server_error" },
    });
  } finally {
    failNext = false;
  }
});

test("a stream sends its chunks, the usage chunk when asked, then [DONE]", async () => {
  const response = await post({ ...chat, stream: true, stream_options: { include_usage: true } });
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  const events = (await response.text()).split("\n\n").filter((event) => event !== "");
  assert.equal(events.at(-1), "data: [DONE]");
  const chunks = events.slice(0, -1).map((event) => JSON.parse(event.replace(/^data: /, "")));
  const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
  assert.equal(text, "echo 1");
  assert.equal(chunks.filter((chunk) => chunk.choices[0]?.delta.content).length, 2, "6 characters in chunks of 4");
  assert.deepEqual(chunks.at(-1).choices, []);
  assert.equal(chunks.at(-1).usage.total_tokens, chunks.at(-1).usage.prompt_tokens + 2);
});

test("refusals: a wrong key, a body that is not JSON, an unknown route, a rate limit with its headers", async () => {
  const before = mock.requests.length;
  const wrongKey = await post(chat, "sk-bad");
  assert.equal(wrongKey.status, 401);
  assert.equal(((await wrongKey.json()) as { error: { code: string } }).error.code, "invalid_api_key");
  const notJson = await post("{nope");
  assert.equal(notJson.status, 400);
  assert.equal(
    ((await notJson.json()) as { error: { message: string } }).error.message,
    "The request body is not JSON.",
  );
  assert.equal((await post(chat, "sk-good", "/embeddings")).status, 404);
  mock.enqueue({ fault: "rate-limit", retryAfterSeconds: 2, retryAfterMs: 1500 });
  const limited = await post(chat);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("retry-after"), "2");
  assert.equal(limited.headers.get("retry-after-ms"), "1500");
  await limited.body?.cancel();
  // Every request is recorded, refused ones too, except a body that could not be read as JSON.
  assert.equal(mock.requests.length, before + 3);
});
