import type { Activation, DiGraph, DiGraphEdge, DiGraphNode } from "../teams/digraph.ts";
import { GraphFlow } from "../teams/graph-flow.ts";
import { type ComponentJSON, ConfigReader, isObject } from "./component-json.ts";
import { construct, present } from "./construct.ts";
import type { Loader } from "./loader.ts";
import { groupChatOptions } from "./teams.ts";

// AutoGen's GraphFlowConfig (autogen_agentchat/teams/_group_chat/_graph/_digraph_group_chat.py):
// the group chat's options and a `graph`, its DiGraph (`nodes`, each with its `edges`, and
// `default_start_node`). An edge's condition is a string or null: AutoGen writes a Python function
// condition as null, and so the edge reads as one that always fires, there as here.

function activationOf(reader: ConfigReader, key: string): Activation | undefined {
  const value = reader.optionalString(key);
  if (value !== undefined && value !== "all" && value !== "any")
    throw reader.error(key, `"${key}" must be "all" or "any".`);
  return value;
}

function edgeOf(value: unknown, path: string, node: ConfigReader): DiGraphEdge {
  if (!isObject(value)) throw node.error("edges", "each edge must be an object with a target.");
  const edge = new ConfigReader(value, path, `DiGraphEdge at ${path}`);
  const target = edge.string("target");
  const condition = edge.optionalString("condition");
  const group = edge.optionalString("activation_group");
  const activation = activationOf(edge, "activation_condition");
  edge.done();
  return {
    target,
    ...present("condition", condition),
    // AutoGen fills an empty group in with the target's name, as hearth does.
    ...present("activationGroup", group === "" ? undefined : group),
    ...present("activationCondition", activation),
  };
}

function graphOf(reader: ConfigReader): DiGraph {
  const graph = reader.optionalObject("graph");
  if (graph === undefined) throw reader.error("graph", '"graph" is required.');
  const nodesReader = graph.optionalObject("nodes");
  if (nodesReader === undefined) throw graph.error("nodes", '"nodes" is required.');
  const nodes: Record<string, DiGraphNode> = {};
  for (const key of nodesReader.keys()) {
    const node = nodesReader.optionalObject(key);
    if (node === undefined) throw nodesReader.error(key, `nodes["${key}"] must be a node.`);
    const name = node.string("name");
    const edges = node.optionalList("edges").map(({ value, path }) => edgeOf(value, path, node));
    const activation = activationOf(node, "activation");
    node.done();
    nodes[key] = { name, edges, ...present("activation", activation) };
  }
  nodesReader.done();
  const start = graph.optionalString("default_start_node");
  graph.done();
  return { nodes, ...present("defaultStartNode", start) };
}

/** `autogen_agentchat.teams.GraphFlow`: its participants are agents, each a node of its graph. */
export function graphFlow(component: ComponentJSON, loader: Loader): GraphFlow {
  const reader = ConfigReader.of(component);
  const options = { ...groupChatOptions(reader, loader, ["agent"]), graph: graphOf(reader) };
  reader.done();
  return construct(reader, () => new GraphFlow(options));
}
