// GraphFlow's saved state: hearth's own, and the TeamState AutoGen 0.7's GraphFlow writes. The
// fixture is hand-written in the shape of microsoft/autogen's
// python/packages/autogen-agentchat/src/autogen_agentchat/teams/_group_chat/_graph/_digraph_group_chat.py
// (GraphFlowManager.save_state: a dict without a `type`, holding message_thread, current_turn,
// remaining, enqueued_any and ready) and _chat_agent_container.py (ChatAgentContainerState): the
// flow A → (B, C) → D, D joining on "any", stopped by a termination condition after B and C ran
// at once, so D waits in the ready queue and B and C each have the other's reply unread.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { AssistantAgent, DiGraphBuilder, GraphFlow, HearthError, type ModelRequest } from "hearth";
import { ScriptedModelClient } from "hearth/testing";

const fixture = () =>
  JSON.parse(readFileSync(new URL("./fixtures/autogen/graph-flow-team-state.json", import.meta.url), "utf8"));
const agent = (name: string, replies: string[]) =>
  new AssistantAgent({ name, modelClient: new ScriptedModelClient({ replies }), systemMessage: null });
const requestsOf = (member: AssistantAgent) => (member.modelClient as ScriptedModelClient).requests as ModelRequest[];
const texts = (request: ModelRequest | undefined) =>
  (request?.messages ?? []).map((message) => ("content" in message ? message.content : ""));

function fanOutFlow() {
  const a = agent("A", ["A2"]);
  const b = agent("B", ["B2"]);
  const c = agent("C", ["C2"]);
  const d = agent("D", ["D1", "D2"]);
  const builder = new DiGraphBuilder().addNode(a).addNode(b).addNode(c).addNode(d);
  builder.addEdge(a, b).addEdge(a, c);
  builder.addEdge(b, d, { activationCondition: "any" }).addEdge(c, d, { activationCondition: "any" });
  return { flow: new GraphFlow({ participants: builder.getParticipants(), graph: builder.build() }), a, b, c, d };
}

test("AutoGen's GraphFlow TeamState resumes with the node waiting in its ready queue", async () => {
  const { flow, c, d } = fanOutFlow();
  const session = flow.loadState(fixture());
  assert.equal(session.thread.length, 4);
  assert.deepEqual(session.team?.graph, {
    ready: ["D"],
    running: [],
    remaining: { B: { B: 1 }, C: { C: 1 }, D: { D: 2 } },
    enqueuedAny: { B: { B: false }, C: { C: false }, D: { D: true } },
    // Not saved by AutoGen: read off the "any" group that enqueued D.
    triggered: { D: ["D"] },
  });
  // B and C ran at once in AutoGen: each has the other's reply unread.
  assert.deepEqual(session.team?.delivered, { A: 2, B: 3, C: 2, D: 0 });

  const resumed = await flow.run({ session });
  assert.deepEqual(
    resumed.messages.map((message) => message.source),
    ["D"],
  );
  assert.equal(resumed.stopReason, "Digraph execution is complete");
  assert.deepEqual(texts(requestsOf(d)[0]), [
    "Plan a launch post.",
    "Draft: hearth 1.0 is out.",
    "B1: tighten the headline.",
    "C1: add a link to the docs.",
  ]);

  // The next task runs the whole graph again: D's "any" group was reset when it was taken.
  const again = await flow.run({ task: "Now the release notes.", session });
  assert.deepEqual(
    again.messages.map((message) => message.source),
    ["user", "A", "B", "C", "D"],
  );
  // C's context gets B's first reply, which it had not seen in AutoGen, and never its own twice.
  assert.deepEqual(texts(requestsOf(c)[0]), [
    "Plan a launch post.",
    "Draft: hearth 1.0 is out.",
    "C1: add a link to the docs.",
    "B1: tighten the headline.",
    "D1",
    "Now the release notes.",
    "A2",
    "B2",
  ]);
});

test("GraphFlow state round-trips in hearth's format; a foreign or broken one is HEARTH_SESSION_INVALID", async () => {
  const { flow } = fanOutFlow();
  const session = flow.loadState(fixture());
  const saved = JSON.stringify(flow.saveState(session));
  assert.deepEqual(flow.loadState(saved).toJSON(), session.toJSON());

  const broken = (change: (state: ReturnType<typeof fixture>) => void) => {
    const state = fixture();
    change(state);
    return () => flow.loadState(state);
  };
  const renamedNode = new GraphFlow({
    participants: ["A", "B", "C", "E"].map((name) => agent(name, [])),
    graph: new DiGraphBuilder()
      .addNode(agent("A", []))
      .addNode(agent("B", []))
      .addNode(agent("C", []))
      .addNode(agent("E", []))
      .build(),
  });
  const invalid = [
    broken((state) => {
      state.agent_states.GraphManager.ready = ["Q"];
    }),
    broken((state) => {
      state.agent_states.GraphManager.remaining = { D: { D: "two" } };
    }),
    broken((state) => {
      state.agent_states.GraphManager.enqueued_any = [];
    }),
    // A hearth session whose progress names a node this flow's graph does not have.
    () => {
      const json = flow.saveState(session) as unknown as { session: { team: { graph: { running: string[] } } } };
      json.session.team.graph.running = ["Z"];
      return flow.loadState(json);
    },
    () => renamedNode.loadState(fixture()),
  ];
  for (const load of invalid) assert.throws(load, (error) => HearthError.is(error, "HEARTH_SESSION_INVALID"));
});
