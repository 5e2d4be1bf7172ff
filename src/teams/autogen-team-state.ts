// Reads the TeamState JSON that AutoGen AgentChat 0.7 writes for RoundRobinGroupChat,
// SelectorGroupChat, Swarm and GraphFlow into a hearth session. AutoGen 0.4 keyed agents as
// "name/team-id"; both layouts are read. Every member must have its state in the file, as AutoGen's
// own load_state requires.
import { agentContextFromAutoGen, agentMessagesFromAutoGen } from "../agents/autogen-format.ts";
import { isChatMessage } from "../core/messages.ts";
import type { ModelMessage } from "../core/model-client.ts";
import { invalidSession, Session, type TeamState } from "../core/session.ts";

const managerKinds: Record<string, string> = {
  RoundRobinManagerState: "round-robin",
  SelectorManagerState: "selector",
  SwarmManagerState: "swarm",
  GraphManagerState: "graph-flow",
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

// AutoGen's GraphFlowManager saves a plain dict, without a `type`: it is known by its fields.
const isGraphManagerState = (value: Json) =>
  value.type === undefined && Array.isArray(value.ready) && isObject(value.remaining);

export function teamSessionFromAutoGen(
  state: Json,
  team: {
    readonly team: string;
    readonly kind: string;
    readonly participants: readonly string[];
    /** Members whose model reads no images: each image in their contexts becomes "<image>", as AutoGen sends it them. */
    readonly blind?: readonly string[];
    /** The team's own progress read from its manager's state (a GraphFlow's graph progress). */
    readonly fromManager?: (manager: Readonly<Json>) => Partial<TeamState>;
  },
): Session {
  if (!isObject(state.agent_states)) throw invalidSession("AutoGen TeamState has no agent_states");
  let manager: Json | undefined;
  const containers = new Map<string, Json>();
  for (const [key, value] of Object.entries(state.agent_states)) {
    if (!isObject(value)) throw invalidSession(`AutoGen agent_states.${key} is not an object`);
    if ((typeof value.type === "string" && value.type in managerKinds) || isGraphManagerState(value)) manager = value;
    else if (value.type === "ChatAgentContainerState") containers.set(key.split("/")[0] ?? key, value);
  }
  if (manager === undefined) throw invalidSession("AutoGen TeamState has no group chat manager state");
  const kind = isGraphManagerState(manager) ? "graph-flow" : managerKinds[manager.type as string];
  if (kind !== team.kind) throw invalidSession(`this AutoGen state is of a ${kind} team, not a ${team.kind} team`);

  const messages = agentMessagesFromAutoGen(manager.message_thread ?? []);
  const thread = messages.filter(isChatMessage);
  const threadLength = thread.length;
  const contexts: Record<string, ModelMessage[]> = {};
  const delivered: Record<string, number> = {};
  for (const [name, container] of containers) {
    if (!team.participants.includes(name))
      throw invalidSession(`the AutoGen state has an agent "${name}" that is not in team "${team.team}"`);
    const agentState = isObject(container.agent_state) ? container.agent_state : {};
    contexts[name] = agentContextFromAutoGen(
      agentState,
      { vision: !(team.blind ?? []).includes(name) },
      `agent_states.${name}.agent_state.`,
    );
    // Messages still in an agent's buffer were broadcast to it but not yet seen by its model. In a
    // GraphFlow, members that ran at once each missed the others' replies, which precede their own
    // in the thread: delivery starts again at the first buffered one (an agent skips its own).
    const buffered = agentMessagesFromAutoGen(
      container.message_buffer ?? [],
      `agent_states.${name}.message_buffer`,
    ).filter(isChatMessage);
    const first = buffered.length === 0 ? -1 : thread.findIndex((message) => message.id === buffered[0]?.id);
    delivered[name] = first >= 0 ? first : Math.max(0, threadLength - buffered.length);
  }
  // A member with no state would start as if it had read nothing: AutoGen refuses such a state
  // ("Agent state for <name> not found in the saved state"), and so does hearth.
  const missing = team.participants.find((name) => !containers.has(name));
  if (missing !== undefined)
    throw invalidSession(`the AutoGen state has no state for "${missing}", a member of team "${team.team}"`);
  const previous = typeof manager.previous_speaker === "string" ? manager.previous_speaker : undefined;
  const current =
    typeof manager.current_speaker === "string" && manager.current_speaker !== "" ? manager.current_speaker : undefined;
  const teamState: TeamState = {
    team: team.team,
    kind,
    turn: typeof manager.current_turn === "number" ? manager.current_turn : 0,
    delivered,
    ...(typeof manager.next_speaker_index === "number" ? { nextSpeakerIndex: manager.next_speaker_index } : {}),
    ...(kind === "selector" && previous !== undefined ? { speaker: previous } : {}),
    ...(kind === "swarm" && current !== undefined ? { speaker: current } : {}),
    ...team.fromManager?.(manager),
  };
  const session = new Session();
  session.apply({ messages, contexts, team: teamState });
  return session;
}
