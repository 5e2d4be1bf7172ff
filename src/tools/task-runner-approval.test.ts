// Tool approval inside AgentTool and TeamTool: a call the inner agent makes that waits for a person
// makes the outer turn wait too, and the run that answers resumes the inner run from its session.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { HearthError } from "../core/errors.ts";
import type { AgentMessage, TaskResult, ToolResult, WaitingToolCall } from "../core/messages.ts";
import { Session } from "../core/session.ts";
import { RoundRobinGroupChat } from "../teams/round-robin-group-chat.ts";
import { ScriptedModelClient, type ScriptedReply } from "../testing/scripted-model-client.ts";
import { defineTool } from "./define-tool.ts";
import { AgentTool, TeamTool, type TaskRunnerToolOptions } from "./task-runner-tool.ts";
import { approvalTools as tools } from "../agents/approval-tools.cases.ts";

const refundCall = (id: string, order: string) => ({ toolCalls: [{ id, name: "refund", arguments: { order } }] });
const delegate = (id: string, task: string, name = "billing") => ({
  toolCalls: [{ id, name, arguments: { task } }],
});

/** The billing agent (with the refund tool) as a tool of a lead agent, each scripted. */
function desk(
  billingReplies: ScriptedReply[],
  leadReplies: ScriptedReply[],
  options: { agentTool?: TaskRunnerToolOptions; billingIterations?: number } = {},
) {
  const { ran, refund, lookup } = tools();
  const billingModel = new ScriptedModelClient({ replies: billingReplies });
  const billing = new AssistantAgent({
    name: "billing",
    description: "Refunds orders.",
    modelClient: billingModel,
    tools: [refund],
    reflectOnToolUse: true,
    maxToolIterations: options.billingIterations ?? 1,
  });
  const leadModel = new ScriptedModelClient({ replies: leadReplies });
  const lead = new AssistantAgent({
    name: "lead",
    modelClient: leadModel,
    tools: [new AgentTool(billing, options.agentTool), refund, lookup],
  });
  return { ran, billingModel, lead, leadModel };
}

function waitingOf(result: TaskResult): readonly WaitingToolCall[] {
  const last = result.messages.at(-1);
  return last?.type === "tool-approval-request" ? last.toolCalls : [];
}

function executionOf(messages: readonly AgentMessage[]): readonly ToolResult[] {
  const execution = messages.findLast((message) => message.type === "tool-call-execution");
  return execution?.type === "tool-call-execution" ? execution.results : [];
}

test("an inner call waiting for approval makes the outer turn wait, naming the inner call under a unique id", async () => {
  const { ran, lead } = desk([refundCall("r1", "A1")], [delegate("d1", "refund A1")]);
  const session = lead.createSession();
  const paused = await lead.run({ task: "Refund A1", session });
  assert.equal(paused.stopReason, "tool-approval-request");
  assert.deepEqual(
    paused.messages.map((message) => message.type),
    ["text", "tool-call-request", "tool-approval-request"],
  );
  assert.deepEqual(waitingOf(paused), [
    {
      id: "d1/r1",
      name: "refund",
      arguments: '{"order":"A1"}',
      within: [{ callId: "d1", tool: "billing", agent: "billing" }],
    },
  ]);
  assert.deepEqual(ran, []);
  const pending = session.pendingApproval;
  assert.deepEqual(pending?.pending, []);
  assert.deepEqual(
    pending?.suspended?.map((entry) => [entry.call.id, entry.waiting.map((call) => call.id)]),
    [["d1", ["d1/r1"]]],
  );
  // The inner session, as JSON, waits on its own call under its own id.
  const inner = Session.fromJSON(pending?.suspended?.[0]?.state);
  assert.deepEqual(
    inner.pendingApproval?.pending.map((call) => call.id),
    ["r1"],
  );
  assert.deepEqual(session.contextOf("lead"), [{ role: "user", content: "Refund A1", source: "user" }]);
  // Waiting, the session refuses a new message and names the inner call.
  await assert.rejects(lead.run({ task: "Hello?", session }), (error: unknown) => {
    assert.ok(HearthError.is(error, "HEARTH_APPROVAL_PENDING"));
    assert.deepEqual(error.callIds, ["d1/r1"]);
    return true;
  });
});

