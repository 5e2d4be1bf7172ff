import assert from "node:assert/strict";
import { test } from "node:test";
import type { AssistantAgent } from "../agents/assistant-agent.ts";
import { HearthError } from "../core/errors.ts";
import type { AgentMessage, TaskResult } from "../core/messages.ts";
import type { ModelMessage, ModelRequest } from "../core/model-client.ts";
import { Session } from "../core/session.ts";
import { ScriptedModelClient, type ScriptedReply } from "../testing/scripted-model-client.ts";
import { defineTool } from "../tools/define-tool.ts";
import { RoundRobinGroupChat } from "./round-robin-group-chat.ts";
import { SelectorGroupChat } from "./selector-group-chat.ts";
import { Swarm } from "./swarm.ts";
import { SourceMatchTermination, TextMentionTermination } from "./termination.ts";
import { scriptedAgent as agent } from "./scripted-agent.cases.ts";

const said = (messages: readonly AgentMessage[]) =>
  messages.map((message) => `${message.source}:${message.type === "text" ? message.content : message.type}`);
const requestsOf = (member: unknown) => ((member as AssistantAgent).modelClient as ScriptedModelClient).requests;
const seen = (request: ModelRequest | undefined) =>
  (request?.messages ?? []).slice(1).map((message: ModelMessage) => {
    if (message.role === "tool") return "tool";
    return `${message.role}${message.role === "system" ? "" : `(${message.source ?? ""})`}: ${String(message.content)}`;
  });

/** A writers' team (drafter, then editor, until the editor says DONE) inside a round-robin with a critic. */
function crew(drafter: ScriptedReply[], editor: ScriptedReply[], critic: ScriptedReply[], maxTurns = 2) {
  const writers = new RoundRobinGroupChat({
    name: "writers",
    description: "Drafts and edits copy.",
    participants: [agent("drafter", drafter), agent("editor", editor)],
    termination: new TextMentionTermination("DONE"),
  });
  const team = new RoundRobinGroupChat({ name: "crew", participants: [writers, agent("critic", critic)], maxTurns });
  return { team, drafter: writers.participants[0], editor: writers.participants[1], critic: team.participants[1] };
}

test("a team inside a round-robin runs on the messages new to it until its own condition; its messages join the outer thread", async () => {
  const { team, drafter, editor, critic } = crew(
    ["Draft: cosy lamps."],
    ["Cosy lamps for long nights. DONE"],
    ["Too long."],
  );
  const session = team.createSession();
  const result = await team.run({ task: "Write a tagline.", session });
  assert.deepEqual(said(result.messages), [
    "user:Write a tagline.",
    "drafter:Draft: cosy lamps.",
    "editor:Cosy lamps for long nights. DONE",
    "critic:Too long.",
  ]);
  assert.equal(result.stopReason, "Maximum number of turns 2 reached.");
  assert.deepEqual(result.usage, { promptTokens: 30, completionTokens: 15 }, "the inner team's model calls count");
  assert.deepEqual(said(session.messages), said(result.messages), "the task is stored once");
  assert.deepEqual(seen(requestsOf(drafter)[0]), ["user(user): Write a tagline."]);
  assert.deepEqual(seen(requestsOf(editor)[0]), ["user(user): Write a tagline.", "user(drafter): Draft: cosy lamps."]);
  // The critic receives everything the team said, as AutoGen publishes a team's result to the others.
  assert.deepEqual(seen(requestsOf(critic)[0]), [
    "user(user): Write a tagline.",
    "user(drafter): Draft: cosy lamps.",
    "user(editor): Cosy lamps for long nights. DONE",
  ]);
  assert.deepEqual(session.team, {
    team: "crew",
    kind: "round-robin",
    turn: 2,
    delivered: { writers: 3, critic: 4 },
    nextSpeakerIndex: 0,
  });
  // The inner team's own progress lives in the outer session, as a session of its own.
  const json = session.toJSON();
  assert.equal(json.version, 3, "an older hearth refuses it rather than drop the member's session");
  const inner = json.memberSessions?.writers;
  assert.equal(inner?.team?.team, "writers");
  assert.deepEqual(inner?.team?.delivered, { drafter: 2, editor: 3 });
  assert.equal(inner?.messages.length, 3);
  assert.equal(inner?.id, session.id);
});

