import { parseState } from "../agents/base-chat-agent.ts";
import type { ChatAgent } from "../core/agent.ts";
import { UserError } from "../core/errors.ts";
import { knownOptions, optionNames, type OptionNames } from "../core/known-options.ts";
import type { ChatMessage } from "../core/messages.ts";
import { invalidSession, type GraphProgress, type Session, type TeamState } from "../core/session.ts";
import { teamSessionFromAutoGen } from "./autogen-team-state.ts";
import { BaseGroupChat, type GroupChatOptions, type SpeakerChoice, type SpeakerContext } from "./base-group-chat.ts";
import { compileGraph, type CompiledGraph, type DiGraph } from "./digraph.ts";
import {
  checkProgress,
  graphFinished,
  initialProgress,
  progressFromAutoGen,
  recordTurn,
  takeNext,
} from "./graph-progress.ts";
import { type GroupChatAutoGenNames, roundRobinGroupChatOptionNames } from "./option-names.ts";

export interface GraphFlowOptions extends GroupChatOptions {
  /** The graph the participants follow; `DiGraphBuilder` builds one. Each node is a participant. */
  readonly graph: DiGraph;
}

const graphFlowOptionNames: OptionNames = {
  ...roundRobinGroupChatOptionNames,
  accepted: optionNames<GraphFlowOptions>()([
    "participants",
    "name",
    "description",
    "termination",
    "maxTurns",
    "graph",
  ]),
};

/** The stop reason of a run whose graph has no node left to run (AutoGen's). */
export const graphCompleteReason = "Digraph execution is complete";

/**
 * Participants speak as a directed graph says (AutoGen's GraphFlow): in sequence, fanned out,
 * joined when all or any of a node's parents have spoken, branching on what the last message says,
 * looping until a condition leads out. A run ends when no node is left to run, with the stop
 * reason "Digraph execution is complete"; the next run starts again from the start nodes. A run
 * stopped earlier (a termination condition, maxTurns, an abort) resumes where it stopped: the
 * graph's progress lives in the session. Nodes that AutoGen runs at once, hearth runs one after
 * another, in the order they became ready (docs/teams.md says what differs).
 */
export class GraphFlow extends BaseGroupChat {
  protected readonly kind = "graph-flow";
  /** The graph, checked, with its defaults filled in. */
  readonly graph: DiGraph;
  readonly #compiled: CompiledGraph;

  constructor(options: GraphFlowOptions & GroupChatAutoGenNames) {
    options = knownOptions("GraphFlow", options, graphFlowOptionNames);
    const where = `GraphFlow "${options?.name ?? "GraphFlow"}"`;
    const compiled = compileGraph(options?.graph, where);
    if (compiled.hasCycles && options.termination === undefined && options.maxTurns === undefined)
      throw new UserError(
        `${where}: its graph has a cycle, so it needs a termination condition, maxTurns, or both, to be sure to stop.`,
        { field: "termination" },
      );
    super(options, "GraphFlow", !compiled.hasCycles);
    // As in AutoGen, whose GraphFlow takes chat agents only: a node is one agent's turn.
    const team = this.participants.find((participant) => typeof (participant as ChatAgent).onMessages !== "function");
    if (team !== undefined)
      throw new UserError(`${where}: participant "${team.name}" is a team; a graph's nodes are chat agents.`, {
        field: "participants",
      });
    for (const node of compiled.nodes)
      if (this.participant(node) === undefined)
        throw new UserError(
          `${where}: the graph's node "${node}" is not one of its participants (${this.participants.map((participant) => participant.name).join(", ")}).`,
          { field: "graph" },
        );
    this.graph = compiled.graph;
    this.#compiled = compiled;
    Object.freeze(this);
  }

  protected override initialState(): TeamState {
    return { ...super.initialState(), graph: initialProgress(this.#compiled) };
  }

  /** The team's state in `session`, its graph progress checked against this flow's graph. */
  override stateOf(session: Session): TeamState {
    const state = super.stateOf(session);
    const progress =
      state.graph === undefined
        ? initialProgress(this.#compiled)
        : checkProgress(this.#compiled, state.graph, `session ${session.id}`);
    return { ...state, graph: progress };
  }

  /** Also reads the TeamState that AutoGen 0.7's GraphFlow `save_state()` writes. */
  override loadState(state: unknown): Session {
    const json = typeof state === "string" ? parseState(state) : state;
    if (typeof json !== "object" || json === null || (json as { type?: unknown }).type !== "TeamState")
      return super.loadState(json);
    const session = teamSessionFromAutoGen(json as Record<string, unknown>, {
      team: this.name,
      kind: this.kind,
      participants: this.participants.map((participant) => participant.name),
      fromManager: (manager) => ({ graph: progressFromAutoGen(this.#compiled, manager) }),
    });
    this.stateOf(session);
    return session;
  }

  protected selectSpeaker({ state }: SpeakerContext): SpeakerChoice {
    const { node } = takeNext(this.#compiled, this.#progressOf(state));
    return { speaker: this.participant(node) as ChatAgent };
  }

  protected advance(state: TeamState, speaker: ChatAgent, message: ChatMessage): TeamState {
    // Taking the node is redone here from the same state, so nothing changes until the turn is whole.
    const taken = takeNext(this.#compiled, this.#progressOf(state));
    if (taken.node !== speaker.name)
      throw invalidSession(`the graph's next node is "${taken.node}", but "${speaker.name}" spoke`);
    return { ...state, graph: recordTurn(this.#compiled, taken.progress, speaker.name, message) };
  }

  protected override completed(state: TeamState): string | undefined {
    return graphFinished(this.#progressOf(state)) ? graphCompleteReason : undefined;
  }

  #progressOf(state: TeamState): GraphProgress {
    return state.graph ?? initialProgress(this.#compiled);
  }
}
