// Reads the TeamState JSON that AutoGen AgentChat 0.7 writes for RoundRobinGroupChat,
// SelectorGroupChat and Swarm into a hearth session. AutoGen 0.4 keyed agents as "name/team-id";
// both layouts are read.
import { agentMessagesFromAutoGen, modelMessagesFromAutoGen } from "../agents/autogen-format.ts";
import { isChatMessage } from "../core/messages.ts";
import type { ModelMessage } from "../core/model-client.ts";
import { invalidSession, Session, type TeamState } from "../core/session.ts";

const managerKinds: Record<string, string> = {
  RoundRobinManagerState: "round-robin",
  SelectorManagerState: "selector",
  SwarmManagerState: "swarm",
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function teamSessionFromAutoGen(
  state: Json,
  team: { readonly team: string; readonly kind: string; readonly participants: readonly string[] },
): Session {
  if (!isObject(state.agent_states)) throw invalidSession("AutoGen TeamState has no agent_states");
  let manager: Json | undefined;
  const containers = new Map<string, Json>();
  for (const [key, value] of Object.entries(state.agent_states)) {
    if (!isObject(value)) throw invalidSession(`AutoGen agent_states.${key} is not an object`);
    if (typeof value.type === "string" && value.type in managerKinds) manager = value;
    else if (value.type === "ChatAgentContainerState") containers.set(key.split("/")[0] ?? key, value);
  }
  if (manager === undefined) throw invalidSession("AutoGen TeamState has no group chat manager state");
  const kind = managerKinds[manager.type as string];
  if (kind !== team.kind) throw invalidSession(`this AutoGen state is of a ${kind} team, not a ${team.kind} team`);

  const messages = agentMessagesFromAutoGen(manager.message_thread ?? []);
  const threadLength = messages.filter(isChatMessage).length;
  const contexts: Record<string, ModelMessage[]> = {};
  const delivered: Record<string, number> = {};
  for (const [name, container] of containers) {
    if (!team.participants.includes(name))
      throw invalidSession(`the AutoGen state has an agent "${name}" that is not in team "${team.team}"`);
    const agentState = isObject(container.agent_state) ? container.agent_state : {};
    const llmContext = isObject(agentState.llm_context) ? agentState.llm_context : {};
    contexts[name] = modelMessagesFromAutoGen(llmContext.messages ?? []);
    // Messages still in an agent's buffer were broadcast to it but not yet seen by its model.
    const buffered = agentMessagesFromAutoGen(container.message_buffer ?? []).filter(isChatMessage).length;
    delivered[name] = Math.max(0, threadLength - buffered);
  }
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
  };
  const session = new Session();
  session.apply({ messages, contexts, team: teamState });
  return session;
}
