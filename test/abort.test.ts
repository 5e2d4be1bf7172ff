// Aborting a run closes its request to the model provider at once and leaves the session as it was.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AssistantAgent, ConnectionPools, HearthError, OpenAIChatCompletionClient } from "hearth";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";

let mock: MockOpenAIServer;
const pools = new ConnectionPools();

before(async () => {
  mock = await startMockOpenAIServer();
});
after(async () => {
  pools.close();
  await mock.close();
});

async function firstRequest(): Promise<void> {
  while (mock.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
}

for (const stream of [false, true]) {
  test(`an aborted ${stream ? "streaming " : ""}run closes its HTTP request and leaves the session unchanged`, async () => {
    mock.requests.length = 0;
    const agent = new AssistantAgent({
      name: "assistant",
      modelClient: new OpenAIChatCompletionClient({
        model: "mock",
        baseURL: mock.url,
        apiKey: "k",
        connectionPools: pools,
      }),
      modelClientStream: stream,
    });
    const session = agent.createSession();
    await agent.run({ task: "first turn", session });
    const before = JSON.stringify(session.toJSON());

    mock.requests.length = 0;
    mock.enqueue({ fault: "delay", ms: 60_000 });
    const controller = new AbortController();
    const pending = agent.run({ task: "second turn", session, signal: controller.signal });
    await firstRequest();
    controller.abort();
    await assert.rejects(pending, (error) => HearthError.is(error, "HEARTH_ABORTED"));
    await mock.waitForEarlyClose(0, 2_000);
    assert.equal(JSON.stringify(session.toJSON()), before);

    // The session is usable again at once.
    const next = await agent.run({ task: "third turn", session });
    assert.equal(next.messages.at(-1)?.type, "text");
    assert.equal(session.messages.length, 4);
  });
}
