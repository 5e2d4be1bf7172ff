import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { HearthError } from "../core/errors.ts";
import type { AgentMessage, ChatMessage } from "../core/messages.ts";
import type { ModelRequest } from "../core/model-client.ts";
import { Session } from "../core/session.ts";
import { ScriptedModelClient, type ScriptedReply } from "../testing/scripted-model-client.ts";
import { defineTool } from "../tools/define-tool.ts";
import { DiGraphBuilder } from "./digraph-builder.ts";
import { GraphFlow } from "./graph-flow.ts";
import { MaxMessageTermination, TextMentionTermination } from "./termination.ts";

const agent = (name: string, replies: ScriptedReply[]) =>
  new AssistantAgent({ name, modelClient: new ScriptedModelClient({ replies }), systemMessage: `You are ${name}.` });
const requestsOf = (member: AssistantAgent) => (member.modelClient as ScriptedModelClient).requests;
const sources = (messages: readonly AgentMessage[]) => messages.map((message) => message.source);
const texts = (request: ModelRequest | undefined) =>
  (request?.messages ?? []).slice(1).map((message) => ("content" in message ? message.content : ""));
const complete = "Digraph execution is complete";

test("a sequence A → B → C runs each once, ends by itself, and the next task starts it again", async () => {
  const a = agent("A", ["a1", "a2"]);
  const b = agent("B", ["b1", "b2"]);
  const c = agent("C", ["c1", "c2"]);
  const builder = new DiGraphBuilder().addNode(a).addNode(b).addNode(c).addEdge(a, b).addEdge(b, c);
  // An acyclic graph stops by itself: no termination condition needed, as in AutoGen.
  const flow = new GraphFlow({ participants: builder.getParticipants(), graph: builder.build() });
  const session = flow.createSession();

  const first = await flow.run({ task: "go", session });
  assert.deepEqual(sources(first.messages), ["user", "A", "B", "C"]);
  assert.equal(first.stopReason, complete);
  assert.deepEqual(texts(requestsOf(c)[0]), ["go", "a1", "b1"]);
  assert.deepEqual(session.team?.graph?.ready, []);

  const second = await flow.run({ task: "again", session });
  assert.deepEqual(sources(second.messages), ["user", "A", "B", "C"]);
  assert.equal(second.stopReason, complete);
  // A sees what was said since it last spoke.
  assert.deepEqual(texts(requestsOf(a)[1]), ["go", "a1", "b1", "c1", "again"]);
});

test("a branch follows the edge whose condition holds: a string in the last message, or a function of it", async () => {
  const a = agent("A", ["The answer is yes."]);
  const yes = agent("yes_path", ["went yes"]);
  const no = agent("no_path", ["went no"]);
  const byString = new GraphFlow({
    participants: [a, yes, no],
    graph: new DiGraphBuilder()
      .addNode(a)
      .addNode(yes)
      .addNode(no)
      .addConditionalEdges(a, { yes: yes, no: "no_path" })
      .build(),
  });
  const result = await byString.run({ task: "decide" });
  assert.deepEqual(sources(result.messages), ["user", "A", "yes_path"]);
  assert.equal(result.stopReason, complete);

  const seen: ChatMessage[] = [];
  const b = agent("A", ["short"]);
  const long = agent("long_path", ["long one"]);
  const short = agent("short_path", ["short one"]);
  const byFunction = new GraphFlow({
    participants: [b, long, short],
    graph: new DiGraphBuilder()
      .addNode(b)
      .addNode(long)
      .addNode(short)
      .addEdge(b, long, (message) => {
        seen.push(message);
        return message.type === "text" && message.content.length > 10;
      })
      .addEdge(b, short, { condition: (message) => message.type === "text" && message.content.length <= 10 })
      .build(),
  });
  const chosen = await byFunction.run({ task: "decide" });
  assert.deepEqual(sources(chosen.messages), ["user", "A", "short_path"]);
  assert.equal(seen[0]?.source, "A");
});

