// examples/memory: an agent whose memory is a vector index of the shop's documents, built once at
// startup; each turn's model request carries the documents its question is about, and no session
// keeps them.
import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { serve } from "hearth/node";
import { startMockOpenAIServer } from "hearth/testing";
import { DocumentIndex } from "../examples/memory/document-index.ts";
import { documentsModel } from "../examples/memory/documents-model.ts";

interface ChatBody {
  reply: string;
  sessionId: string;
  messages: { type: string; memory?: string; content?: unknown }[];
}

interface WireMessage {
  role: string;
  content?: unknown;
}

const memoryNotes = (messages: readonly WireMessage[]) =>
  messages.filter(
    (message) =>
      message.role === "system" &&
      typeof message.content === "string" &&
      message.content.startsWith("Relevant documents"),
  );

test("the memory example answers from the documents its index found, built once before ready", async () => {
  const build = mock.method(DocumentIndex, "build");
  const model = await startMockOpenAIServer({ respond: documentsModel });
  process.env.OPENAI_BASE_URL = model.url;
  process.env.OPENAI_API_KEY = "sk-example";
  const { default: app } = await import("../examples/memory/app.ts");
  const server = await serve(app, { port: 0, log: () => undefined, store: { kind: "memory" } });
  const chat = async (body: Record<string, unknown>) => {
    const response = await fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as ChatBody;
  };
  const chatRequests = () =>
    model.requests.filter((request) => request.path === "/v1/chat/completions" && request.body !== undefined);
  try {
    // Built once, during startup: serve() resolves at ready, and the trace shows the build.
    assert.equal(server.runtime.state, "ready");
    assert.equal(build.mock.callCount(), 1);
    const steps = server.runtime.startupTrace().steps.map((step) => `${step.kind}:${step.name}`);
    assert.ok(steps.includes("resource:knowledge/index"), steps.join(", "));
    const index = build.mock.calls[0]?.result as DocumentIndex;
    assert.equal(index.size, 8);

    const first = await chat({ message: "How far can an e-bike go on one charge?" });
    assert.match(first.reply, /^From our documents: E-bike battery and range: A fully charged e-bike battery/);
    const [sent] = chatRequests();
    const [note, ...more] = memoryNotes((sent?.body?.messages ?? []) as WireMessage[]);
    assert.equal(more.length, 0);
    assert.match(String(note?.content), /60 to 90 kilometres/);
    assert.doesNotMatch(String(note?.content), /Guided tours|Opening hours/);
    const event = first.messages.find((message) => message.type === "memory-query");
    assert.equal(event?.memory, "shop-documents");
    const found = event?.content as { metadata: { id: string } }[];
    assert.equal(found[0]?.metadata.id, "e-bike-range");

    // The next turn of the conversation carries its own documents only.
    const second = await chat({ sessionId: first.sessionId, message: "Can I cancel my booking and get a refund?" });
    assert.match(second.reply, /Cancelling a booking/);
    const notes = memoryNotes((chatRequests()[1]?.body?.messages ?? []) as WireMessage[]);
    assert.equal(notes.length, 1);
    assert.match(String(notes[0]?.content), /24 hours before the rental starts/);
    assert.doesNotMatch(String(notes[0]?.content), /kilometres/);

    // The session keeps the events in its transcript, and no document in its model context.
    const stored = (await (await fetch(`${server.url}/v1/sessions/${first.sessionId}`)).json()) as {
      messages: { type: string }[];
      contexts: Record<string, unknown>;
    };
    assert.equal(stored.messages.filter((message) => message.type === "memory-query").length, 2);
    assert.doesNotMatch(JSON.stringify(stored.contexts), /Relevant documents/);

    // Streamed, the event goes out as an SSE `message`.
    const streamed = await fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ message: "When do the guided tours leave?" }),
    });
    const events = await streamed.text();
    assert.match(events, /event: message\ndata: \{[^\n]*"type":"memory-query"[^\n]*"id":"tours"/);
    assert.match(events, /event: done\n/);

    // OpenAI's API on the same agent: the reply, and no trace of the event in it.
    const completion = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "shop_assistant",
        messages: [{ role: "user", content: "Is a helmet included?" }],
      }),
    });
    const answer = (await completion.json()) as { choices: { message: { content: string } }[] };
    assert.equal(completion.status, 200);
    assert.match(answer.choices[0]?.message.content ?? "", /^From our documents: Helmets and locks:/);

    // Four turns, and still the one index.
    assert.equal(build.mock.callCount(), 1);
  } finally {
    await server.close();
    await model.close();
    build.mock.restore();
  }
});
