// One agent instance, 200 concurrent runs, 200 sessions: no conversation may leak into another.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AssistantAgent, ConnectionPools, defineTool, OpenAIChatCompletionClient, Session } from "hearth";
import { startMockOpenAIServer, type MockChatRequest, type MockOpenAIServer } from "hearth/testing";

let mock: MockOpenAIServer;
const pools = new ConnectionPools();

// The mock answers a user's first message with a tool call carrying the user's marker, and the
// tool's result with a reply quoting it, so a mixed-up context shows up as a wrong marker.
function respond(request: MockChatRequest) {
  const last = request.messages.at(-1);
  if (last?.role === "tool") return { content: `done: ${String(last.content)}` };
  const marker = /user-\d+/.exec(String(last?.content))?.[0] ?? "none";
  return { toolCalls: [{ name: "remember", arguments: { marker } }] };
}

before(async () => {
  mock = await startMockOpenAIServer({ respond, latencyMs: 5 });
});
after(async () => {
  pools.close();
  await mock.close();
});

test("200 concurrent runs on one agent with 200 sessions keep every session to its own messages", async () => {
  const remember = defineTool({
    name: "remember",
    description: "Echoes a marker.",
    parameters: { type: "object", properties: { marker: { type: "string" } }, required: ["marker"] },
    execute: async ({ marker }) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      return `marker ${String(marker)}`;
    },
  });
  const agent = new AssistantAgent({
    name: "assistant",
    modelClient: new OpenAIChatCompletionClient({
      model: "mock",
      baseURL: mock.url,
      apiKey: "k",
      connectionPools: pools,
    }),
    tools: [remember],
    reflectOnToolUse: true,
  });
  const sessions = Array.from({ length: 200 }, () => agent.createSession());
  const results = await Promise.all(
    sessions.map((session, index) => agent.run({ task: `I am user-${index}`, session })),
  );

  sessions.forEach((session, index) => {
    const own = `user-${index}`;
    const text = JSON.stringify(session.toJSON());
    const markers = new Set(text.match(/user-\d+/g));
    assert.deepEqual([...markers], [own], `session ${index} holds only its own marker`);
    assert.equal(session.messages.length, 4);
    assert.equal(session.contextOf("assistant").length, 4);
    const reply = results[index]?.messages.at(-1);
    assert.equal(reply?.type === "text" ? reply.content : "", `done: marker ${own}`);
    // The session still round-trips through JSON after the concurrent runs.
    assert.deepEqual(Session.fromJSON(JSON.parse(text)).toJSON(), session.toJSON());
  });
  assert.equal(mock.requests.length, 400);
});