test("a loop runs until its exit condition holds", async () => {
  const a = agent("A", ["draft 1", "draft 2", "draft 3"]);
  const b = agent("B", ["REVISE", "REVISE again", "APPROVE"]);
  const c = agent("C", ["published"]);
  const builder = new DiGraphBuilder().addNode(a).addNode(b).addNode(c);
  builder.addEdge(a, b).addEdge(b, c, "APPROVE").addEdge(b, a, "REVISE").setEntryPoint(a);
  const flow = new GraphFlow({
    participants: builder.getParticipants(),
    graph: builder.build(),
    termination: new MaxMessageTermination(20),
  });
  const result = await flow.run({ task: "write" });
  assert.deepEqual(sources(result.messages), ["user", "A", "B", "A", "B", "A", "B", "C"]);
  assert.equal(result.stopReason, complete);

  // A node may loop on itself; its own activation group keeps the first edge into it apart.
  const first = agent("A", ["start"]);
  const again = agent("B", ["loop", "loop", "exit"]);
  const last = agent("C", ["done"]);
  const selfLoop = new GraphFlow({
    participants: [first, again, last],
    graph: new DiGraphBuilder()
      .addNode(first)
      .addNode(again)
      .addNode(last)
      .addEdge(first, again)
      .addEdge(again, last, "exit")
      .addEdge(again, again, { condition: "loop", activationGroup: "B_loop" })
      .setEntryPoint(first)
      .build(),
    maxTurns: 20,
  });
  assert.deepEqual(sources((await selfLoop.run({ task: "go" })).messages), ["user", "A", "B", "B", "B", "C"]);
});

test("two loops through one node, each in its own activation group (AutoGen's two-cycle graph)", async () => {
  const member = (name: string, replies: string[]) => agent(name, replies);
  const [a, b, c, e] = ["A", "B", "C", "E"].map((name) => member(name, [name.toLowerCase()])) as AssistantAgent[];
  const o = member("O", ["to_x", "to_y", "exit"]);
  const x = member("X", ["to_o"]);
  const y = member("Y", ["to_o"]);
  const flow = new GraphFlow({
    participants: [a, o, b, c, x, y, e] as AssistantAgent[],
    graph: {
      nodes: {
        A: { name: "A", edges: [{ target: "B" }, { target: "C" }] },
        B: { name: "B", edges: [{ target: "O" }] },
        C: { name: "C", edges: [{ target: "O" }] },
        O: {
          name: "O",
          edges: [
            { target: "X", condition: "to_x" },
            { target: "Y", condition: "to_y" },
            { target: "E", condition: "exit" },
          ],
        },
        X: { name: "X", edges: [{ target: "O", condition: "to_o", activationGroup: "x_o_loop" }] },
        Y: { name: "Y", edges: [{ target: "O", condition: "to_o", activationGroup: "y_o_loop" }] },
        E: { name: "E", edges: [] },
      },
      defaultStartNode: "A",
    },
    termination: new MaxMessageTermination(20),
  });
  const result = await flow.run({ task: "start" });
  assert.deepEqual(sources(result.messages), ["user", "A", "B", "C", "O", "X", "O", "Y", "O", "E"]);
  assert.equal(result.stopReason, complete);
});

test("a fan-out runs every branch; a join waits for all its parents, or for any", async () => {
  const fanOut = (activationCondition: "all" | "any") => {
    const a = agent("A", ["a"]);
    const b = agent("B", ["b"]);
    const c = agent("C", ["c"]);
    const d = agent("D", ["d"]);
    const builder = new DiGraphBuilder().addNode(a).addNode(b).addNode(c).addNode(d);
    builder.addEdge(a, b).addEdge(a, c).addEdge(b, d, { activationCondition }).addEdge(c, d, { activationCondition });
    return { flow: new GraphFlow({ participants: builder.getParticipants(), graph: builder.build() }), c, d };
  };
  for (const activation of ["all", "any"] as const) {
    const { flow, c, d } = fanOut(activation);
    const result = await flow.run({ task: "go" });
    // The join runs once either way: "any" does not enqueue it twice.
    assert.deepEqual(sources(result.messages), ["user", "A", "B", "C", "D"], activation);
    assert.deepEqual(texts(requestsOf(d)[0]), ["go", "a", "b", "c"]);
    // Branches of a fan-out run one after another: the second sees the first's reply.
    assert.deepEqual(texts(requestsOf(c)[0]), ["go", "a", "b"]);
  }

  // Where only one parent speaks, "all" never runs the join and "any" does.
  const branch = (activationCondition: "all" | "any") => {
    const a = agent("A", ["left"]);
    const left = agent("left", ["l"]);
    const right = agent("right", ["r"]);
    const join = agent("join", ["joined"]);
    const builder = new DiGraphBuilder().addNode(a).addNode(left).addNode(right).addNode(join);
    builder.addEdge(a, left, "left").addEdge(a, right, "right");
    builder.addEdge(left, join, { activationCondition }).addEdge(right, join, { activationCondition });
    return new GraphFlow({ participants: builder.getParticipants(), graph: builder.build() });
  };
  assert.deepEqual(sources((await branch("all").run({ task: "go" })).messages), ["user", "A", "left"]);
  assert.deepEqual(sources((await branch("any").run({ task: "go" })).messages), ["user", "A", "left", "join"]);
});

