// How the mock model server plays the agents of the team tests: each agent is known by its system
// message, the selector by its prompt. Shared by the tests and the child process that resumes a swarm.
import type { MockChatRequest, MockReply } from "hearth/testing";

const systemOf = (request: MockChatRequest) =>
  request.messages[0]?.role === "system" ? String(request.messages[0].content) : "";
const last = (request: MockChatRequest) => request.messages.at(-1);

export function teamModels(request: MockChatRequest): MockReply {
  const system = systemOf(request);
  if (system.startsWith("You are in a role play game")) {
    // The selector: planner, then coder, then reviewer, read off the conversation so far.
    const history = system.split("Read the following conversation.")[1] ?? "";
    if (!history.includes("planner:")) return { content: "planner" };
    if (!history.includes("coder:")) return { content: "coder" };
    return { content: "reviewer" };
  }
  const canCall = (name: string) => request.tools?.some((tool) => tool.function.name === name) ?? false;
  const lastMessage = last(request);
  switch (system) {
    case "You are planner.":
      return { content: "Plan: write add(a, b) and test it." };
    case "You are coder.":
      return { content: "Code: const add = (a, b) => a + b;" };
    case "You are reviewer.":
      return { content: "Looks correct. APPROVE" };
    case "You are triage.":
      if (lastMessage?.role === "user" && canCall("transfer_to_billing"))
        return { toolCalls: [{ name: "transfer_to_billing", arguments: {} }] };
      return { content: "How can I help?" };
    case "You are billing.":
      return { content: "Your refund of 40 EUR is issued. TERMINATE" };
    case "You are support.":
      if (
        lastMessage?.role === "user" &&
        String(lastMessage.content).includes("address") &&
        canCall("transfer_to_user")
      ) {
        return { toolCalls: [{ name: "transfer_to_user", arguments: {} }] };
      }
      return { content: `Updated your address to: ${String(lastMessage?.content)}. TERMINATE` };
    default:
      return { content: `unknown agent: ${system}` };
  }
}
