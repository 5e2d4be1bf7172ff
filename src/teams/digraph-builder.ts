import type { ChatAgent } from "../core/agent.ts";
import { UserError } from "../core/errors.ts";
import { compileGraph, type Activation, type DiGraph, type DiGraphEdge, type EdgeCondition } from "./digraph.ts";

/** How an edge fires and activates its target; see DiGraphEdge. */
export interface EdgeOptions {
  readonly condition?: EdgeCondition | null;
  readonly activationGroup?: string;
  readonly activationCondition?: Activation;
}

const activations: ReadonlySet<unknown> = new Set(["all", "any"]);

/**
 * Builds a DiGraph a node and an edge at a time (AutoGen's DiGraphBuilder), keeping the agents
 * for the flow's participants:
 *
 * ```ts
 * const builder = new DiGraphBuilder().addNode(writer).addNode(reviewer).addNode(publisher);
 * builder.addEdge(writer, reviewer).addEdge(reviewer, publisher, "APPROVE").addEdge(reviewer, writer, "REVISE");
 * const flow = new GraphFlow({ participants: builder.getParticipants(), graph: builder.build(), maxTurns: 10 });
 * ```
 *
 * The builder is a mutable scratchpad; `build()` returns a checked, frozen graph of its own.
 */
export class DiGraphBuilder {
  readonly #nodes = new Map<string, { activation: Activation; edges: DiGraphEdge[] }>();
  readonly #agents = new Map<string, ChatAgent>();
  #defaultStartNode: string | undefined;

  /** Adds an agent as a node. Adding the same agent again changes nothing. */
  addNode(agent: ChatAgent, activation: Activation = "all"): this {
    if (typeof agent?.name !== "string" || typeof agent.onMessages !== "function")
      throw new UserError("DiGraphBuilder.addNode takes a chat agent.", { field: "agent" });
    if (!activations.has(activation))
      throw new UserError(
        `DiGraphBuilder.addNode: activation must be "all" or "any", not ${JSON.stringify(activation)}.`,
        {
          field: "activation",
        },
      );
    const known = this.#agents.get(agent.name);
    if (known === agent) return this;
    if (known !== undefined)
      throw new UserError(`DiGraphBuilder: another agent named "${agent.name}" is already a node.`, { field: "agent" });
    this.#nodes.set(agent.name, { activation, edges: [] });
    this.#agents.set(agent.name, agent);
    return this;
  }

  /**
   * Adds an edge from `source` to `target` (agents or their names, both already nodes). The third
   * argument is the edge's condition (a string the last message must contain, or a function of
   * that message) or its options.
   */
  addEdge(source: ChatAgent | string, target: ChatAgent | string, edge?: EdgeCondition | EdgeOptions | null): this {
    const from = this.#nodeName(source, "Source");
    const to = this.#nodeName(target, "Target");
    const options: EdgeOptions =
      edge === undefined || edge === null
        ? {}
        : typeof edge === "string" || typeof edge === "function"
          ? { condition: edge }
          : edge;
    const activationCondition = options.activationCondition ?? "all";
    if (!activations.has(activationCondition))
      throw new UserError(
        `DiGraphBuilder.addEdge: activationCondition must be "all" or "any", not ${JSON.stringify(activationCondition)}.`,
        { field: "activationCondition" },
      );
    const condition = options.condition ?? undefined;
    (this.#nodes.get(from) as { edges: DiGraphEdge[] }).edges.push({
      target: to,
      ...(condition === undefined ? {} : { condition }),
      activationGroup: options.activationGroup || to,
      activationCondition,
    });
    return this;
  }

  /** Adds an edge from `source` for each keyword: to its target when the last message contains it. */
  addConditionalEdges(
    source: ChatAgent | string,
    conditionToTarget: Readonly<Record<string, ChatAgent | string>>,
  ): this {
    for (const [keyword, target] of Object.entries(conditionToTarget)) this.addEdge(source, target, keyword);
    return this;
  }

  /** Makes `node` the one a run starts from, in place of every node no edge leads to. */
  setEntryPoint(node: ChatAgent | string): this {
    this.#defaultStartNode = this.#nodeName(node, "Start");
    return this;
  }

  /** The graph, checked as GraphFlow checks it (a UserError says what is wrong). */
  build(): DiGraph {
    const nodes: Record<string, { name: string; edges: DiGraphEdge[]; activation: Activation }> = {};
    for (const [name, node] of this.#nodes) nodes[name] = { name, edges: [...node.edges], activation: node.activation };
    const graph: DiGraph = {
      nodes,
      ...(this.#defaultStartNode === undefined ? {} : { defaultStartNode: this.#defaultStartNode }),
    };
    return compileGraph(graph, "DiGraphBuilder.build").graph;
  }

  /** The agents added as nodes, in the order they were added: the flow's participants. */
  getParticipants(): ChatAgent[] {
    return [...this.#agents.values()];
  }

  #nodeName(node: ChatAgent | string, role: "Source" | "Target" | "Start"): string {
    const name = typeof node === "string" ? node : node?.name;
    if (typeof name !== "string" || !this.#nodes.has(name))
      throw new UserError(
        role === "Start"
          ? `DiGraphBuilder: start node '${String(name)}' must be added before setting it as the entry point.`
          : `DiGraphBuilder: ${role.toLowerCase()} node '${String(name)}' must be added before adding an edge.`,
        { field: role.toLowerCase() },
      );
    return name;
  }
}
