// A GraphFlow served by the runtime over POST /v1/chat, its agents calling hearth's mock
// OpenAI-compatible server on loopback: a writer and a reviewer loop until the reviewer approves,
// then a publisher ends the graph. A turn stopped by maxTurns leaves the graph's progress in the
// stored session, and the next request on that session goes on from there.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  AssistantAgent,
  DiGraphBuilder,
  defineApp,
  GraphFlow,
  OpenAIChatCompletionClient,
  type SessionJSON,
} from "hearth";
import { serve, type HearthServer } from "hearth/node";
import { startMockOpenAIServer, type MockChatRequest, type MockReply, type MockOpenAIServer } from "hearth/testing";

let mock: MockOpenAIServer;
let server: HearthServer;

/** Each agent is known by its system message. */
function respond(request: MockChatRequest): MockReply {
  const system = String(request.messages[0]?.content ?? "");
  const said = request.messages.slice(1).map((message) => String(message.content ?? ""));
  if (system === "You write taglines.")
    return { content: `Draft ${request.messages.filter((message) => message.role === "assistant").length + 1}` };
  if (system === "You review taglines.")
    return { content: said.some((text) => text.includes("Draft 2")) ? "APPROVE" : "REVISE: shorter" };
  if (system === "You publish taglines.") return { content: "Published." };
  return { content: `unknown agent: ${system}` };
}

before(async () => {
  mock = await startMockOpenAIServer({ respond });
  const app = defineApp({
    name: "graph-flow-http",
    warmup: { syntheticTurns: false },
    models: { default: () => new OpenAIChatCompletionClient({ model: "mock", baseURL: mock.url, apiKey: "sk-test" }) },
    teams: {
      review: ({ models }) => {
        const member = (name: string, systemMessage: string) =>
          new AssistantAgent({ name, modelClient: models.default, systemMessage });
        const writer = member("writer", "You write taglines.");
        const reviewer = member("reviewer", "You review taglines.");
        const publisher = member("publisher", "You publish taglines.");
        const builder = new DiGraphBuilder().addNode(writer).addNode(reviewer).addNode(publisher);
        builder.addEdge(writer, reviewer).addEdge(reviewer, writer, "REVISE").addEdge(reviewer, publisher, "APPROVE");
        builder.setEntryPoint(writer);
        return new GraphFlow({ participants: builder.getParticipants(), graph: builder.build(), maxTurns: 3 });
      },
    },
  });
  server = await serve(app, { port: 0, store: { kind: "memory" }, log: () => undefined });
});
after(async () => {
  await server.close();
  await mock.close();
});

interface ChatBody {
  readonly sessionId: string;
  readonly stopReason: string;
  readonly messages: readonly { readonly source: string; readonly content?: unknown }[];
}
const chat = async (body: unknown) => {
  const response = await fetch(`${server.url}/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as ChatBody };
};
const sources = (body: ChatBody) => body.messages.map((message) => message.source);

test("a GraphFlow answers over POST /v1/chat, and its next turn resumes the graph from the stored session", async () => {
  const first = await chat({ message: "A tagline for hearth.", team: "review" });
  assert.equal(first.status, 200);
  assert.deepEqual(sources(first.body), ["user", "writer", "reviewer", "writer"]);
  assert.equal(first.body.stopReason, "Maximum number of turns 3 reached.");
  const sessionId = first.body.sessionId;

  const stored = (await (await fetch(`${server.url}/v1/sessions/${sessionId}`)).json()) as SessionJSON;
  assert.equal(stored.version, 2);
  assert.equal(stored.team?.kind, "graph-flow");
  assert.deepEqual(stored.team?.graph?.ready, ["reviewer"], "the reviewer is next");

  const second = await chat({ message: "Keep it short.", team: "review", sessionId });
  assert.equal(second.status, 200);
  assert.deepEqual(sources(second.body), ["user", "reviewer", "publisher"]);
  assert.equal(second.body.stopReason, "Digraph execution is complete");
  assert.equal(second.body.messages.at(-1)?.content, "Published.");
});
