// The graph a GraphFlow follows (AutoGen AgentChat 0.7's DiGraph, DiGraphNode and DiGraphEdge) and
// its checks. A graph is plain data; `compileGraph` checks it once, when a flow or a builder is
// built, and returns the lookup tables a run reads.
import { UserError } from "../core/errors.ts";
import type { ChatMessage } from "../core/messages.ts";

/** "all": every edge of the activation group must fire; "any": one is enough. */
export type Activation = "all" | "any";

/**
 * When an edge fires, given the last message of its source's turn: a string fires when the
 * message's text contains it; a function when it returns true.
 */
export type EdgeCondition = string | ((message: ChatMessage) => boolean);

export interface DiGraphEdge {
  /** The node the edge leads to. */
  readonly target: string;
  /** Absent or null: the edge always fires. */
  readonly condition?: EdgeCondition | null;
  /**
   * Edges into one node that share a group activate it together; edges in different groups
   * activate it separately (a loop back into a node, beside the edges that first lead to it).
   * Defaults to the target's name.
   */
  readonly activationGroup?: string;
  /** How the group's edges activate the target. Default "all". */
  readonly activationCondition?: Activation;
}

export interface DiGraphNode {
  /** A participant's name. */
  readonly name: string;
  /** The edges leaving the node, in the order they are checked. */
  readonly edges: readonly DiGraphEdge[];
  /**
   * Kept as AutoGen 0.7 keeps it, and, as there, not read by a run: the edges'
   * `activationCondition` says how a node is activated.
   */
  readonly activation?: Activation;
}

/** The graph of a GraphFlow: its nodes by name, and where it starts. */
export interface DiGraph {
  readonly nodes: Readonly<Record<string, DiGraphNode>>;
  /** The node a run starts from; by default every node that no edge leads to. */
  readonly defaultStartNode?: string | null;
}

/** An edge with its defaults filled in. */
export interface GraphEdge {
  readonly target: string;
  readonly condition: EdgeCondition | undefined;
  readonly activationGroup: string;
  readonly activationCondition: Activation;
}

/** What a run reads of a checked graph. */
export interface CompiledGraph {
  /** The graph with its defaults filled in, frozen. */
  readonly graph: DiGraph;
  /** The nodes' names, in the graph's order. */
  readonly nodes: readonly string[];
  readonly edges: ReadonlyMap<string, readonly GraphEdge[]>;
  /** Where a run starts, in the graph's order. */
  readonly startNodes: readonly string[];
  /** For each target and activation group: how its edges activate the target, and how many there are. */
  readonly groups: ReadonlyMap<
    string,
    ReadonlyMap<string, { readonly activation: Activation; readonly count: number }>
  >;
  /** True when the graph has a cycle (each one with a conditional edge to leave it). */
  readonly hasCycles: boolean;
}

const activations: ReadonlySet<unknown> = new Set(["all", "any"]);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Checks a graph as AutoGen's `graph_validate` does (a start node, a leaf node, no node mixing
 * conditional and unconditional edges, one activation condition per group, a way out of every
 * cycle), after checking its shape and that every edge leads to a node of the graph.
 * `where` names the definition in the messages ("DiGraph", `GraphFlow "triage"`).
 */