test("approved: the inner call runs, the inner agent's answer is the outer call's result, and the outer turn goes on", async () => {
  const { ran, lead, billingModel } = desk([refundCall("r1", "A1"), "Refunded A1."], [delegate("d1", "refund A1")]);
  const session = lead.createSession();
  await lead.run({ task: "Refund A1", session });
  const done = await lead.run({ session, approvals: [{ callId: "d1/r1", approved: true }] });
  assert.deepEqual(ran, ["refund A1"]);
  assert.deepEqual(
    billingModel.requests[1]?.messages.at(-1),
    { role: "tool", results: [{ callId: "r1", name: "refund", content: "refunded A1", isError: false }] },
    "the inner agent goes on from its own stored step",
  );
  assert.deepEqual(executionOf(done.messages), [
    { callId: "d1", name: "billing", content: "Refunded A1.", isError: false },
  ]);
  assert.equal(done.stopReason, "tool-call-summary");
  assert.equal(session.pendingApproval, undefined);
  assert.deepEqual(
    session.contextOf("lead").map((message) => message.role),
    ["user", "assistant", "tool"],
  );
});

test("rejected: the inner agent reads the person's reason as its call's result, and answers the outer call", async () => {
  const { ran, lead, billingModel } = desk(
    [refundCall("r1", "A1"), "I could not refund A1."],
    [delegate("d1", "refund A1"), "Billing could not refund it."],
  );
  const reflecting = lead.withOptions({ reflectOnToolUse: true });
  const session = reflecting.createSession();
  await reflecting.run({ task: "Refund A1", session });
  const done = await reflecting.run({
    session,
    approvals: [{ callId: "d1/r1", approved: false, reason: "over the limit" }],
  });
  assert.deepEqual(ran, []);
  const innerTool = billingModel.requests[1]?.messages.at(-1);
  const rejected = innerTool?.role === "tool" ? innerTool.results[0] : undefined;
  assert.equal(rejected?.errorCode, "HEARTH_TOOL_REJECTED");
  assert.match(rejected?.content ?? "", /did not approve this call to refund.*Reason: over the limit/);
  assert.deepEqual(executionOf(done.messages), [
    { callId: "d1", name: "billing", content: "I could not refund A1.", isError: false },
  ]);
  assert.equal(done.stopReason, "text");
});

test("a mix: the outer step's own waiting call, a call that ran at once and an inner waiting call, answered together", async () => {
  const { ran, lead } = desk(
    [refundCall("r1", "B2"), "Refunded B2."],
    [
      {
        toolCalls: [
          { id: "c1", name: "refund", arguments: { order: "A1" } },
          { id: "c2", name: "lookup", arguments: { order: "A1" } },
          { id: "d1", name: "billing", arguments: { task: "refund B2" } },
        ],
      },
    ],
  );
  const session = lead.createSession();
  const paused = await lead.run({ task: "Refund A1 and B2", session });
  assert.deepEqual(
    waitingOf(paused).map((call) => [call.id, call.name, call.within?.length ?? 0]),
    [
      ["c1", "refund", 0],
      ["d1/r1", "refund", 1],
    ],
  );
  const request = paused.messages.at(-1);
  assert.deepEqual(request?.type === "tool-approval-request" ? request.results.map((result) => result.callId) : [], [
    "c2",
  ]);
  assert.deepEqual(ran, ["lookup A1"]);

  const invalid = (ids: readonly string[]) => (error: unknown) => {
    assert.ok(HearthError.is(error, "HEARTH_APPROVAL_INVALID"));
    assert.deepEqual(error.callIds, ids);
    return true;
  };
  await assert.rejects(lead.run({ session, approvals: [{ callId: "c1", approved: true }] }), invalid(["d1/r1"]));
  await assert.rejects(
    lead.run({
      session,
      approvals: [
        { callId: "c1", approved: true },
        { callId: "r1", approved: true },
      ],
    }),
    invalid(["r1"]),
  );
  assert.deepEqual(ran, ["lookup A1"], "refused approvals run nothing");

  const done = await lead.run({
    session,
    approvals: [
      { callId: "d1/r1", approved: true },
      { callId: "c1", approved: false, reason: "not this one" },
    ],
  });
  assert.deepEqual(ran, ["lookup A1", "refund B2"]);
  assert.deepEqual(
    executionOf(done.messages).map((result) => [result.callId, result.isError, result.content.slice(0, 12)]),
    [
      ["c1", true, "Error: the u"],
      ["c2", false, "order A1: sh"],
      ["d1", false, "Refunded B2."],
    ],
  );
  assert.equal(session.pendingApproval, undefined);
});

