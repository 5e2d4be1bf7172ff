import type { MockChatRequest, MockReply } from "hearth/testing";

/**
 * How the mock model behaves for the memory example, standing in for a real provider: it answers
 * from the first document the request's memory note lists, or says it has none.
 */
export function documentsModel(request: MockChatRequest): MockReply {
  const note = request.messages.findLast(
    (message) =>
      message.role === "system" &&
      typeof message.content === "string" &&
      message.content.startsWith("Relevant documents"),
  );
  const first = typeof note?.content === "string" ? note.content.split("\n")[1] : undefined;
  if (first === undefined) return { content: "Our documents do not cover that; please ask at the counter." };
  return { content: `From our documents: ${first.replace(/^1\. /, "")}` };
}
