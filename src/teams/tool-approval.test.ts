import assert from "node:assert/strict";
import { test } from "node:test";
import type { AssistantAgent } from "../agents/assistant-agent.ts";
import { HearthError } from "../core/errors.ts";
import type { AgentMessage } from "../core/messages.ts";
import { ScriptedModelClient, type ScriptedReply } from "../testing/scripted-model-client.ts";
import { defineTool } from "../tools/define-tool.ts";
import { RoundRobinGroupChat } from "./round-robin-group-chat.ts";
import { SelectorGroupChat } from "./selector-group-chat.ts";
import { Swarm } from "./swarm.ts";
import { SourceMatchTermination, TextMentionTermination } from "./termination.ts";
import { scriptedAgent as agent } from "./scripted-agent.cases.ts";

function refundTool(ran: string[]) {
  return defineTool({
    name: "refund",
    description: "Refund an order.",
    parameters: { type: "object", properties: { order: { type: "string" } }, required: ["order"] },
    needsApproval: true,
    execute: ({ order }) => {
      ran.push(String(order));
      return `refunded ${order}`;
    },
  });
}

const steps = (messages: readonly AgentMessage[]) => messages.map((message) => `${message.source}:${message.type}`);

test("swarm: a member's call waiting for approval stops the run; a fresh team from the saved JSON resumes that member", async () => {
  const ran: string[] = [];
  const makeTeam = (triage: ScriptedReply[], billing: ScriptedReply[]) =>
    new Swarm({
      participants: [
        agent("triage", triage, { handoffs: ["billing"] }),
        agent("billing", billing, { tools: [refundTool(ran)], reflectOnToolUse: true, handoffs: ["triage"] }),
      ],
      termination: new TextMentionTermination("TERMINATE"),
    });
  const first = makeTeam(
    [{ toolCalls: [{ name: "transfer_to_billing", arguments: {} }] }],
    [{ toolCalls: [{ id: "r1", name: "refund", arguments: { order: "A1" } }] }],
  );
  const session = first.createSession();
  const paused = await first.run({ task: "Refund A1.", session });
  assert.equal(paused.stopReason, "tool-approval-request");
  assert.deepEqual(steps(paused.messages), [
    "user:text",
    "triage:tool-call-request",
    "triage:tool-call-execution",
    "triage:handoff",
    "billing:tool-call-request",
    "billing:tool-approval-request",
  ]);
  assert.equal(session.pendingApproval?.agent, "billing");
  const saved = JSON.stringify(first.saveState(session));

  const second = makeTeam([], ["Refunded A1. TERMINATE"]);
  const restored = second.loadState(saved);
  await assert.rejects(second.run({ task: "hello?", session: restored }), (error: unknown) =>
    HearthError.is(error, "HEARTH_APPROVAL_PENDING"),
  );
  const resumed = await second.run({ session: restored, approvals: [{ callId: "r1", approved: true }] });
  assert.deepEqual(ran, ["A1"]);
  assert.deepEqual(steps(resumed.messages), ["billing:tool-call-execution", "billing:text"]);
  assert.equal(resumed.stopReason, "Text 'TERMINATE' mentioned");
  assert.equal(restored.pendingApproval, undefined);
  assert.equal(restored.team?.speaker, "billing");
  const billing = second.participants[1] as AssistantAgent;
  const seen = (billing.modelClient as ScriptedModelClient).requests[0]?.messages ?? [];
  assert.deepEqual(
    seen.slice(-2).map((message) => message.role),
    ["assistant", "tool"],
  );
});