test("the waiting step survives the session's JSON: fresh agents on a fresh Session resume the inner run", async () => {
  const first = desk([refundCall("r1", "A1")], [delegate("d1", "refund A1")]);
  const session = first.lead.createSession();
  await first.lead.run({ task: "Refund A1", session });
  const stored = JSON.stringify(session.toJSON());
  assert.equal(JSON.parse(stored).version, 3);

  // Another process: new definitions, new model clients, the session read back from its JSON.
  const second = desk(["Refunded A1."], ["Billing refunded A1."]);
  const reflecting = second.lead.withOptions({ reflectOnToolUse: true });
  const restored = Session.fromJSON(stored);
  const done = await reflecting.run({ session: restored, approvals: [{ callId: "d1/r1", approved: true }] });
  assert.deepEqual(first.ran, []);
  assert.deepEqual(second.ran, ["refund A1"]);
  assert.equal(done.stopReason, "text");
  assert.deepEqual(
    second.billingModel.requests[0]?.messages.map((message) => message.role),
    ["system", "user", "assistant", "tool"],
  );
  const reply = done.messages.at(-1);
  assert.equal(reply?.type === "text" ? reply.content : "", "Billing refunded A1.");
  assert.deepEqual(second.leadModel.requests[0]?.messages.at(-1), {
    role: "tool",
    results: [{ callId: "d1", name: "billing", content: "Refunded A1.", isError: false }],
  });
  assert.equal(Session.fromJSON(JSON.stringify(restored.toJSON())).pendingApproval, undefined);
});

test("an inner run that stops for approval again after resuming makes the outer turn wait again", async () => {
  const { ran, lead } = desk(
    [refundCall("r1", "A1"), refundCall("r2", "B2"), "Both refunded."],
    [delegate("d1", "refund A1 and B2")],
    { billingIterations: 2 },
  );
  const session = lead.createSession();
  await lead.run({ task: "Refund A1 and B2", session });
  const again = await lead.run({ session, approvals: [{ callId: "d1/r1", approved: true }] });
  assert.equal(again.stopReason, "tool-approval-request");
  assert.deepEqual(
    waitingOf(again).map((call) => call.id),
    ["d1/r2"],
  );
  assert.deepEqual(ran, ["refund A1"]);
  // The first call is answered and ran: it is not waiting any more.
  await assert.rejects(lead.run({ session, approvals: [{ callId: "d1/r1", approved: true }] }), (error: unknown) =>
    HearthError.is(error, "HEARTH_APPROVAL_INVALID"),
  );
  const done = await lead.run({ session, approvals: [{ callId: "d1/r2", approved: true }] });
  assert.deepEqual(ran, ["refund A1", "refund B2"]);
  assert.deepEqual(executionOf(done.messages), [
    { callId: "d1", name: "billing", content: "Both refunded.", isError: false },
  ]);
});

test("AgentTool's own needsApproval still holds the delegation; once approved, an inner waiting call makes the turn wait again", async () => {
  const { ran, lead } = desk([refundCall("r1", "A1"), "Refunded A1."], [delegate("d1", "refund A1")], {
    agentTool: { needsApproval: true },
  });
  const session = lead.createSession();
  const asked = await lead.run({ task: "Refund A1", session });
  assert.deepEqual(
    waitingOf(asked).map((call) => [call.id, call.name]),
    [["d1", "billing"]],
  );
  const inner = await lead.run({ session, approvals: [{ callId: "d1", approved: true }] });
  assert.deepEqual(
    waitingOf(inner).map((call) => call.id),
    ["d1/r1"],
  );
  const done = await lead.run({ session, approvals: [{ callId: "d1/r1", approved: true }] });
  assert.deepEqual(ran, ["refund A1"]);
  assert.equal(executionOf(done.messages)[0]?.content, "Refunded A1.");
});

test("a TeamTool: the member whose call waits is named, and the team resumes from its stored session", async () => {
  const { ran, refund } = tools();
  const clerkModel = new ScriptedModelClient({ replies: [refundCall("r1", "A1"), "Refunded A1."] });
  const team = new RoundRobinGroupChat({
    name: "refund_team",
    participants: [
      new AssistantAgent({ name: "clerk", modelClient: clerkModel, tools: [refund], reflectOnToolUse: true }),
      new AssistantAgent({
        name: "checker",
        modelClient: new ScriptedModelClient({ replies: ["Checked: A1 refunded."] }),
      }),
    ],
    maxTurns: 2,
  });
  const lead = new AssistantAgent({
    name: "lead",
    modelClient: new ScriptedModelClient({ replies: [delegate("t1", "refund A1", "refund_team")] }),
    tools: [new TeamTool(team, { description: "Refunds, checked." })],
  });
  const session = lead.createSession();
  const paused = await lead.run({ task: "Refund A1", session });
  assert.deepEqual(waitingOf(paused), [
    {
      id: "t1/r1",
      name: "refund",
      arguments: '{"order":"A1"}',
      within: [{ callId: "t1", tool: "refund_team", agent: "clerk" }],
    },
  ]);
  const restored = Session.fromJSON(JSON.stringify(session.toJSON()));
  const done = await lead.run({ session: restored, approvals: [{ callId: "t1/r1", approved: true }] });
  assert.deepEqual(ran, ["refund A1"]);
  assert.deepEqual(executionOf(done.messages), [
    { callId: "t1", name: "refund_team", content: "Checked: A1 refunded.", isError: false },
  ]);
});

