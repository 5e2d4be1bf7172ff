import type { ChatAgent } from "../core/agent.ts";
import type { ChatMessage } from "../core/messages.ts";
import type { TeamState } from "../core/session.ts";
import { BaseGroupChat, type GroupChatOptions, type SpeakerChoice, type SpeakerContext } from "./base-group-chat.ts";
import { knownOptions } from "../core/known-options.ts";
import { type GroupChatAutoGenNames, swarmOptionNames } from "./option-names.ts";
import { checkAgentsOnly } from "./team-member.ts";

/**
 * Agents pass the conversation to each other with handoffs (AutoGen's Swarm). The first
 * participant starts; an agent keeps speaking until it hands off. A handoff to someone outside the
 * team, such as "user" with a HandoffTermination, ends the run; the next task goes back to the
 * agent that handed off, in this process or another, from the saved session.
 */
export class Swarm extends BaseGroupChat {
  protected readonly kind = "swarm";

  constructor(options: GroupChatOptions & GroupChatAutoGenNames) {
    super(knownOptions("Swarm", options, swarmOptionNames), "Swarm");
    checkAgentsOnly("Swarm", this.name, this.participants);
    Object.freeze(this);
  }

  protected selectSpeaker({ state, thread, freshTask }: SpeakerContext): SpeakerChoice {
    const first = this.participants[0] as ChatAgent;
    const name = state.speaker ?? first.name;
    const speaker = this.participant(name);
    if (speaker !== undefined) return { speaker };
    // The last handoff went outside the team (to the user): the agent that made it takes the answer.
    const handoff = freshTask
      ? thread.findLast((message) => message.type === "handoff" && message.target === name)
      : undefined;
    const sender = handoff === undefined ? undefined : this.participant(handoff.source);
    if (sender !== undefined) return { speaker: sender };
    throw this.unknownSpeaker(name, "the conversation was handed off to");
  }

  protected advance(state: TeamState, speaker: ChatAgent, message: ChatMessage): TeamState {
    return { ...state, speaker: message.type === "handoff" ? message.target : speaker.name };
  }
}
