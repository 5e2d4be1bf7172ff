import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { HearthError } from "../core/errors.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import type { DiGraph, DiGraphNode } from "./digraph.ts";
import { DiGraphBuilder } from "./digraph-builder.ts";
import { GraphFlow } from "./graph-flow.ts";
import { RoundRobinGroupChat } from "./round-robin-group-chat.ts";
import { MaxMessageTermination } from "./termination.ts";

const agent = (name: string) => new AssistantAgent({ name, modelClient: new ScriptedModelClient({ replies: [] }) });
const node = (name: string, ...edges: DiGraphNode["edges"]): DiGraphNode => ({ name, edges });
const graphOf = (...nodes: DiGraphNode[]): DiGraph => ({ nodes: Object.fromEntries(nodes.map((n) => [n.name, n])) });
const flowOf = (graph: unknown, options: { maxTurns?: number } = {}) =>
  new GraphFlow({
    participants: ["A", "B", "C", "D", "E"].map(agent),
    graph: graph as DiGraph,
    ...options,
  });
/** Asserts a UserError (HEARTH_CONFIG_INVALID) whose message contains `text`. */
const refuses = (build: () => unknown, text: string) =>
  assert.throws(build, (error) => {
    assert.ok(HearthError.is(error, "HEARTH_CONFIG_INVALID"), String(error));
    assert.ok(error.message.includes(text), `"${error.message}" should say "${text}"`);
    return true;
  });

test("a graph is checked when the flow is built, with AutoGen's messages", () => {
  refuses(() => flowOf({ nodes: {} }), "Graph has no nodes.");
  refuses(() => flowOf(undefined), "the graph must be an object with `nodes`");
  refuses(() => flowOf(graphOf(node("A", { target: "Z" }))), "node 'A' has an edge to 'Z', which is not a node.");
  refuses(() => flowOf({ nodes: { A: node("B") } }), 'nodes.A must be a node named "A"');
  refuses(
    () => flowOf(graphOf(node("A", { target: "B" }), node("B", { target: "A", condition: "again" })), { maxTurns: 5 }),
    "Graph must have at least one start node",
  );
  refuses(
    () =>
      flowOf(
        { ...graphOf(node("A", { target: "B" }), node("B", { target: "A", condition: "x" })), defaultStartNode: "A" },
        { maxTurns: 5 },
      ),
    "Graph must have at least one leaf node",
  );
  refuses(
    () => flowOf({ ...graphOf(node("A"), node("B")), defaultStartNode: "Q" }),
    'defaultStartNode "Q" is not a node of the graph.',
  );
  refuses(
    () => flowOf(graphOf(node("A", { target: "B", condition: "yes" }, { target: "C" }), node("B"), node("C"))),
    "Node 'A' has a mix of conditional and unconditional edges.",
  );
  refuses(
    () =>
      flowOf(
        graphOf(
          node("A", { target: "B" }, { target: "C" }),
          node("B", { target: "D", activationCondition: "all" }),
          node("C", { target: "D", activationCondition: "any" }),
          node("D"),
        ),
      ),
    "Conflicting activation conditions for target 'D' group 'D': 'all' (from node 'B') and 'any' (from node 'C')",
  );
  refuses(
    () =>
      flowOf(
        graphOf(
          node("A", { target: "B" }),
          node("B", { target: "C" }),
          node("C", { target: "A" }),
          node("D", { target: "E" }),
          node("E"),
        ),
        { maxTurns: 9 },
      ),
    "Cycle detected without exit condition: A -> B -> C -> A",
  );
  refuses(
    () => flowOf(graphOf(node("A", { target: "B", condition: 42 as never }), node("B"))),
    "a condition is a string to look for in the message or a function of the message",
  );
  refuses(
    () => flowOf(graphOf(node("A", { target: "B", activationCondition: "some" as never }), node("B"))),
    'activationCondition "some"',
  );
  // A node that is no participant, and a cycle with no way to be sure the run stops.
  refuses(
    () => new GraphFlow({ participants: [agent("A")], graph: graphOf(node("A", { target: "B" }), node("B")) }),
    'the graph\'s node "B" is not one of its participants (A)',
  );
  const innerTeam = new RoundRobinGroupChat({ name: "B", participants: [agent("inner")], maxTurns: 1 });
  refuses(
    () =>
      new GraphFlow({
        participants: [agent("A"), innerTeam as never],
        graph: graphOf(node("A", { target: "B" }), node("B")),
      }),
    'participant "B" is a team; a graph\'s nodes are chat agents.',
  );
  refuses(
    () =>
      new GraphFlow({
        participants: [agent("A"), agent("B"), agent("C")],
        graph: {
          ...graphOf(
            node("A", { target: "B" }),
            node("B", { target: "A", condition: "x" }, { target: "C", condition: "y" }),
            node("C"),
          ),
          defaultStartNode: "A",
        },
      }),
    "its graph has a cycle, so it needs a termination condition, maxTurns, or both",
  );
});