test("nested: an AgentTool inside an agent behind an AgentTool waits and resumes through both", async () => {
  const { ran, refund } = tools();
  const billingModel = new ScriptedModelClient({ replies: [refundCall("r1", "A1"), "Refunded A1."] });
  const billing = new AssistantAgent({
    name: "billing",
    modelClient: billingModel,
    tools: [refund],
    reflectOnToolUse: true,
  });
  const managerModel = new ScriptedModelClient({ replies: [delegate("m1", "refund A1")] });
  const manager = new AssistantAgent({ name: "manager", modelClient: managerModel, tools: [new AgentTool(billing)] });
  const lead = new AssistantAgent({
    name: "lead",
    modelClient: new ScriptedModelClient({ replies: [delegate("o1", "get A1 refunded", "escalate")] }),
    tools: [new AgentTool(manager, { name: "escalate" })],
  });
  const session = lead.createSession();
  const paused = await lead.run({ task: "Refund A1", session });
  assert.deepEqual(waitingOf(paused), [
    {
      id: "o1/m1/r1",
      name: "refund",
      arguments: '{"order":"A1"}',
      within: [
        { callId: "o1", tool: "escalate", agent: "manager" },
        { callId: "m1", tool: "billing", agent: "billing" },
      ],
    },
  ]);
  const restored = Session.fromJSON(JSON.stringify(session.toJSON()));
  await assert.rejects(
    lead.run({ session: restored, approvals: [{ callId: "m1/r1", approved: true }] }),
    (error: unknown) => HearthError.is(error, "HEARTH_APPROVAL_INVALID"),
  );
  const done = await lead.run({ session: restored, approvals: [{ callId: "o1/m1/r1", approved: true }] });
  assert.deepEqual(ran, ["refund A1"]);
  // The manager's answer is its summary of billing's answer; the lead's result is the manager's.
  assert.deepEqual(executionOf(done.messages), [
    { callId: "o1", name: "escalate", content: "Refunded A1.", isError: false },
  ]);
  assert.equal(managerModel.requests.length, 1, "the manager's step resumes without a new model call");
});

test("execute() alone, with nobody to keep the inner session, fails readably; a resumed call whose tool changed is an error result", async () => {
  const { ran, lead } = desk([refundCall("r1", "A1")], [delegate("d1", "refund A1")]);
  const billing = new AssistantAgent({
    name: "billing",
    modelClient: new ScriptedModelClient({ replies: [refundCall("r1", "A1")] }),
    tools: [tools().refund],
  });
  await assert.rejects(
    new AgentTool(billing).execute(
      { task: "refund A1" },
      { signal: new AbortController().signal, callId: "x", context: {}, run: { synthetic: false } },
    ),
    (error: unknown) =>
      HearthError.is(error, "HEARTH_TOOL_FAILED") && /billing stopped on refund.*approval/.test(error.message),
  );

  const session = lead.createSession();
  await lead.run({ task: "Refund A1", session });
  const plain = defineTool({
    name: "billing",
    description: "Now a plain tool.",
    parameters: { type: "object", properties: { task: { type: "string" } } },
    execute: () => "should not run",
  });
  const changed = new AssistantAgent({
    name: "lead",
    modelClient: new ScriptedModelClient({ replies: [] }),
    tools: [plain],
  });
  const done = await changed.run({ session, approvals: [{ callId: "d1/r1", approved: true }] });
  const [result] = executionOf(done.messages);
  assert.equal(result?.isError, true);
  assert.match(result?.content ?? "", /billing cannot go on from where it waited for approvals/);
  assert.deepEqual(ran, []);
});

test("a stored suspended call must name its call, its state and waiting calls under its id", () => {
  const base = {
    version: 3,
    id: "s",
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    messages: [],
    contexts: {},
  };
  const call = { id: "d1", name: "billing", arguments: "{}" };
  const pendingApproval = (suspended: unknown) => ({
    agent: "lead",
    iteration: 1,
    content: "",
    toolCalls: [call],
    pending: [],
    results: [],
    suspended,
  });
  const good = [{ call, state: {}, waiting: [{ id: "d1/r1", name: "refund", arguments: "{}" }] }];
  assert.equal(Session.fromJSON({ ...base, pendingApproval: pendingApproval(good) }).pendingApproval?.agent, "lead");
  for (const bad of [
    [],
    "no",
    [{ call, state: {}, waiting: [{ id: "r1", name: "refund", arguments: "{}" }] }],
    [{ call, waiting: good[0]?.waiting }],
    [{ state: {}, waiting: good[0]?.waiting }],
  ])
    assert.throws(
      () => Session.fromJSON({ ...base, pendingApproval: pendingApproval(bad) }),
      (error: unknown) => HearthError.is(error, "HEARTH_SESSION_INVALID"),
      JSON.stringify(bad),
    );
});
