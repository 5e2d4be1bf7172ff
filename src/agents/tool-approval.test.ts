import assert from "node:assert/strict";
import diagnosticsChannel from "node:diagnostics_channel";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import type { AgentMessage, ToolResult } from "../core/messages.ts";
import type { RunContext } from "../core/run-context.ts";
import { Session } from "../core/session.ts";
import { KeyedLock } from "../internal/keyed-lock.ts";
import { runSessionTurn } from "../runtime/session-turn.ts";
import { MemorySessionStore } from "../state/memory-session-store.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { defineTool } from "../tools/define-tool.ts";
import { AssistantAgent } from "./assistant-agent.ts";
import { approvalTools as tools } from "./approval-tools.cases.ts";

const types = (messages: readonly AgentMessage[]) => messages.map((message) => message.type);

function executionOf(messages: readonly AgentMessage[]): readonly ToolResult[] {
  const execution = messages.find((message) => message.type === "tool-call-execution");
  return execution?.type === "tool-call-execution" ? execution.results : [];
}

test("a call that needs approval stops the turn with its own stop reason, an event naming it, and the step in the session", async () => {
  const { ran, refund } = tools();
  const modelClient = new ScriptedModelClient({
    replies: [{ toolCalls: [{ id: "c1", name: "refund", arguments: { order: "A1" } }] }],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [refund] });
  const session = agent.createSession();
  const result = await agent.run({ task: "Refund A1", session });
  assert.equal(result.stopReason, "tool-approval-request");
  assert.deepEqual(types(result.messages), ["text", "tool-call-request", "tool-approval-request"]);
  const last = result.messages.at(-1);
  assert.deepEqual(last?.type === "tool-approval-request" ? last.toolCalls : undefined, [
    { id: "c1", name: "refund", arguments: '{"order":"A1"}' },
  ]);
  assert.deepEqual(ran, []);
  assert.equal(session.pendingApproval?.agent, "helper");
  assert.deepEqual(
    session.pendingApproval?.pending.map((call) => call.id),
    ["c1"],
  );
  // The model context never holds a call without its result: only the task so far.
  assert.deepEqual(session.contextOf("helper"), [{ role: "user", content: "Refund A1", source: "user" }]);
});

test("approved: the call runs, the model sees its result, and the session waits no more", async () => {
  const { ran, refund } = tools();
  const modelClient = new ScriptedModelClient({
    replies: [{ toolCalls: [{ id: "c1", name: "refund", arguments: { order: "A1" } }] }, "Refunded."],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [refund], reflectOnToolUse: true });
  const session = agent.createSession();
  await agent.run({ task: "Refund A1", session });
  const result = await agent.run({ session, approvals: [{ callId: "c1", approved: true }] });
  assert.deepEqual(ran, ["refund A1"]);
  assert.deepEqual(types(result.messages), ["tool-call-execution", "text"]);
  assert.equal(result.stopReason, "text");
  assert.deepEqual(modelClient.requests[1]?.messages.slice(-2), [
    {
      role: "assistant",
      content: "",
      toolCalls: [{ id: "c1", name: "refund", arguments: '{"order":"A1"}' }],
      source: "helper",
    },
    { role: "tool", results: [{ callId: "c1", name: "refund", content: "refunded A1", isError: false }] },
  ]);
  assert.equal(session.pendingApproval, undefined);
  assert.deepEqual(
    session.contextOf("helper").map((message) => message.role),
    ["user", "assistant", "tool", "assistant"],
  );
});

test("a session waiting for approvals is written as format 3, which a hearth reading only 2 refuses; answered, it is 2 again", async () => {
  const { refund } = tools();
  const modelClient = new ScriptedModelClient({
    replies: [{ toolCalls: [{ id: "c1", name: "refund", arguments: { order: "A1" } }] }, "Refunded."],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [refund], reflectOnToolUse: true });
  const session = agent.createSession();
  assert.equal(session.toJSON().version, 2);
  await agent.run({ task: "Refund A1", session });
  const waiting = session.toJSON();
  assert.equal(waiting.version, 3);
  const restored = Session.fromJSON(JSON.stringify(waiting));
  assert.equal(restored.pendingApproval?.agent, "helper");
  await agent.run({ session: restored, approvals: [{ callId: "c1", approved: true }] });
  assert.equal(restored.toJSON().version, 2);
});