test("the inner team's state carries over to its next turn, across toJSON/fromJSON and new definitions", async () => {
  const first = crew(["Draft 1"], ["Edit 1 DONE"], ["Shorter, please."]);
  const session = first.team.createSession();
  await first.team.run({ task: "Write a tagline.", session });
  const stored = JSON.parse(JSON.stringify(session.toJSON()));

  // Another process: fresh definitions, the session from its JSON.
  const second = crew(["Draft 2"], ["Edit 2 DONE"], ["Good."]);
  const restored = Session.fromJSON(stored);
  const result = await second.team.run({ session: restored });
  assert.deepEqual(said(result.messages), ["drafter:Draft 2", "editor:Edit 2 DONE", "critic:Good."]);
  // The drafter keeps its context and receives only what is new to it: the editor's edit, then the critic's note.
  assert.deepEqual(seen(requestsOf(second.drafter)[0]), [
    "user(user): Write a tagline.",
    "assistant(drafter): Draft 1",
    "user(editor): Edit 1 DONE",
    "user(critic): Shorter, please.",
  ]);
  // The outer critic was not given the inner team's old messages again.
  assert.deepEqual(seen(requestsOf(second.critic)[0]).slice(-3), [
    "assistant(critic): Shorter, please.",
    "user(drafter): Draft 2",
    "user(editor): Edit 2 DONE",
  ]);
  assert.equal(restored.memberSession("writers")?.messages.length, 6, "task, 2 replies, the critic's note, 2 replies");
  assert.deepEqual(
    restored.thread.map((message) => message.source),
    ["user", "drafter", "editor", "critic", "drafter", "editor", "critic"],
  );
});

test("a run aborted inside the inner team leaves both sessions as they were; the next run plays the team's turn again", async () => {
  const controller = new AbortController();
  const abortMidway = async () => {
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 5));
    return "never stored";
  };
  const { team, drafter, editor } = crew(["Draft 1", "Draft 1 again"], [abortMidway, "Edit DONE"], ["Fine."]);
  const session = team.createSession();
  await assert.rejects(team.run({ task: "Write a tagline.", session, signal: controller.signal }), (error) =>
    HearthError.is(error, "HEARTH_ABORTED"),
  );
  assert.deepEqual(
    said(session.messages),
    ["user:Write a tagline."],
    "the inner drafter's reply waits for the whole turn",
  );
  assert.equal(session.memberSession("writers"), undefined);
  assert.deepEqual(session.team?.delivered, {});

  const restored = Session.fromJSON(JSON.parse(JSON.stringify(session.toJSON())));
  const result = await team.run({ session: restored });
  assert.deepEqual(said(result.messages), ["drafter:Draft 1 again", "editor:Edit DONE", "critic:Fine."]);
  assert.deepEqual(seen(requestsOf(drafter)[1]), ["user(user): Write a tagline."], "the task is given once");
  assert.deepEqual(seen(requestsOf(editor)[1]), ["user(user): Write a tagline.", "user(drafter): Draft 1 again"]);
});

test("a run aborted after the team's turn keeps it: the next run goes on with the next member, and the team resumes its state later", async () => {
  const controller = new AbortController();
  const abortNow = async () => {
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 5));
    return "never stored";
  };
  const { team, drafter } = crew(["Draft 1", "Draft 2"], ["Edit 1 DONE", "Edit 2 DONE"], [abortNow, "Shorter."]);
  const session = team.createSession();
  await assert.rejects(team.run({ task: "Write a tagline.", session, signal: controller.signal }), (error) =>
    HearthError.is(error, "HEARTH_ABORTED"),
  );
  assert.deepEqual(said(session.messages), ["user:Write a tagline.", "drafter:Draft 1", "editor:Edit 1 DONE"]);
  assert.equal(session.memberSession("writers")?.messages.length, 3);

  const restored = Session.fromJSON(JSON.parse(JSON.stringify(session.toJSON())));
  const result = await team.run({ session: restored });
  assert.deepEqual(said(result.messages), ["critic:Shorter.", "drafter:Draft 2", "editor:Edit 2 DONE"]);
  assert.deepEqual(seen(requestsOf(drafter)[1]).slice(-2), ["user(editor): Edit 1 DONE", "user(critic): Shorter."]);
});

