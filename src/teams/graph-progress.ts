// A GraphFlow's progress through its graph, as pure functions over the JSON kept in the session
// (TeamState.graph): the same bookkeeping as AutoGen's GraphFlowManager (ready queue, remaining
// edges per activation group, "any" groups already enqueued), with the nodes taken together kept
// too, so a run stopped between two of them resumes with the next.
import { HearthError } from "../core/errors.ts";
import { chatMessageText, type ChatMessage } from "../core/messages.ts";
import { invalidSession, type GraphProgress } from "../core/session.ts";
import type { CompiledGraph, GraphEdge } from "./digraph.ts";

type Table<Value> = Record<string, Readonly<Record<string, Value>>>;

/** The progress of a run that has not begun: the start nodes are ready. */
export function initialProgress(graph: CompiledGraph): GraphProgress {
  const remaining: Table<number> = {};
  const enqueuedAny: Table<boolean> = {};
  for (const [target, groups] of graph.groups) {
    remaining[target] = Object.fromEntries([...groups].map(([name, group]) => [name, group.count]));
    enqueuedAny[target] = Object.fromEntries([...groups.keys()].map((name) => [name, false]));
  }
  return { ready: [...graph.startNodes], running: [], remaining, enqueuedAny, triggered: {} };
}

/** True when no node is ready or waiting to speak: the graph has run to its end. */
export function graphFinished(progress: GraphProgress): boolean {
  return progress.running.length === 0 && progress.ready.length === 0;
}

/**
 * The node that speaks next, and the progress once it is taken. When the nodes taken together
 * have all spoken, every ready node is taken at once (AutoGen's `select_speaker` drains the ready
 * queue), and the activation groups that made each one ready start counting again. A graph that
 * ran to its end starts again from its start nodes.
 */
export function takeNext(graph: CompiledGraph, progress: GraphProgress): { node: string; progress: GraphProgress } {
  let current = progress;
  if (current.running.length === 0)
    current = takeReady(graph, graphFinished(current) ? initialProgress(graph) : current);
  const [node, ...running] = current.running;
  if (node === undefined) throw new HearthError("HEARTH_INTERNAL", "GraphFlow: no node to take from its progress.");
  return { node, progress: { ...current, running } };
}

function takeReady(graph: CompiledGraph, progress: GraphProgress): GraphProgress {
  const remaining: Table<number> = { ...progress.remaining };
  const enqueuedAny: Table<boolean> = { ...progress.enqueuedAny };
  const triggered: Record<string, readonly string[]> = { ...progress.triggered };
  for (const node of progress.ready) {
    for (const name of triggered[node] ?? []) {
      const group = graph.groups.get(node)?.get(name);
      if (group === undefined) continue;
      if (group.activation === "any") enqueuedAny[node] = { ...enqueuedAny[node], [name]: false };
      else remaining[node] = { ...remaining[node], [name]: group.count };
    }
    delete triggered[node];
  }
  return { ready: [], running: [...progress.ready], remaining, enqueuedAny, triggered };
}

/**
 * The progress after `source` spoke `message`: each of its edges that fires counts toward its
 * target's activation group; a target whose group is complete ("all") or first reached ("any")
 * joins the ready queue.
 */
export function recordTurn(
  graph: CompiledGraph,
  progress: GraphProgress,
  source: string,
  message: ChatMessage,
): GraphProgress {
  const edges = graph.edges.get(source) ?? [];
  const firing = edges.filter((edge) => edgeFires(edge, message));
  if (firing.length === 0) return progress;
  const ready = [...progress.ready];
  const remaining: Table<number> = { ...progress.remaining };
  const enqueuedAny: Table<boolean> = { ...progress.enqueuedAny };
  const triggered: Record<string, readonly string[]> = { ...progress.triggered };
  const trigger = (target: string, name: string) => {
    ready.push(target);
    const groups = triggered[target] ?? [];
    if (!groups.includes(name)) triggered[target] = [...groups, name];
  };
  for (const { target, activationGroup: name } of firing) {
    const group = graph.groups.get(target)?.get(name);
    if (group === undefined) continue;
    if (group.activation === "all") {
      const left = (remaining[target]?.[name] ?? group.count) - 1;
      remaining[target] = { ...remaining[target], [name]: left };
      if (left === 0) trigger(target, name);
    } else if (enqueuedAny[target]?.[name] !== true) {
      enqueuedAny[target] = { ...enqueuedAny[target], [name]: true };
      trigger(target, name);
    }
  }
  return { ready, running: progress.running, remaining, enqueuedAny, triggered };
}

