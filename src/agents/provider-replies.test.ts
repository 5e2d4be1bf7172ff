/**
 * Recorded provider answers (src/models/openai/fixtures/README.md names their sources) through an
 * agent and the OpenAI client: refusals, and thoughts that must survive the session to go back.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, beforeEach, describe, test } from "node:test";
import { HearthError } from "../core/errors.ts";
import type { TextMessage } from "../core/messages.ts";
import { Session } from "../core/session.ts";
import { ConnectionPools } from "../models/connection-pools.ts";
import { OpenAIChatCompletionClient } from "../models/openai/openai-client.ts";
import { startMockOpenAIServer, type MockOpenAIServer } from "../testing/mock-openai-server.ts";
import { defineTool } from "../tools/define-tool.ts";
import { AssistantAgent } from "./assistant-agent.ts";

const fixture = (name: string) => readFileSync(new URL(`../models/openai/fixtures/${name}`, import.meta.url), "utf8");
const raw = (name: string) => ({ fault: "raw" as const, body: fixture(name) });

const weather = defineTool({
  name: "weather",
  description: "Weather for a place.",
  parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
  execute: ({ location }) => `sunny in ${String(location)}`,
});
const getWeather = defineTool({ ...weather, name: "get_weather" });

let mock: MockOpenAIServer;
let pools: ConnectionPools;
const modelClient = () =>
  new OpenAIChatCompletionClient({ model: "mock-model", baseURL: mock.url, connectionPools: pools });

before(async () => {
  mock = await startMockOpenAIServer();
});
beforeEach(() => {
  pools?.close();
  pools = new ConnectionPools();
  mock.requests.length = 0;
});
after(async () => {
  pools.close();
  await mock.close();
});

/** A session as a store would give it back: through its JSON text. */
const stored = (session: Session) => Session.fromJSON(JSON.stringify(session.toJSON()));

for (const stream of [false, true]) {
  const path = stream ? "streamed" : "plain";
  const refusal = stream ? "stream-openai-refusal.sse" : "completion-openai-refusal.json";

  describe(`an OpenAI refusal (${path})`, () => {
    test("is the agent's reply, marked as a refusal, not an empty text message", async () => {
      const agent = new AssistantAgent({ name: "helper", modelClient: modelClient(), modelClientStream: stream });
      mock.enqueue(raw(refusal));
      const result = await agent.run({ task: "Something it will not do" });
      const reply = result.messages.at(-1) as TextMessage;
      assert.equal(reply.type, "text");
      assert.equal(reply.content, "I'm very sorry, but I can't assist with that request.");
      assert.deepEqual(reply.metadata, { refusal: "true" });
    });

    test("with an outputSchema is HEARTH_MODEL_CONTENT_FILTER quoting it, not 'the reply is not JSON'", async () => {
      const agent = new AssistantAgent({
        name: "helper",
        modelClient: modelClient(),
        modelClientStream: stream,
        outputSchema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] },
      });
      mock.enqueue(raw(refusal));
      await assert.rejects(agent.run({ task: "Something it will not do" }), (error: unknown) => {
        assert.ok(HearthError.is(error, "HEARTH_MODEL_CONTENT_FILTER"), String(error));
        assert.match(error.message, /the model refused to give the structured reply: I'm very sorry/);
        return true;
      });
    });
  });

  describe(`thoughts that must go back survive the session (${path})`, () => {
    test("DeepSeek: the next request after a tool-call turn, from the stored session, carries reasoning_content", async () => {
      const agent = new AssistantAgent({
        name: "helper",
        modelClient: modelClient(),
        modelClientStream: stream,
        tools: [weather],
      });
      mock.enqueue(raw(stream ? "stream-deepseek-tool-call.sse" : "completion-deepseek-tool-call.json"));
      const session = agent.createSession();
      const first = await agent.run({ task: "Weather in San Francisco?", session });
      assert.equal(first.messages.at(-1)?.type, "tool-call-summary");
      const thought = first.messages.find((message) => message.type === "thought")?.content;
      assert.match(String(thought), /^The user is asking for the weather in San Francisco/);

      await agent.run({ task: "Thanks", session: stored(session) });
      const sent = mock.requests[1]?.body?.messages as unknown as Record<string, unknown>[];
      const assistant = sent.find((message) => message.role === "assistant" && message.tool_calls !== undefined);
      assert.equal(assistant?.reasoning_content, thought);
    });

    test("Gemini: the stored session sends the thought signature back on the first tool call", async () => {
      const agent = new AssistantAgent({
        name: "helper",
        modelClient: modelClient(),
        modelClientStream: stream,
        tools: [getWeather],
      });
      mock.enqueue(
        raw(stream ? "stream-gemini-tool-call-signature.sse" : "completion-gemini-tool-call-signature.json"),
      );
      const session = agent.createSession();
      await agent.run({ task: "Weather in Paris?", session });
      await agent.run({ task: "Thanks", session: stored(session) });
      const sent = mock.requests[1]?.body?.messages as unknown as Record<string, unknown>[];
      const assistant = sent.find((message) => message.role === "assistant" && message.tool_calls !== undefined);
      const calls = assistant?.tool_calls as Record<string, unknown>[];
      const signature = stream ? "Eo4GCosGsignature-stream" : "EocDCoQDAdHtim9signature-one";
      assert.deepEqual(calls[0]?.extra_content, { google: { thought_signature: signature } });
      assert.equal(assistant?.reasoning_content, undefined);
    });
  });
}