export function compileGraph(input: unknown, where: string): CompiledGraph {
  const fail = (why: string) => new UserError(`${where}: ${why}`, { field: "graph" });
  if (!isObject(input) || !isObject(input.nodes))
    throw fail("the graph must be an object with `nodes`, a node for each name (build one with DiGraphBuilder).");
  const names = Object.keys(input.nodes);
  if (names.length === 0) throw fail("Graph has no nodes.");

  const nodes: Record<string, DiGraphNode> = {};
  const edges = new Map<string, GraphEdge[]>();
  for (const name of names) {
    const node = input.nodes[name];
    if (!isObject(node) || node.name !== name)
      throw fail(`nodes.${name} must be a node named "${name}" ({ name, edges }).`);
    if (node.activation !== undefined && !activations.has(node.activation))
      throw fail(`node '${name}' has activation ${JSON.stringify(node.activation)}; use "all" or "any".`);
    if (!Array.isArray(node.edges)) throw fail(`node '${name}' must have an array of edges.`);
    edges.set(
      name,
      node.edges.map((edge: unknown, index) => checkEdge(edge, `node '${name}' edge ${index}`, fail)),
    );
    nodes[name] = Object.freeze({
      name,
      edges: Object.freeze((edges.get(name) as GraphEdge[]).map((edge) => Object.freeze(publicEdge(edge)))),
      activation: (node.activation as Activation | undefined) ?? "all",
    });
  }
  for (const [name, outgoing] of edges)
    for (const edge of outgoing)
      if (!(edge.target in nodes)) throw fail(`node '${name}' has an edge to '${edge.target}', which is not a node.`);

  const start = input.defaultStartNode;
  if (start !== undefined && start !== null && start !== "") {
    if (typeof start !== "string" || !(start in nodes))
      throw fail(`defaultStartNode ${JSON.stringify(start)} is not a node of the graph.`);
  }
  const hasParent = new Set([...edges.values()].flatMap((outgoing) => outgoing.map((edge) => edge.target)));
  const startNodes = typeof start === "string" && start !== "" ? [start] : names.filter((name) => !hasParent.has(name));
  if (startNodes.length === 0) throw fail("Graph must have at least one start node");
  if (!names.some((name) => (edges.get(name) as GraphEdge[]).length === 0))
    throw fail("Graph must have at least one leaf node");

  for (const name of names) {
    const outgoing = edges.get(name) as GraphEdge[];
    const conditional = outgoing.some((edge) => edge.condition !== undefined);
    const unconditional = outgoing.some((edge) => edge.condition === undefined);
    if (conditional && unconditional) throw fail(`Node '${name}' has a mix of conditional and unconditional edges.`);
  }

  const groups = new Map<string, Map<string, { activation: Activation; count: number; from: string }>>();
  for (const name of names) {
    for (const edge of edges.get(name) as GraphEdge[]) {
      const ofTarget = groups.get(edge.target) ?? new Map();
      groups.set(edge.target, ofTarget);
      const group = ofTarget.get(edge.activationGroup);
      if (group === undefined) {
        ofTarget.set(edge.activationGroup, { activation: edge.activationCondition, count: 1, from: name });
      } else if (group.activation !== edge.activationCondition) {
        throw fail(
          `Conflicting activation conditions for target '${edge.target}' group '${edge.activationGroup}': ` +
            `'${group.activation}' (from node '${group.from}') and '${edge.activationCondition}' (from node '${name}')`,
        );
      } else group.count++;
    }
  }

  const hasCycles = checkCycles(names, edges, fail);
  const graph: DiGraph = Object.freeze({
    nodes: Object.freeze(nodes),
    ...(typeof start === "string" && start !== "" ? { defaultStartNode: start } : {}),
  });
  return {
    graph,
    nodes: names,
    edges,
    startNodes,
    groups: new Map(
      [...groups].map(([target, ofTarget]) => [
        target,
        new Map([...ofTarget].map(([name, group]) => [name, { activation: group.activation, count: group.count }])),
      ]),
    ),
    hasCycles,
  };
}

function checkEdge(edge: unknown, at: string, fail: (why: string) => UserError): GraphEdge {
  if (!isObject(edge) || typeof edge.target !== "string" || edge.target === "")
    throw fail(`${at} must be an object with a \`target\` node name.`);
  const condition = edge.condition ?? undefined;
  if (condition !== undefined && typeof condition !== "string" && typeof condition !== "function")
    throw fail(`${at}: a condition is a string to look for in the message or a function of the message.`);
  const group = edge.activationGroup ?? "";
  if (typeof group !== "string") throw fail(`${at}: activationGroup must be a string.`);
  const activation = edge.activationCondition ?? "all";
  if (!activations.has(activation))
    throw fail(`${at} has activationCondition ${JSON.stringify(activation)}; use "all" or "any".`);
  return {
    target: edge.target,
    condition: condition as EdgeCondition | undefined,
    activationGroup: group === "" ? edge.target : group,
    activationCondition: activation as Activation,
  };
}

function publicEdge(edge: GraphEdge): DiGraphEdge {
  return {
    target: edge.target,
    ...(edge.condition === undefined ? {} : { condition: edge.condition }),
    activationGroup: edge.activationGroup,
    activationCondition: edge.activationCondition,
  };
}

/**
 * True when the graph has a cycle; throws when one has no conditional edge among its nodes' edges
 * (no way out). The depth-first walk and its message are AutoGen's `has_cycles_with_exit`.
 */
function checkCycles(
  names: readonly string[],
  edges: ReadonlyMap<string, readonly GraphEdge[]>,
  fail: (why: string) => UserError,
): boolean {
  const visited = new Set<string>();
  const onPath = new Set<string>();
  const path: string[] = [];
  const visit = (name: string): boolean => {
    visited.add(name);
    onPath.add(name);
    path.push(name);
    let cycle = false;
    for (const edge of edges.get(name) ?? []) {
      if (!visited.has(edge.target)) {
        if (visit(edge.target)) cycle = true;
      } else if (onPath.has(edge.target)) {
        const loop = path.slice(path.indexOf(edge.target));
        const exits = loop.some((node) => (edges.get(node) ?? []).some((out) => out.condition !== undefined));
        if (!exits) throw fail(`Cycle detected without exit condition: ${[...loop, loop[0]].join(" -> ")}`);
        cycle = true;
      }
    }
    onPath.delete(name);
    path.pop();
    return cycle;
  };
  let hasCycles = false;
  for (const name of names) if (!visited.has(name) && visit(name)) hasCycles = true;
  return hasCycles;
}