test("several start nodes all run, in the graph's order", async () => {
  const flow = new GraphFlow({
    participants: [agent("A", ["a"]), agent("B", ["b"]), agent("C", ["c"]), agent("D", ["d"])],
    graph: {
      nodes: {
        A: { name: "A", edges: [{ target: "B" }] },
        B: { name: "B", edges: [] },
        C: { name: "C", edges: [{ target: "D" }] },
        D: { name: "D", edges: [] },
      },
    },
  });
  assert.deepEqual(sources((await flow.run({ task: "go" })).messages), ["user", "A", "C", "B", "D"]);
});

test("a termination condition stops the graph midway; the next run resumes it; completion wins over the condition", async () => {
  const a = agent("A", ["a", "a again"]);
  const b = agent("B", ["b", "b again"]);
  const c = agent("C", ["c TERMINATE", "c again"]);
  const builder = new DiGraphBuilder().addNode(a).addNode(b).addNode(c).addEdge(a, b).addEdge(b, c);
  const flow = new GraphFlow({
    participants: builder.getParticipants(),
    graph: builder.build(),
    termination: new MaxMessageTermination(3).or(new TextMentionTermination("TERMINATE")),
  });
  const session = flow.createSession();
  const first = await flow.run({ task: "go", session });
  assert.deepEqual(sources(first.messages), ["user", "A", "B"]);
  assert.equal(first.stopReason, "Maximum number of messages 3 reached, current message count: 3");
  assert.deepEqual(session.team?.graph?.ready, ["C"]);

  // C's reply also mentions TERMINATE, but the graph has ended: AutoGen reports that first.
  const second = await flow.run({ session });
  assert.deepEqual(sources(second.messages), ["C"]);
  assert.equal(second.stopReason, complete);

  const third = await flow.run({ task: "go again", session });
  assert.deepEqual(sources(third.messages), ["user", "A", "B"], "a finished graph starts again from A");
});

test("maxTurns counts each node's turn; the next run continues the fan-out where it stopped", async () => {
  const builder = new DiGraphBuilder();
  const [a, b, c, d] = ["A", "B", "C", "D"].map((name) => agent(name, [name.toLowerCase()])) as AssistantAgent[];
  builder
    .addNode(a as AssistantAgent)
    .addNode(b as AssistantAgent)
    .addNode(c as AssistantAgent)
    .addNode(d as AssistantAgent);
  builder.addEdge("A", "B").addEdge("A", "C").addEdge("B", "D").addEdge("C", "D");
  const flow = new GraphFlow({ participants: builder.getParticipants(), graph: builder.build(), maxTurns: 2 });
  const session = flow.createSession();
  const first = await flow.run({ task: "go", session });
  assert.deepEqual(sources(first.messages), ["user", "A", "B"]);
  assert.equal(first.stopReason, "Maximum number of turns 2 reached.");
  assert.deepEqual(session.team?.graph?.running, ["C"], "C was taken with B, and has not spoken");
  const second = await flow.run({ session });
  assert.deepEqual(sources(second.messages), ["C", "D"]);
  assert.equal(second.stopReason, complete);
});

test("one flow serves 50 concurrent sessions, each with its own transcript and progress", async () => {
  const echoOwn = (name: string) => async (request: ModelRequest) => {
    const markers = new Set(JSON.stringify(request.messages).match(/session-\d+/g));
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
    return `${name} saw ${[...markers].join(",")}`;
  };
  const members = ["A", "B", "C", "D"].map((name) =>
    agent(
      name,
      Array.from({ length: 50 }, () => echoOwn(name)),
    ),
  );
  const builder = new DiGraphBuilder();
  for (const member of members) builder.addNode(member);
  builder.addEdge("A", "B").addEdge("A", "C").addEdge("B", "D").addEdge("C", "D", { activationCondition: "all" });
  const flow = new GraphFlow({ participants: builder.getParticipants(), graph: builder.build() });
  const sessions = Array.from({ length: 50 }, () => flow.createSession());
  const results = await Promise.all(
    sessions.map((session, index) => flow.run({ task: `I am session-${index}`, session })),
  );
  results.forEach((result, index) => {
    assert.equal(result.stopReason, complete);
    assert.deepEqual(
      result.messages.map((message) => (message.type === "text" ? message.content : "")),
      [
        `I am session-${index}`,
        `A saw session-${index}`,
        `B saw session-${index}`,
        `C saw session-${index}`,
        `D saw session-${index}`,
      ],
    );
    assert.deepEqual(
      [...new Set(JSON.stringify(sessions[index]?.toJSON()).match(/session-\d+/g))],
      [`session-${index}`],
    );
  });
});

