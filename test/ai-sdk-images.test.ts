// Images from the AI SDK's chat: a page's attachments, file parts as `useChat` sends them, reach the
// model on /v1/chat as OpenAI `image_url` parts, with the limits and refusals of /v1/chat's images.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { APICallError, type FileUIPart, type UIMessage } from "ai";
import { AssistantAgent, defineApp, OpenAIChatCompletionClient } from "hearth";
import { type HearthServer, serve } from "hearth/node";
import { type MockOpenAIServer, startMockOpenAIServer } from "hearth/testing";
import { PlainChat, textOf } from "./support/ai-sdk-chat.ts";

// A 1x1 PNG.
const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const pngURL = `data:image/png;base64,${png}`;
const photoURL = "https://images.example.com/lamp.jpg";

let openai: MockOpenAIServer;
let server: HearthServer;

before(async () => {
  openai = await startMockOpenAIServer();
  const model = (name: string) =>
    new OpenAIChatCompletionClient({ model: name, baseURL: openai.url, apiKey: "sk-test" });
  const app = defineApp({
    name: "vision",
    agents: {
      seer: () => new AssistantAgent({ name: "seer", modelClient: model("gpt-4o") }),
      // A model hearth knows nothing of: no vision.
      blind: () => new AssistantAgent({ name: "blind", modelClient: model("acme-text-7b") }),
    },
  });
  server = await serve(app, {
    port: 0,
    store: { kind: "memory" },
    log: () => undefined,
    images: { maxImages: 2, maxImageBytes: 10_000, maxImageUrlLength: 200 },
  });
});
beforeEach(() => {
  openai.requests.length = 0;
});
after(async () => {
  await server?.close();
  await openai?.close();
});

const chatWith = (agent: string, messages?: UIMessage[]) =>
  new PlainChat({ api: `${server.url}/v1/chat`, body: { agent }, ...(messages === undefined ? {} : { messages }) });

/**
 * A file as `convertFileListToFileUIParts` makes its part in a browser: the file's type and name,
 * and FileReader's data URL of its bytes (Node has no FileList or FileReader).
 */
async function filePart(file: File): Promise<FileUIPart> {
  const bytes = Buffer.from(await file.arrayBuffer()).toString("base64");
  return { type: "file", mediaType: file.type, filename: file.name, url: `data:${file.type};base64,${bytes}` };
}

const lastUserContent = () =>
  openai.requests.at(-1)?.body?.messages.findLast((message) => message.role === "user")?.content;

/** The problem document of a chat refused before its stream began. */
function problemOf(chat: PlainChat): { status: number; code: string; field?: string; detail: string } {
  assert.equal(chat.status, "error");
  assert.ok(APICallError.isInstance(chat.error), String(chat.error));
  return JSON.parse(chat.error.responseBody ?? "");
}

test("an attached image reaches the model as an image_url part; the session keeps it for the next turns", async () => {
  const chat = chatWith("seer");
  const dot = await filePart(new File([Buffer.from(png, "base64")], "dot.png", { type: "image/png" }));
  assert.equal(dot.url, pngURL);
  await chat.sendMessage({
    text: "What are these?",
    files: [dot, { type: "file", mediaType: "image/jpeg", url: photoURL }],
  });
  assert.equal(chat.status, "ready", String(chat.error));
  const onTheWire = [
    { type: "image_url", image_url: { url: pngURL } },
    { type: "image_url", image_url: { url: photoURL } },
    { type: "text", text: "What are these?" },
  ];
  assert.deepEqual(lastUserContent(), onTheWire);
  assert.equal(textOf(chat.messages[1]), "You said: What are these?");
  const stored = (await (await fetch(`${server.url}/v1/sessions/${chat.id}`)).json()) as {
    messages: { type: string; content: unknown }[];
  };
  assert.deepEqual(stored.messages[0]?.type, "multi-modal");
  assert.deepEqual(stored.messages[0]?.content, [
    { type: "image", data: png, mimeType: "image/png" },
    { type: "image", url: photoURL },
    "What are these?",
  ]);

  // useChat sends the image again with the next message: it is not refused, and the model sees it
  // from the session.
  await chat.sendMessage({ text: "And now?" });
  assert.equal(chat.status, "ready", String(chat.error));
  const seen = openai.requests.at(-1)?.body?.messages.map((message) => message.content);
  assert.deepEqual(seen?.[1], onTheWire);
  assert.equal(seen?.at(-1), "And now?");
});

test("a top-level `image` media type is taken, the data URL telling which", async () => {
  const chat = chatWith("seer");
  await chat.sendMessage({ files: [{ type: "file", mediaType: "image", url: pngURL }] });
  assert.equal(chat.status, "ready", String(chat.error));
  assert.deepEqual(lastUserContent(), [{ type: "image_url", image_url: { url: pngURL } }]);
});

