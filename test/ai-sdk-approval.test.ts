// Tool approval through the AI SDK's own chat (AbstractChat with the default transport, as
// `useChat` runs it) for calls made inside an agent used as a tool: the lead's clerk refunds, the
// page approves or rejects the clerk's call, and the next request resumes both.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { lastAssistantMessageIsCompleteWithApprovalResponses, type UIMessage } from "ai";
import { MemorySessionStore } from "hearth";
import { type HearthServer, serve } from "hearth/node";
import { type MockChatRequest, type MockReply, startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { PlainChat, type PlainChatOptions, textOf } from "./support/ai-sdk-chat.ts";
import app, { approvalModel } from "./support/approval-app.ts";

/**
 * The approval app's model, with two more scripts for its manager: "delegate twice J1 K2" hands
 * the clerk "refund J1 then K2", whose second refund it asks for once the first has answered;
 * "refund M1 and delegate refund N2" is the manager's own refund beside its clerk's.
 */
function model(request: MockChatRequest): MockReply {
  const task = request.messages.find((message) => message.role === "user")?.content;
  const text = typeof task === "string" ? task : "";
  const results = request.messages.filter((message) => message.role === "tool").length;
  const twice = /^delegate twice (\w+) (\w+)$/.exec(text);
  if (twice !== null && results === 0)
    return {
      toolCalls: [
        { id: "call_delegate_twice", name: "refund_desk", arguments: { task: `refund ${twice[1]} then ${twice[2]}` } },
      ],
    };
  const then = /^refund \w+ then (\w+)$/.exec(text)?.[1];
  if (then !== undefined && results === 1)
    return { toolCalls: [{ id: `call_refund_${then.toLowerCase()}`, name: "refund", arguments: { order: then } }] };
  const both = /^refund (\w+) and delegate (refund (\w+))$/.exec(text);
  if (both !== null && results === 0)
    return {
      toolCalls: [
        { id: `call_refund_${both[1]?.toLowerCase()}`, name: "refund", arguments: { order: both[1] } },
        { id: `call_delegate_${both[3]?.toLowerCase()}`, name: "refund_desk", arguments: { task: both[2] } },
      ],
    };
  return approvalModel(request);
}

let mock: MockOpenAIServer;
let server: HearthServer;

before(async () => {
  mock = await startMockOpenAIServer({ respond: model });
  process.env.OPENAI_BASE_URL = mock.url;
  server = await serve(app, { port: 0, store: new MemorySessionStore(), log: () => undefined });
});
after(async () => {
  await server?.close();
  await mock?.close();
});

/** The page of a chat with `agent`; `finished()` resolves as its next request ends. */
function chatWith(agent: string, options: Omit<PlainChatOptions, "api" | "body"> = {}) {
  const waiting: (() => void)[] = [];
  const chat = new PlainChat({
    ...options,
    api: `${server.url}/v1/chat`,
    body: { agent },
    onFinish: () => waiting.shift()?.(),
  });
  const finished = () => new Promise<void>((resolve) => waiting.push(resolve));
  return { chat, finished };
}

type ToolPart = Extract<UIMessage["parts"][number], { type: "dynamic-tool" }>;

/** The reply's tool parts, by call id. */
function toolParts(chat: PlainChat): Map<string, ToolPart> {
  const parts = chat.messages.at(-1)?.parts ?? [];
  return new Map(
    parts.filter((part): part is ToolPart => part.type === "dynamic-tool").map((part) => [part.toolCallId, part]),
  );
}

/** The stop reason `finish` gave the message as its metadata. */
const stopReasonOf = (message: UIMessage | undefined) =>
  (message?.metadata as { stopReason?: string } | undefined)?.stopReason;

/** The tool results the clerk's model read, in the requests the mock answered from `from` on. */
const clerkSaw = (from: number) =>
  mock.requests
    .slice(from)
    .flatMap((request) => request.body?.messages ?? [])
    .filter((message) => message.role === "tool")
    .map((message) => String(message.content));

test("useChat approves a call made inside an AgentTool: announced as its own tool call, it runs once approved", async () => {
  const { chat } = chatWith("lead");
  await chat.sendMessage({ text: "delegate refund F6" });
  assert.equal(chat.status, "ready", String(chat.error));
  const inner = "call_delegate_f6/call_refund_f6";
  const asked = toolParts(chat);
  assert.equal(asked.get("call_delegate_f6")?.toolName, "refund_desk");
  assert.equal(asked.get("call_delegate_f6")?.state, "input-available");
  const part = asked.get(inner);
  assert.equal(part?.toolName, "refund");
  assert.deepEqual(part?.input, { order: "F6" });
  assert.equal(part?.state, "approval-requested");
  assert.equal(part?.state === "approval-requested" ? part.approval.id : undefined, inner);
  // The clerk's call is a step of its own, after the lead's.
  assert.deepEqual(
    chat.messages[1]?.parts.map((each) => (each.type === "dynamic-tool" ? each.toolCallId : each.type)),
    ["call_delegate_f6", "step-start", inner],
  );
  assert.equal(stopReasonOf(chat.messages[1]), "tool-approval-request");

  const before = mock.requests.length;
  await chat.addToolApprovalResponse({ id: inner, approved: true });
  await chat.sendMessage();
  assert.equal(chat.status, "ready", String(chat.error));
  assert.equal(chat.messages.length, 2, "the answer continues the assistant message");
  assert.ok(clerkSaw(before).includes("refunded F6"), "the clerk's refund ran");
  const done = toolParts(chat);
  assert.equal(done.get("call_delegate_f6")?.state, "output-available");
  assert.equal(done.get("call_delegate_f6")?.output, "Done: refunded F6");
  // Its output stays inside the clerk's run: the part is settled with none.
  assert.equal(done.get(inner)?.state, "output-available");
  assert.equal(done.get(inner)?.output, null);
  assert.match(textOf(chat.messages[1]), /Done: Done: refunded F6$/);
  assert.equal(stopReasonOf(chat.messages[1]), "text");
});

test("useChat rejects a call made inside an AgentTool: the part is denied and the clerk reads the reason", async () => {
  const { chat } = chatWith("lead");
  await chat.sendMessage({ text: "delegate refund G7" });
  const inner = "call_delegate_g7/call_refund_g7";
  await chat.addToolApprovalResponse({ id: inner, approved: false, reason: "already refunded" });
  const before = mock.requests.length;
  await chat.sendMessage();
  assert.equal(chat.status, "ready", String(chat.error));
  assert.ok(!clerkSaw(before).includes("refunded G7"), "the refund did not run");
  assert.equal(toolParts(chat).get(inner)?.state, "output-denied");
  assert.match(textOf(chat.messages[1]), /Done: Done: Error: the user did not approve.*Reason: already refunded$/);
});

test("sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses sends the answer once, and not again", async () => {
  const { chat, finished } = chatWith("lead", {
    sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses,
  });
  await chat.sendMessage({ text: "delegate refund H8" });
  assert.equal(chat.status, "ready", String(chat.error));
  const sent = finished();
  await chat.addToolApprovalResponse({ id: "call_delegate_h8/call_refund_h8", approved: true });
  // The clerk's call is all its step waits for: the chat sends by itself.
  assert.equal(lastAssistantMessageIsCompleteWithApprovalResponses({ messages: chat.messages }), true);
  await sent;
  assert.equal(chat.status, "ready", String(chat.error));
  assert.match(textOf(chat.messages[1]), /Done: Done: refunded H8$/);
  // Every answered part is settled, so the chat sees nothing more to send.
  assert.equal(lastAssistantMessageIsCompleteWithApprovalResponses({ messages: chat.messages }), false);
});

test("an inner run that waits again: the answered call is settled and the next one announced, each answered in turn", async () => {
  const { chat } = chatWith("manager");
  await chat.sendMessage({ text: "delegate twice J1 K2" });
  const first = "call_delegate_twice/call_refund_j1";
  const second = "call_delegate_twice/call_refund_k2";
  assert.equal(toolParts(chat).get(first)?.state, "approval-requested");
  await chat.addToolApprovalResponse({ id: first, approved: true });
  await chat.sendMessage();
  assert.equal(chat.status, "ready", String(chat.error));
  const again = toolParts(chat);
  assert.equal(again.get(first)?.state, "output-available");
  assert.equal(again.get(second)?.state, "approval-requested");
  assert.deepEqual(again.get(second)?.input, { order: "K2" });
  assert.equal(again.get("call_delegate_twice")?.state, "input-available");

  // Only the second call is answered now: the first, settled, is not sent again.
  await chat.addToolApprovalResponse({ id: second, approved: false, reason: "one is enough" });
  await chat.sendMessage();
  assert.equal(chat.status, "ready", String(chat.error));
  const done = toolParts(chat);
  assert.equal(done.get(second)?.state, "output-denied");
  assert.equal(done.get("call_delegate_twice")?.state, "output-available");
  assert.match(textOf(chat.messages[1]), /Done: Done: refunded J1 \| Error: .*Reason: one is enough$/);
});

test("a step that waits for its own call and one inside its AgentTool: neither is sent alone, both answered go on", async () => {
  const { chat } = chatWith("manager", {
    sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses,
  });
  await chat.sendMessage({ text: "refund M1 and delegate refund N2" });
  assert.equal(chat.status, "ready", String(chat.error));
  const inner = "call_delegate_n2/call_refund_n2";
  const asked = toolParts(chat);
  assert.equal(asked.get("call_refund_m1")?.state, "approval-requested");
  assert.equal(asked.get(inner)?.state, "approval-requested");
  // No step between them: the chat's check sees the manager's own call waiting beside the clerk's.
  assert.ok(!chat.messages[1]?.parts.some((part) => part.type === "step-start"));
  await chat.addToolApprovalResponse({ id: inner, approved: true });
  assert.equal(lastAssistantMessageIsCompleteWithApprovalResponses({ messages: chat.messages }), false);
  await chat.addToolApprovalResponse({ id: "call_refund_m1", approved: true });
  await chat.sendMessage();
  assert.equal(chat.status, "ready", String(chat.error));
  const done = toolParts(chat);
  assert.equal(done.get("call_refund_m1")?.state, "output-available");
  assert.equal(done.get(inner)?.state, "output-available");
  assert.match(textOf(chat.messages[1]), /Done: refunded M1 \| Done: refunded N2$/);
});