test("a run aborted midway resumes on the same session, and from its JSON in a new Session", async () => {
  const abortWith = (controller: AbortController) => async () => {
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 5));
    return "never kept";
  };
  const first = new AbortController();
  const second = new AbortController();
  const a = agent("A", ["a", "a2"]);
  const b = agent("B", ["b", "b2"]);
  const c = agent("C", [abortWith(first), "c", abortWith(second), "c2"]);
  const d = agent("D", ["d", "d2"]);
  const builder = new DiGraphBuilder().addNode(a).addNode(b).addNode(c).addNode(d);
  builder.addEdge(a, b).addEdge(a, c).addEdge(b, d).addEdge(c, d);
  const flow = new GraphFlow({ participants: builder.getParticipants(), graph: builder.build() });
  const aborted = (error: unknown) => HearthError.is(error, "HEARTH_ABORTED");

  const session = flow.createSession();
  await assert.rejects(flow.run({ task: "go", session, signal: first.signal }), aborted);
  assert.deepEqual(sources(session.messages), ["user", "A", "B"], "the aborted turn left nothing");
  assert.deepEqual(session.team?.graph?.running, ["C"]);
  const resumed = await flow.run({ session });
  assert.deepEqual(sources(resumed.messages), ["C", "D"]);
  assert.equal(resumed.stopReason, complete);

  // Again, with the session stored as JSON and read back (another process) between abort and resume.
  const other = flow.createSession();
  await assert.rejects(flow.run({ task: "go2", session: other, signal: second.signal }), aborted);
  const stored = JSON.stringify(other.toJSON());
  assert.equal(JSON.parse(stored).version, 2, "the graph's progress needs no new session format");
  const reloaded = Session.fromJSON(stored);
  const continued = await flow.run({ session: reloaded });
  assert.deepEqual(sources(continued.messages), ["C", "D"]);
  assert.equal(continued.stopReason, complete);
  assert.deepEqual(texts(requestsOf(d)[1]), ["go2", "a2", "b2", "c2"]);
});

test("a node's call waiting for approval stops the run; the run that answers it resumes that node, then the graph", async () => {
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
  const triage = agent("triage", ["refund A1"]);
  const billing = new AssistantAgent({
    name: "billing",
    modelClient: new ScriptedModelClient({
      replies: [{ toolCalls: [{ id: "r1", name: "refund", arguments: { order: "A1" } }] }, "Refunded A1."],
    }),
    tools: [refund],
    reflectOnToolUse: true,
  });
  const notes = agent("notes", ["noted"]);
  const closer = agent("closer", ["closed"]);
  const builder = new DiGraphBuilder().addNode(triage).addNode(billing).addNode(notes).addNode(closer);
  builder.addEdge(triage, billing).addEdge(triage, notes).addEdge(billing, closer).addEdge(notes, closer);
  const flow = new GraphFlow({ participants: builder.getParticipants(), graph: builder.build() });
  const session = flow.createSession();

  const paused = await flow.run({ task: "Refund A1.", session });
  assert.equal(paused.stopReason, "tool-approval-request");
  assert.deepEqual(
    paused.messages.map((message) => `${message.source}:${message.type}`),
    ["user:text", "triage:text", "billing:tool-call-request", "billing:tool-approval-request"],
  );
  assert.deepEqual(session.team?.graph?.ready, ["billing", "notes"], "billing was not counted as spoken");

  const resumed = await flow.run({ session, approvals: [{ callId: "r1", approved: true }] });
  assert.deepEqual(ran, ["A1"]);
  assert.deepEqual(
    resumed.messages.map((message) => `${message.source}:${message.type}`),
    ["billing:tool-call-execution", "billing:text", "notes:text", "closer:text"],
  );
  assert.equal(resumed.stopReason, complete);
});