test("a team inside a selector: the model chooses it by its description, and a lone candidate speaks unchosen", async () => {
  const writers = new RoundRobinGroupChat({
    name: "writers",
    description: "Drafts and edits copy.",
    participants: [agent("drafter", ["Draft."]), agent("editor", ["Edited. DONE"])],
    termination: new TextMentionTermination("DONE"),
  });
  const selector = new ScriptedModelClient({ replies: ["writers"] });
  const team = new SelectorGroupChat({
    participants: [writers, agent("critic", ["Approved."])],
    modelClient: selector,
    termination: new SourceMatchTermination(["critic"]),
  });
  const session = team.createSession();
  const result = await team.run({ task: "A tagline.", session });
  assert.deepEqual(said(result.messages), [
    "user:A tagline.",
    "drafter:Draft.",
    "editor:Edited. DONE",
    "critic:Approved.",
  ]);
  assert.equal(selector.requests.length, 1, "after the team, the critic was the only candidate");
  const prompt = selector.requests[0]?.messages[0];
  assert.match(
    prompt?.role === "system" ? prompt.content : "",
    /writers: Drafts and edits copy\.\ncritic: The critic\./,
  );
  assert.equal(result.usage.promptTokens, 40, "the selector's call, the team's two and the critic's");
  assert.equal(session.memberSession("writers")?.team?.kind, "round-robin");
});

test("a team member's stream: its members' deltas and messages as they happen, the task once, then the result", async () => {
  const writers = new RoundRobinGroupChat({
    name: "writers",
    participants: [agent("drafter", ["a streamed draft"], { modelClientStream: true })],
    maxTurns: 1,
  });
  const team = new RoundRobinGroupChat({ participants: [writers], maxTurns: 1 });
  const items: string[] = [];
  let result: TaskResult | undefined;
  for await (const item of team.runStream({ task: "go" })) {
    if (item.type === "task-result") result = item;
    else items.push(`${item.source}:${item.type}`);
  }
  assert.ok(items.includes("drafter:message-delta"));
  assert.deepEqual(
    items.filter((item) => !item.endsWith("message-delta")),
    ["user:text", "drafter:text"],
  );
  assert.deepEqual(said(result?.messages ?? []), ["user:go", "drafter:a streamed draft"]);
});

test("a call waiting for approval inside a team member stops the outer run; answering it resumes the inner member", async () => {
  const ran: string[] = [];
  const refund = defineTool({
    name: "refund",
    description: "Refund an order.",
    parameters: { type: "object", properties: { order: { type: "string" } }, required: ["order"] },
    needsApproval: true,
    execute: ({ order }) => {
      ran.push(String(order));
      return `refunded ${order}`;
    },
  });
  const makeTeam = (billing: ScriptedReply[], critic: ScriptedReply[]) => {
    const desk = new RoundRobinGroupChat({
      name: "desk",
      participants: [agent("billing", billing, { tools: [refund], reflectOnToolUse: true })],
      maxTurns: 1,
    });
    return new RoundRobinGroupChat({ participants: [desk, agent("auditor", critic)], maxTurns: 2 });
  };
  const first = makeTeam([{ toolCalls: [{ id: "r1", name: "refund", arguments: { order: "A1" } }] }], []);
  const session = first.createSession();
  const paused = await first.run({ task: "Refund A1.", session });
  assert.equal(paused.stopReason, "tool-approval-request");
  assert.deepEqual(said(paused.messages), [
    "user:Refund A1.",
    "billing:tool-call-request",
    "billing:tool-approval-request",
  ]);
  assert.equal(session.pendingApproval?.agent, "desk", "the outer session waits in the member's turn");
  assert.equal(session.memberSession("desk")?.pendingApproval?.agent, "billing");
  await assert.rejects(first.run({ session }), (error) => HearthError.is(error, "HEARTH_APPROVAL_PENDING"));

  const second = makeTeam(["Refunded A1."], ["Logged."]);
  const restored = Session.fromJSON(JSON.parse(JSON.stringify(session.toJSON())));
  const resumed = await second.run({ session: restored, approvals: [{ callId: "r1", approved: true }] });
  assert.deepEqual(ran, ["A1"]);
  assert.deepEqual(said(resumed.messages), ["billing:tool-call-execution", "billing:Refunded A1.", "auditor:Logged."]);
  assert.equal(restored.pendingApproval, undefined);
  assert.equal(restored.memberSession("desk")?.pendingApproval, undefined);
  const auditor = second.participants[1];
  assert.deepEqual(seen(requestsOf(auditor)[0]), ["user(user): Refund A1.", "user(billing): Refunded A1."]);
});