function edgeFires(edge: GraphEdge, message: ChatMessage): boolean {
  if (edge.condition === undefined) return true;
  if (typeof edge.condition === "string") return chatMessageText(message).includes(edge.condition);
  return Boolean(edge.condition(message));
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The progress a session holds, checked against the graph: a node the graph lacks is refused. */
export function checkProgress(graph: CompiledGraph, value: unknown, where: string): GraphProgress {
  if (!isObject(value)) throw invalidSession(`${where}: the graph progress must be an object`);
  return {
    ready: nodeList(graph, value.ready, `${where}: graph.ready`),
    running: nodeList(graph, value.running, `${where}: graph.running`),
    remaining: table<number>(value.remaining, (count) => Number.isInteger(count), `${where}: graph.remaining`),
    enqueuedAny: table<boolean>(value.enqueuedAny, (flag) => typeof flag === "boolean", `${where}: graph.enqueuedAny`),
    triggered: triggeredOf(value.triggered, `${where}: graph.triggered`),
  };
}

/**
 * The progress of AutoGen's GraphFlowManager state (`ready`, `remaining`, `enqueued_any`). AutoGen
 * does not save which groups made each ready node ready; they are the groups complete ("all", no
 * edge remaining) or enqueued ("any") for it, and are read so.
 */
export function progressFromAutoGen(graph: CompiledGraph, manager: Readonly<Record<string, unknown>>): GraphProgress {
  const ready = nodeList(graph, manager.ready, "AutoGen GraphFlow state: ready");
  const remaining = table<number>(
    manager.remaining,
    (count) => Number.isInteger(count),
    "AutoGen GraphFlow state: remaining",
  );
  const enqueuedAny = table<boolean>(
    manager.enqueued_any,
    (flag) => typeof flag === "boolean",
    "AutoGen GraphFlow state: enqueued_any",
  );
  const triggered: Record<string, string[]> = {};
  for (const node of new Set(ready)) {
    const groups = [...(graph.groups.get(node) ?? [])]
      .filter(([name, group]) =>
        group.activation === "all" ? remaining[node]?.[name] === 0 : enqueuedAny[node]?.[name] === true,
      )
      .map(([name]) => name);
    if (groups.length > 0) triggered[node] = groups;
  }
  return { ready, running: [], remaining, enqueuedAny, triggered };
}

function nodeList(graph: CompiledGraph, value: unknown, where: string): string[] {
  if (!Array.isArray(value)) throw invalidSession(`${where} must be an array of node names`);
  for (const node of value)
    if (typeof node !== "string" || !graph.edges.has(node))
      throw invalidSession(`${where} names ${JSON.stringify(node)}, which is not a node of the graph`);
  return [...(value as string[])];
}

function table<Value>(value: unknown, valid: (entry: unknown) => boolean, where: string): Table<Value> {
  if (!isObject(value)) throw invalidSession(`${where} must be an object`);
  const result: Table<Value> = {};
  for (const [node, groups] of Object.entries(value)) {
    if (!isObject(groups) || !Object.values(groups).every(valid))
      throw invalidSession(`${where}.${node} does not hold what it should`);
    result[node] = { ...(groups as Record<string, Value>) };
  }
  return result;
}

function triggeredOf(value: unknown, where: string): Record<string, readonly string[]> {
  if (!isObject(value)) throw invalidSession(`${where} must be an object`);
  for (const [node, groups] of Object.entries(value))
    if (!Array.isArray(groups) || !groups.every((group) => typeof group === "string"))
      throw invalidSession(`${where}.${node} must be an array of group names`);
  return { ...(value as Record<string, readonly string[]>) };
}