test("rejected: the tool does not run and the model reads an error result with the reason", async () => {
  const { ran, refund } = tools();
  const modelClient = new ScriptedModelClient({
    replies: [{ toolCalls: [{ id: "c1", name: "refund", arguments: { order: "A1" } }] }, "I could not refund it."],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [refund], reflectOnToolUse: true });
  const session = agent.createSession();
  await agent.run({ task: "Refund A1", session });
  const result = await agent.run({
    session,
    approvals: [{ callId: "c1", approved: false, reason: "over the refund limit" }],
  });
  assert.deepEqual(ran, []);
  const [rejected] = executionOf(result.messages);
  assert.equal(rejected?.isError, true);
  assert.equal(rejected?.errorCode, "HEARTH_TOOL_REJECTED");
  assert.match(rejected?.content ?? "", /did not approve.*refund.*Reason: over the refund limit/);
  assert.deepEqual(modelClient.requests[1]?.messages.at(-1), { role: "tool", results: [rejected] });
  assert.equal(result.stopReason, "text");
});

test("a mix: calls needing no approval run at once, and the answered ones join them in the model's order", async () => {
  const { ran, refund, lookup } = tools();
  const modelClient = new ScriptedModelClient({
    replies: [
      {
        toolCalls: [
          { id: "c1", name: "refund", arguments: { order: "A1" } },
          { id: "c2", name: "lookup", arguments: { order: "A1" } },
          { id: "c3", name: "refund", arguments: { order: "B2" } },
        ],
      },
    ],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [refund, lookup] });
  const session = agent.createSession();
  const paused = await agent.run({ task: "Refund A1 and B2", session });
  assert.deepEqual(ran, ["lookup A1"]);
  const request = paused.messages.at(-1);
  assert.deepEqual(request?.type === "tool-approval-request" ? request.toolCalls.map((call) => call.id) : [], [
    "c1",
    "c3",
  ]);
  const result = await agent.run({
    session,
    approvals: [
      { callId: "c3", approved: false, reason: "not this one" },
      { callId: "c1", approved: true },
    ],
  });
  assert.deepEqual(ran, ["lookup A1", "refund A1"]);
  const results = executionOf(result.messages);
  assert.deepEqual(
    results.map((entry) => [entry.callId, entry.isError]),
    [
      ["c1", false],
      ["c2", false],
      ["c3", true],
    ],
  );
  assert.equal(result.stopReason, "tool-call-summary");
});

test("needsApproval as a function gets the checked arguments and the run, and decides per call", async () => {
  const seen: unknown[] = [];
  const pay = defineTool({
    name: "pay",
    description: "Pay.",
    parameters: { type: "object", properties: { amount: { type: "number" } }, required: ["amount"] },
    needsApproval: (args, { callId, run, context }) => {
      seen.push({ args, callId, tenant: run.tenant, sessionId: run.sessionId, context });
      return Number(args.amount) > 100;
    },
    execute: ({ amount }) => `paid ${amount}`,
  });
  const modelClient = new ScriptedModelClient({
    replies: [
      {
        toolCalls: [
          { id: "small", name: "pay", arguments: { amount: 5 } },
          { id: "large", name: "pay", arguments: { amount: 500 } },
        ],
      },
    ],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [pay] });
  const run: RunContext = { synthetic: false, tenant: "acme", sessionId: "s1" };
  const result = await agent.run({ task: "Pay", run, context: { customer: "c9" } });
  const request = result.messages.at(-1);
  assert.deepEqual(request?.type === "tool-approval-request" ? request.toolCalls.map((call) => call.id) : [], [
    "large",
  ]);
  assert.deepEqual(seen, [
    { args: { amount: 5 }, callId: "small", tenant: "acme", sessionId: "s1", context: { customer: "c9" } },
    { args: { amount: 500 }, callId: "large", tenant: "acme", sessionId: "s1", context: { customer: "c9" } },
  ]);
});

