import type { MockChatRequest, MockReply } from "hearth/testing";

const folder = new URL("./policies/", import.meta.url).pathname;

/**
 * How the mock model behaves for the MCP example, standing in for a real provider: it reads the
 * policy document a question is about through the filesystem server's `read_text_file` tool, then
 * answers from what the tool returned.
 */
export function policyModel(request: MockChatRequest): MockReply {
  const last = request.messages.at(-1);
  if (last?.role === "tool" && typeof last.content === "string") {
    const body = last.content.split("\n\n").slice(1).join(" ").replace(/\s+/g, " ").trim();
    return { content: body === "" ? "I could not read that policy just now." : `From our policy: ${body}` };
  }
  const question = typeof last?.content === "string" ? last.content.toLowerCase() : "";
  const document = /ship|deliver/.test(question) ? "shipping.md" : /return|refund/.test(question) ? "returns.md" : "";
  const canRead = request.tools?.some((tool) => tool.function.name === "policies_read_text_file") ?? false;
  if (document !== "" && canRead)
    return { toolCalls: [{ name: "policies_read_text_file", arguments: { path: `${folder}${document}` } }] };
  return { content: "I can answer questions about returns and shipping." };
}
