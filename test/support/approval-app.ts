// An app whose refunds wait for a person's approval, for the tool-approval tests (in process and
// spawned): its model is whatever OPENAI_BASE_URL points at, and its mock scripts the tool calls.
import {
  AgentTool,
  AssistantAgent,
  defineApp,
  defineTool,
  HandoffTermination,
  OpenAIChatCompletionClient,
  Swarm,
} from "hearth";
import type { MockChatRequest, MockReply } from "hearth/testing";

const refund = defineTool({
  name: "refund",
  description: "Refund an order.",
  parameters: { type: "object", properties: { order: { type: "string" } }, required: ["order"] },
  needsApproval: true,
  execute: ({ order }) => `refunded ${String(order)}`,
});
const lookup = defineTool({
  name: "lookup",
  description: "Look an order up.",
  parameters: { type: "object", properties: { order: { type: "string" } }, required: ["order"] },
  execute: ({ order }) => `order ${String(order)} shipped`,
});

/**
 * The model: the user's message names the calls ("refund A1", "mix"); once the tools have answered,
 * it says what they said. Call ids name the call, so a test knows them before the turn.
 */
export function approvalModel(request: MockChatRequest): MockReply {
  const last = request.messages.at(-1);
  if (last?.role === "tool") {
    const results = request.messages.filter((message) => message.role === "tool").slice(-3);
    return { content: `Done: ${results.map((message) => String(message.content)).join(" | ")}` };
  }
  const text = typeof last?.content === "string" ? last.content : "";
  // "delegate refund F6": the lead hands "refund F6" to its clerk, an agent used as a tool.
  const delegated = /^delegate (refund (\w+))/.exec(text);
  if (delegated !== null)
    return {
      toolCalls: [
        {
          id: `call_delegate_${delegated[2]?.toLowerCase()}`,
          name: "refund_desk",
          arguments: { task: delegated[1] },
        },
      ],
    };
  if (text.startsWith("mix"))
    return {
      toolCalls: [
        { id: "call_refund_a1", name: "refund", arguments: { order: "A1" } },
        { id: "call_lookup_a1", name: "lookup", arguments: { order: "A1" } },
        { id: "call_refund_b2", name: "refund", arguments: { order: "B2" } },
      ],
    };
  const order = /refund (\w+)/.exec(text)?.[1];
  if (order !== undefined)
    return { toolCalls: [{ id: `call_refund_${order.toLowerCase()}`, name: "refund", arguments: { order } }] };
  return { content: `You said: ${text}` };
}

export default defineApp({
  name: "approvals",
  models: {
    default: () =>
      new OpenAIChatCompletionClient({ model: "mock", baseURL: process.env.OPENAI_BASE_URL ?? "", apiKey: "sk-test" }),
  },
  agents: {
    refunds: ({ models }) =>
      new AssistantAgent({
        name: "refunds",
        modelClient: models.default,
        tools: [refund, lookup],
        reflectOnToolUse: true,
      }),
    lead: ({ models }) =>
      new AssistantAgent({
        name: "lead",
        modelClient: models.default,
        tools: [
          new AgentTool(
            new AssistantAgent({ name: "clerk", modelClient: models.default, tools: [refund], reflectOnToolUse: true }),
            { name: "refund_desk" },
          ),
        ],
        reflectOnToolUse: true,
      }),
    // Refunds itself and through its clerk, who may refund twice in a task: one step may wait for
    // its own call and the clerk's, and the clerk may wait again once answered.
    manager: ({ models }) =>
      new AssistantAgent({
        name: "manager",
        modelClient: models.default,
        tools: [
          refund,
          new AgentTool(
            new AssistantAgent({
              name: "clerk",
              modelClient: models.default,
              tools: [refund],
              maxToolIterations: 2,
              reflectOnToolUse: true,
            }),
            { name: "refund_desk" },
          ),
        ],
        reflectOnToolUse: true,
      }),
  },
  teams: {
    desk: ({ models }) =>
      new Swarm({
        name: "desk",
        participants: [
          new AssistantAgent({
            name: "billing",
            modelClient: models.default,
            tools: [refund, lookup],
            reflectOnToolUse: true,
            handoffs: ["user"],
          }),
        ],
        termination: new HandoffTermination("user"),
        maxTurns: 1,
      }),
  },
});