test("a run without approvals on a waiting session is HEARTH_APPROVAL_PENDING naming the calls, and changes nothing", async () => {
  const { refund } = tools();
  const modelClient = new ScriptedModelClient({
    replies: [{ toolCalls: [{ id: "c1", name: "refund", arguments: { order: "A1" } }] }],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [refund] });
  const session = agent.createSession();
  await agent.run({ task: "Refund A1", session });
  const before = JSON.stringify(session.toJSON());
  await assert.rejects(agent.run({ task: "Hello?", session }), (error: unknown) => {
    assert.ok(HearthError.is(error, "HEARTH_APPROVAL_PENDING"));
    assert.deepEqual(error.callIds, ["c1"]);
    assert.match(error.message, /"c1".*approvals/);
    return true;
  });
  assert.equal(JSON.stringify(session.toJSON()), before);
});

test("approvals that name an unknown call, miss a waiting one, or come for a session that waits for none are refused", async () => {
  const { refund } = tools();
  const modelClient = new ScriptedModelClient({
    replies: [
      {
        toolCalls: [
          { id: "c1", name: "refund", arguments: { order: "A1" } },
          { id: "c2", name: "refund", arguments: { order: "B2" } },
        ],
      },
    ],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [refund] });
  const session = agent.createSession();
  await agent.run({ task: "Refund", session });
  const invalid = (ids: readonly string[]) => (error: unknown) => {
    assert.ok(HearthError.is(error, "HEARTH_APPROVAL_INVALID"));
    assert.deepEqual(error.callIds, ids);
    return true;
  };
  await assert.rejects(
    agent.run({
      session,
      approvals: [
        { callId: "c1", approved: true },
        { callId: "c2", approved: true },
        { callId: "nope", approved: true },
      ],
    }),
    invalid(["nope"]),
  );
  await assert.rejects(agent.run({ session, approvals: [{ callId: "c1", approved: true }] }), invalid(["c2"]));
  await assert.rejects(agent.run({ approvals: [{ callId: "c1", approved: true }] }), invalid(["c1"]));
  await assert.rejects(
    agent.run({ session, task: "and this", approvals: [{ callId: "c1", approved: true }] }),
    (error: unknown) => HearthError.is(error, "HEARTH_INVALID_REQUEST") && error.field === "task",
  );
  await assert.rejects(
    agent.run({ session, approvals: [{ callId: "c1", approved: "yes" }] as never }),
    (error: unknown) => HearthError.is(error, "HEARTH_INVALID_REQUEST") && error.field === "approvals[0].approved",
  );
  assert.notEqual(session.pendingApproval, undefined);
});

test("a waiting step survives the session's JSON: another agent instance resumes it", async () => {
  const first = tools();
  const agent = new AssistantAgent({
    name: "helper",
    modelClient: new ScriptedModelClient({
      replies: [{ toolCalls: [{ id: "c1", name: "refund", arguments: { order: "A1" } }] }],
    }),
    tools: [first.refund],
  });
  const session = agent.createSession();
  await agent.run({ task: "Refund A1", session });
  const stored = JSON.stringify(session.toJSON());

  const second = tools();
  const modelClient = new ScriptedModelClient({ replies: ["Done."] });
  const fresh = new AssistantAgent({ name: "helper", modelClient, tools: [second.refund], reflectOnToolUse: true });
  const restored = Session.fromJSON(stored);
  const result = await fresh.run({ session: restored, approvals: [{ callId: "c1", approved: true }] });
  assert.deepEqual(second.ran, ["refund A1"]);
  assert.equal(result.stopReason, "text");
  assert.deepEqual(
    modelClient.requests[0]?.messages.map((message) => message.role),
    ["system", "user", "assistant", "tool"],
  );
  assert.equal(Session.fromJSON(JSON.stringify(restored.toJSON())).pendingApproval, undefined);
});