test("selector: the member whose call waits resumes without a new selection, and a rejection reaches its model", async () => {
  const ran: string[] = [];
  const selector = new ScriptedModelClient({ replies: ["billing"] });
  const billing = agent(
    "billing",
    [{ toolCalls: [{ id: "r1", name: "refund", arguments: { order: "A1" } }] }, "I cannot refund A1."],
    {
      tools: [refundTool(ran)],
      reflectOnToolUse: true,
    },
  );
  const team = new SelectorGroupChat({
    participants: [agent("planner", []), billing],
    modelClient: selector,
    termination: new SourceMatchTermination(["billing"]),
  });
  const session = team.createSession();
  const paused = await team.run({ task: "Refund A1.", session });
  assert.equal(paused.stopReason, "tool-approval-request");
  const resumed = await team.run({ session, approvals: [{ callId: "r1", approved: false, reason: "policy" }] });
  assert.equal(selector.requests.length, 1, "the resumed turn is not chosen again");
  assert.deepEqual(ran, []);
  assert.deepEqual(steps(resumed.messages), ["billing:tool-call-execution", "billing:text"]);
  assert.equal(resumed.stopReason, "'billing' answered");
  const tool = (billing.modelClient as ScriptedModelClient).requests[1]?.messages.at(-1);
  assert.equal(tool?.role, "tool");
  assert.match(tool?.role === "tool" ? (tool.results[0]?.content ?? "") : "", /did not approve.*Reason: policy/);
  assert.equal(session.team?.speaker, "billing");
});

test("round-robin: the waiting member resumes, then the order goes on after it", async () => {
  const ran: string[] = [];
  const team = new RoundRobinGroupChat({
    participants: [
      agent("first", [{ toolCalls: [{ id: "r1", name: "refund", arguments: { order: "A1" } }] }], {
        tools: [refundTool(ran)],
      }),
      agent("second", ["Done."]),
    ],
    maxTurns: 2,
  });
  const session = team.createSession();
  assert.equal((await team.run({ task: "Go.", session })).stopReason, "tool-approval-request");
  assert.equal(session.team?.turn, 0);
  const resumed = await team.run({ session, approvals: [{ callId: "r1", approved: true }] });
  assert.deepEqual(steps(resumed.messages), ["first:tool-call-execution", "first:tool-call-summary", "second:text"]);
  assert.deepEqual(ran, ["A1"]);
  assert.equal(session.team?.turn, 2);
});

test("a member's resumed turn that fails after its approved call ran keeps that step: the call never runs twice", async () => {
  const ran: string[] = [];
  const billing = agent(
    "billing",
    [
      { toolCalls: [{ id: "r1", name: "refund", arguments: { order: "A1" } }] },
      new HearthError("HEARTH_MODEL_SERVER", "provider 503", { retryable: true }),
      "Refunded A1.",
    ],
    { tools: [refundTool(ran)], reflectOnToolUse: true },
  );
  const team = new RoundRobinGroupChat({ participants: [billing, agent("auditor", ["Logged."])], maxTurns: 2 });
  const session = team.createSession();
  assert.equal((await team.run({ task: "Refund A1.", session })).stopReason, "tool-approval-request");
  const approvals = [{ callId: "r1", approved: true }];
  // The reflection after the approved call fails: the run fails, but the call's step is kept.
  await assert.rejects(team.run({ session, approvals }), (error) => HearthError.is(error, "HEARTH_MODEL_SERVER"));
  assert.deepEqual(ran, ["A1"]);
  assert.equal(session.pendingApproval, undefined);
  assert.deepEqual(steps(session.messages).slice(-1), ["billing:tool-call-execution"]);
  await assert.rejects(team.run({ session, approvals }), (error) => HearthError.is(error, "HEARTH_APPROVAL_INVALID"));
  assert.deepEqual(ran, ["A1"]);
  // A new message goes on: the member whose turn failed speaks again, with the call's result in its context.
  const next = await team.run({ task: "Done?", session });
  assert.deepEqual(steps(next.messages), ["user:text", "billing:text", "auditor:text"]);
  assert.deepEqual(ran, ["A1"]);
  assert.equal((billing.modelClient as ScriptedModelClient).requests.at(-1)?.messages.at(-2)?.role, "tool");
});