test("a resumed member team that fails after the approved call ran keeps that step in both sessions: the call never runs twice", async () => {
  const ran: string[] = [];
  const refund = defineTool({
    name: "refund",
    description: "Refund an order.",
    parameters: { type: "object", properties: { order: { type: "string" } }, required: ["order"] },
    needsApproval: true,
    execute: ({ order }) => {
      ran.push(String(order));
      return `refunded ${order}`;
    },
  });
  const billing = agent(
    "billing",
    [
      { toolCalls: [{ id: "r1", name: "refund", arguments: { order: "A1" } }] },
      new HearthError("HEARTH_MODEL_SERVER", "provider 503", { retryable: true }),
      "Refunded A1.",
    ],
    { tools: [refund], reflectOnToolUse: true },
  );
  const desk = new RoundRobinGroupChat({ name: "desk", participants: [billing], maxTurns: 1 });
  const team = new RoundRobinGroupChat({ participants: [desk, agent("auditor", ["Logged."])], maxTurns: 2 });
  const session = team.createSession();
  assert.equal((await team.run({ task: "Refund A1.", session })).stopReason, "tool-approval-request");
  const approvals = [{ callId: "r1", approved: true }];
  await assert.rejects(team.run({ session, approvals }), (error) => HearthError.is(error, "HEARTH_MODEL_SERVER"));
  assert.deepEqual(ran, ["A1"]);
  assert.equal(session.pendingApproval, undefined);
  assert.equal(session.memberSession("desk")?.pendingApproval, undefined);
  assert.deepEqual(said(session.messages).slice(-1), ["billing:tool-call-execution"]);
  assert.deepEqual(said(session.memberSession("desk")?.messages ?? []).slice(-1), ["billing:tool-call-execution"]);
  await assert.rejects(team.run({ session, approvals }), (error) => HearthError.is(error, "HEARTH_APPROVAL_INVALID"));
  assert.deepEqual(ran, ["A1"]);
  const next = await team.run({ task: "Done?", session });
  assert.deepEqual(said(next.messages), ["user:Done?", "billing:Refunded A1.", "auditor:Logged."]);
  assert.deepEqual(ran, ["A1"]);
});

test("which participants a team takes: agents and hearth teams; a Swarm takes agents only", () => {
  const writers = new RoundRobinGroupChat({ name: "writers", participants: [agent("drafter", [])], maxTurns: 1 });
  assert.throws(
    () => new Swarm({ participants: [agent("triage", []), writers], maxTurns: 1 }),
    (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === "participants",
  );
  assert.throws(
    () =>
      new RoundRobinGroupChat({
        participants: [{ name: "x", description: "", run: () => undefined } as never],
        maxTurns: 1,
      }),
    (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === "participants",
  );
  assert.throws(
    () => new RoundRobinGroupChat({ participants: [writers, agent("writers", [])], maxTurns: 1 }),
    (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && /two participants named "writers"/.test(error.message),
  );
});

test("a stored member session that is not a session is refused", () => {
  const good = new Session().toJSON();
  for (const memberSessions of [[], { writers: { ...good, version: 9 } }, { writers: { ...good, messages: {} } }]) {
    assert.throws(
      () => Session.fromJSON({ ...good, memberSessions }),
      (error) => HearthError.is(error, "HEARTH_SESSION_INVALID"),
      JSON.stringify(memberSessions),
    );
  }
});

test("saveState and loadState keep the member's session", async () => {
  const { team } = crew(["Draft."], ["Edit. DONE"], ["Fine."]);
  const session = team.createSession();
  await team.run({ task: "Write.", session });
  const loaded = team.loadState(JSON.stringify(team.saveState(session)));
  assert.deepEqual(loaded.memberSession("writers"), session.memberSession("writers"));
});