test("GraphFlow's options are checked as the other teams' are, AutoGen's names included", () => {
  const graph = graphOf(
    node("A", { target: "B" }),
    node("B", { target: "A", condition: "again" }, { target: "C", condition: "done" }),
    node("C"),
  );
  const cyclic = { ...graph, defaultStartNode: "A" };
  refuses(
    () => new GraphFlow({ participants: ["A", "B", "C"].map(agent), graph: cyclic, maxTurn: 3 } as never),
    'GraphFlow has no option "maxTurn". Did you mean "maxTurns"?',
  );
  // AutoGen's `termination_condition`, camel-cased, is `termination`: the cycle is then allowed.
  const flow = new GraphFlow({
    participants: ["A", "B", "C"].map(agent),
    graph: cyclic,
    terminationCondition: new MaxMessageTermination(5),
  });
  assert.ok(flow.termination instanceof MaxMessageTermination);
});

test("cycles with a way out pass: a conditional edge anywhere on the cycle's nodes, several components", () => {
  const flow = flowOf(
    graphOf(
      node("A", { target: "B" }, { target: "D" }),
      node("B", { target: "C" }),
      node("C", { target: "A", condition: "loop" }),
      node("D"),
      node("E"),
    ),
    { maxTurns: 10 },
  );
  // Defaults are filled in and the result frozen.
  assert.deepEqual(flow.graph.nodes.C?.edges, [
    { target: "A", condition: "loop", activationGroup: "A", activationCondition: "all" },
  ]);
  assert.equal(flow.graph.nodes.C?.activation, "all");
  assert.ok(Object.isFrozen(flow.graph.nodes.C?.edges[0]));
  // A graph without a cycle needs neither termination nor maxTurns.
  assert.doesNotThrow(() => flowOf(graphOf(node("A", { target: "B" }), node("B"))));
});

test("DiGraphBuilder adds nodes and edges, with AutoGen's defaults, and checks on build", () => {
  const [a, b, c] = ["A", "B", "C"].map(agent) as [AssistantAgent, AssistantAgent, AssistantAgent];
  const isLong = () => true;
  const builder = new DiGraphBuilder().addNode(a).addNode(b).addNode(c, "any").addNode(a);
  builder.addEdge(a, b, isLong).addEdge("A", "C", { condition: "short", activationGroup: "g" });
  builder.addConditionalEdges(b, { done: c });
  builder.setEntryPoint("A");
  const graph = builder.build();
  assert.deepEqual(graph, {
    nodes: {
      A: {
        name: "A",
        activation: "all",
        edges: [
          { target: "B", condition: isLong, activationGroup: "B", activationCondition: "all" },
          { target: "C", condition: "short", activationGroup: "g", activationCondition: "all" },
        ],
      },
      B: {
        name: "B",
        activation: "all",
        edges: [{ target: "C", condition: "done", activationGroup: "C", activationCondition: "all" }],
      },
      C: { name: "C", activation: "any", edges: [] },
    },
    defaultStartNode: "A",
  });
  assert.deepEqual(builder.getParticipants(), [a, b, c]);
  // What is built does not change when the builder goes on.
  builder.addEdge(c, a, "again");
  assert.deepEqual(graph.nodes.C?.edges, []);
  refuses(() => builder.build(), "Graph must have at least one leaf node");

  refuses(() => new DiGraphBuilder().addNode(a).addEdge(a, "B"), "target node 'B' must be added before adding an edge");
  refuses(() => new DiGraphBuilder().addEdge("X", "Y"), "source node 'X' must be added before adding an edge");
  refuses(() => new DiGraphBuilder().setEntryPoint(a), "start node 'A' must be added");
  refuses(() => new DiGraphBuilder().addNode(a).addNode(agent("A")), 'another agent named "A" is already a node');
  refuses(() => new DiGraphBuilder().addNode(a, "most" as never), 'activation must be "all" or "any"');
  refuses(
    () =>
      new DiGraphBuilder()
        .addNode(a)
        .addNode(b)
        .addEdge(a, b, { activationCondition: "most" as never }),
    'activationCondition must be "all" or "any"',
  );
  refuses(
    () => new DiGraphBuilder().addNode(a).addNode(b).addEdge(a, b).addEdge(b, a).build(),
    "Graph must have at least one start node",
  );
});