test("a second iteration may wait again; a synthetic warm-up run never waits", async () => {
  const { ran, refund } = tools();
  const modelClient = new ScriptedModelClient({
    replies: [
      { toolCalls: [{ id: "c1", name: "refund", arguments: { order: "A1" } }] },
      { toolCalls: [{ id: "c2", name: "refund", arguments: { order: "B2" } }] },
      "Both done.",
    ],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [refund], maxToolIterations: 3 });
  const session = agent.createSession();
  await agent.run({ task: "Refund both", session });
  const again = await agent.run({ session, approvals: [{ callId: "c1", approved: true }] });
  assert.equal(again.stopReason, "tool-approval-request");
  assert.deepEqual(session.pendingApproval?.iteration, 2);
  const done = await agent.run({ session, approvals: [{ callId: "c2", approved: true }] });
  assert.equal(done.stopReason, "text");
  assert.deepEqual(ran, ["refund A1", "refund B2"]);

  const warm = new AssistantAgent({
    name: "helper",
    modelClient: new ScriptedModelClient({
      replies: [{ toolCalls: [{ id: "w1", name: "refund", arguments: { order: "W" } }] }],
    }),
    tools: [refund],
  });
  const synthetic = await warm.run({ task: "warm", run: { synthetic: true } });
  assert.equal(synthetic.stopReason, "tool-call-summary");
});

test("defineTool refuses a needsApproval that is neither a boolean nor a function", () => {
  assert.throws(
    () =>
      defineTool({
        name: "x",
        description: "x",
        parameters: { type: "object", properties: {} },
        needsApproval: "yes" as never,
        execute: () => "",
      }),
    (error: unknown) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === "needsApproval",
  );
});

test("a resumed turn that fails after its approved call ran keeps that step: the call never runs twice", async () => {
  const { refund, ran } = tools();
  const modelClient = new ScriptedModelClient({
    replies: [
      { toolCalls: [{ id: "c1", name: "refund", arguments: { order: "A1" } }] },
      new HearthError("HEARTH_MODEL_SERVER", "provider 503", { retryable: true }),
      "Refunded.",
    ],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [refund], reflectOnToolUse: true });
  const store = new MemorySessionStore();
  const locks = new KeyedLock();
  const turn = { runner: agent, store, tenant: "t", sessionId: "s1" };
  const first = await runSessionTurn(locks, { ...turn, task: "Refund A1", createSession: true });
  assert.equal(first.result.stopReason, "tool-approval-request");
  assert.equal(first.reply, "", "a turn waiting for approval has no reply of its own");
  const approvals = [{ callId: "c1", approved: true }];
  // The reflection after the approved call fails: the turn fails, but the call's step is stored.
  await assert.rejects(runSessionTurn(locks, { ...turn, approvals }), { code: "HEARTH_MODEL_SERVER" });
  const stored = await store.get("t", "s1");
  assert.equal(stored?.session.pendingApproval, undefined);
  assert.deepEqual(ran, ["refund A1"]);
  // The same approvals again: nothing waits any more, so nothing runs again.
  await assert.rejects(runSessionTurn(locks, { ...turn, approvals }), { code: "HEARTH_APPROVAL_INVALID" });
  assert.deepEqual(ran, ["refund A1"]);
  // A message continues the conversation, with the call's result in the model's context.
  const next = await runSessionTurn(locks, { ...turn, task: "Done?" });
  assert.equal(next.reply, "Refunded.");
  assert.deepEqual(ran, ["refund A1"]);
});

test("with a tracer listening, a resumed turn still runs its approved call (plain and streamed)", async () => {
  const channel = diagnosticsChannel.channel("hearth:operation-start");
  const listener = () => undefined;
  channel.subscribe(listener);
  try {
    for (const streamed of [false, true]) {
      const { ran, refund } = tools();
      const modelClient = new ScriptedModelClient({
        replies: [{ toolCalls: [{ id: "c1", name: "refund", arguments: { order: "A1" } }] }, "Refunded."],
      });
      const agent = new AssistantAgent({ name: "helper", modelClient, tools: [refund], reflectOnToolUse: true });
      const session = agent.createSession();
      await agent.run({ task: "Refund A1", session });
      const approvals = [{ callId: "c1", approved: true }];
      let stopReason: string | undefined;
      if (streamed) {
        for await (const item of agent.runStream({ session, approvals }))
          if (item.type === "task-result") stopReason = item.stopReason;
      } else stopReason = (await agent.run({ session, approvals })).stopReason;
      assert.deepEqual(ran, ["refund A1"], streamed ? "streamed" : "plain");
      assert.equal(stopReason, "text");
      assert.equal(modelClient.requests.length, 2);
    }
  } finally {
    channel.unsubscribe(listener);
  }
});
