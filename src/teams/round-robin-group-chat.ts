import type { ChatAgent } from "../core/agent.ts";
import type { TeamState } from "../core/session.ts";
import { BaseGroupChat, type GroupChatOptions, type SpeakerChoice, type SpeakerContext } from "./base-group-chat.ts";
import { knownOptions } from "../core/known-options.ts";
import { type GroupChatAutoGenNames, roundRobinGroupChatOptionNames } from "./option-names.ts";

/** Participants speak in turn, in order, each seeing everything said before (AutoGen's RoundRobinGroupChat). */
export class RoundRobinGroupChat extends BaseGroupChat {
  protected readonly kind = "round-robin";

  constructor(options: GroupChatOptions & GroupChatAutoGenNames) {
    super(knownOptions("RoundRobinGroupChat", options, roundRobinGroupChatOptionNames), "RoundRobinGroupChat");
    Object.freeze(this);
  }

  protected selectSpeaker({ state }: SpeakerContext): SpeakerChoice {
    const index = (state.nextSpeakerIndex ?? 0) % this.participants.length;
    return { speaker: this.participants[index] as ChatAgent };
  }

  protected advance(state: TeamState): TeamState {
    return { ...state, nextSpeakerIndex: ((state.nextSpeakerIndex ?? 0) + 1) % this.participants.length };
  }
}
