import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { AssistantAgent } from "../../agents/assistant-agent.ts";
import { HearthError } from "../../core/errors.ts";
import type { ModelRequest } from "../../core/model-client.ts";
import { startMockOpenAIServer, type MockOpenAIServer } from "../../testing/mock-openai-server.ts";
import { defineTool } from "../../tools/define-tool.ts";
import { ConnectionPools } from "../connection-pools.ts";
import { OpenAIChatCompletionClient, type OpenAIChatCompletionClientOptions } from "./openai-client.ts";

const lookup = { name: "lookup_order", description: "Looks up an order.", parameters: { type: "object" } } as const;
const withTools: ModelRequest = { messages: [{ role: "user", content: "A123?" }], tools: [lookup] };
const withoutTools: ModelRequest = { messages: [{ role: "user", content: "hello" }] };

let mock: MockOpenAIServer;
let pools: ConnectionPools;

function client(options: Partial<OpenAIChatCompletionClientOptions> = {}): OpenAIChatCompletionClient {
  return new OpenAIChatCompletionClient({ model: "gpt-4o", baseURL: mock.url, connectionPools: pools, ...options });
}

const sent = () => mock.requests.map((request) => request.body?.parallel_tool_calls);

describe("parallel_tool_calls on the wire", () => {
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

  test("a client's parallelToolCalls is sent with tools only, streamed or not", async () => {
    const sequential = client({ parallelToolCalls: false });
    await sequential.create(withTools);
    for await (const _ of sequential.createStream(withTools));
    await sequential.create(withoutTools);
    await client().create(withTools);
    assert.deepEqual(sent(), [false, false, undefined, undefined]);
    assert.equal("parallel_tool_calls" in (mock.requests[2]?.body ?? {}), false);
    assert.equal("parallel_tool_calls" in (mock.requests[3]?.body ?? {}), false);
  });

  test("a request's own parallelToolCalls wins over the client's", async () => {
    await client({ parallelToolCalls: false }).create({ ...withTools, parallelToolCalls: true });
    await client({ parallelToolCalls: true }).create({ ...withTools, parallelToolCalls: false });
    assert.deepEqual(sent(), [true, false]);
  });

  test("an agent's parallelToolCalls goes with its tool-bearing calls, not with its reflection", async () => {
    const tool = defineTool({
      name: "lookup_order",
      description: "Looks up an order.",
      parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
      execute: ({ id }) => `order ${id}: shipped`,
    });
    mock.enqueue({ toolCalls: [{ name: "lookup_order", arguments: { id: "A123" } }] }, { content: "Shipped." });
    const agent = new AssistantAgent({
      name: "support",
      modelClient: client({ parallelToolCalls: true }),
      tools: [tool],
      parallelToolCalls: false,
      reflectOnToolUse: true,
    });
    const result = await agent.run({ task: "Where is A123?" });
    assert.equal(result.messages.at(-1)?.type, "text");
    assert.deepEqual(sent(), [false, undefined]);
    assert.equal(mock.requests[1]?.body?.tools, undefined);
  });

  test("a parallelToolCalls that is not a boolean fails at construction, naming the field", () => {
    assert.throws(
      () => client({ parallelToolCalls: "no" as unknown as boolean }),
      (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === "parallelToolCalls",
    );
    assert.throws(
      () =>
        new AssistantAgent({
          name: "support",
          modelClient: client(),
          parallelToolCalls: 0 as unknown as boolean,
        }),
      (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === "parallelToolCalls",
    );
  });
});