test("bad attachments are 400s naming the part, before any model call", async () => {
  const file = (mediaType: string, url: string): FileUIPart => ({ type: "file", mediaType, url });
  const cases: [files: FileUIPart[], field: string, detail: RegExp][] = [
    [[file("image/png", "data:image/png;base64,@@@@")], "messages[0].parts[0].url", /not valid base64/],
    [[file("image/png", "data:image/png,notbase64")], "messages[0].parts[0].url", /base64 data URL/],
    [[file("image/png", `data:image/png;base64,${"A".repeat(13_400)}`)], "messages[0].parts[0].url", /10000 bytes/],
    [[file("image/png", "ftp://images.example.com/lamp.png")], "messages[0].parts[0].url", /not ftp:/],
    [[file("image/png", `https://images.example.com/${"a".repeat(200)}.png`)], "messages[0].parts[0].url", /200/],
    [
      [file("image/jpeg", photoURL), file("image/jpeg", photoURL), file("image/jpeg", photoURL)],
      "messages[0].parts",
      /2 images/,
    ],
    [[file("image/jpeg", pngURL)], "messages[0].parts[0].url", /image\/png data, but .* image\/jpeg/],
    [
      [file("image/jpeg", photoURL), file("application/pdf", "data:application/pdf;base64,JVBERi0=")],
      "messages[0].parts[1].mediaType",
      /"application\/pdf": a file part must be an image/,
    ],
    [
      [file("image/svg+xml", "https://images.example.com/logo.svg")],
      "messages[0].parts[0].mediaType",
      /"image\/svg\+xml"/,
    ],
  ];
  for (const [files, field, detail] of cases) {
    const chat = chatWith("seer");
    await chat.sendMessage({ text: "Look", files });
    const problem = problemOf(chat);
    assert.equal(problem.status, 400, problem.detail);
    assert.equal(problem.code, "HEARTH_INVALID_REQUEST");
    assert.equal(problem.field, field, problem.detail);
    assert.match(problem.detail, detail);
    assert.ok(problem.detail.includes(field), problem.detail);
  }
  assert.equal(openai.requests.length, 0);
});

test("after a refused attachment the chat goes on: the next message is taken, the refused one read as text", async () => {
  const chat = chatWith("seer");
  await chat.sendMessage({
    text: "Read this",
    files: [{ type: "file", mediaType: "application/pdf", url: "data:application/pdf;base64,JVBERi0=" }],
  });
  assert.equal(problemOf(chat).field, "messages[0].parts[0].mediaType");
  // The page keeps the refused message and sends it again, before the new one.
  await chat.sendMessage({ text: "Never mind. Hello?" });
  assert.equal(chat.status, "ready", String(chat.error));
  const seen = openai.requests.at(-1)?.body?.messages.filter((message) => message.role === "user");
  assert.deepEqual(
    seen?.map((message) => message.content),
    ["Read this", "Never mind. Hello?"],
  );
});

test("a chat hearth does not hold starts its session from the earlier messages: their images as [image]", async () => {
  const earlier: UIMessage[] = [
    {
      id: "m1",
      role: "user",
      parts: [
        { type: "file", mediaType: "image/png", url: pngURL },
        { type: "file", mediaType: "application/pdf", url: "data:application/pdf;base64,JVBERi0=" },
        { type: "text", text: "What is this?" },
      ],
    },
    { id: "m2", role: "assistant", parts: [{ type: "text", text: "A dot." }] },
  ];
  const chat = chatWith("seer", earlier);
  await chat.sendMessage({ text: "Bigger?" });
  assert.equal(chat.status, "ready", String(chat.error));
  const seen = openai.requests.at(-1)?.body?.messages.map(({ role, content }) => ({ role, content }));
  assert.deepEqual(seen?.slice(1), [
    { role: "user", content: "[image]\nWhat is this?" },
    { role: "assistant", content: "A dot." },
    { role: "user", content: "Bigger?" },
  ]);
});

test("an image for an agent whose model does not read them fails the chat as /v1/chat refuses it; nothing is stored", async () => {
  const chat = chatWith("blind");
  await chat.sendMessage({ text: "See?", files: [{ type: "file", mediaType: "image/jpeg", url: photoURL }] });
  assert.equal(chat.status, "error");
  // The stream had begun: the refusal is its error chunk, with the problem's detail.
  assert.equal(
    chat.error?.message,
    'Agent "blind" cannot take images: its model does not read them (modelInfo.vision is false).',
  );
  assert.equal(openai.requests.filter((request) => request.method === "POST").length, 0);
  assert.equal((await fetch(`${server.url}/v1/sessions/${chat.id}`)).status, 404);
});
