import { createModelResponse } from "../agents/runner/call-model.ts";
import { HearthError, UserError } from "../core/errors.ts";
import { addUsage, chatMessageText, zeroUsage, type ChatMessage, type Usage } from "../core/messages.ts";
import type { ModelClient, ModelMessage } from "../core/model-client.ts";
import type { TeamState } from "../core/session.ts";
import { BaseGroupChat, type GroupChatOptions, type SpeakerChoice, type SpeakerContext } from "./base-group-chat.ts";
import { knownOptions } from "../core/known-options.ts";
import { type GroupChatAutoGenNames, selectorGroupChatOptionNames } from "./option-names.ts";
import type { TeamParticipant } from "./team-member.ts";

export interface SelectorGroupChatOptions extends GroupChatOptions {
  /** The model that picks the next speaker. */
  readonly modelClient: ModelClient;
  /** With `{roles}`, `{participants}` and `{history}` placeholders. */
  readonly selectorPrompt?: string;
  /** Returns the next speaker's name to skip the model call, or null to let the model choose. */
  readonly selectorFunc?: (
    thread: readonly ChatMessage[],
  ) => string | null | undefined | Promise<string | null | undefined>;
  /**
   * Returns the names of the participants the model may choose from next (AutoGen's
   * `candidate_func`), in place of the default candidates (everyone but the previous speaker,
   * unless `allowRepeatedSpeaker`). Asked when there is no `selectorFunc` or it returned null; a
   * single candidate speaks without a model call.
   */
  readonly candidateFunc?: (thread: readonly ChatMessage[]) => readonly string[] | Promise<readonly string[]>;
  /** May the same agent speak twice in a row? Default false. */
  readonly allowRepeatedSpeaker?: boolean;
  /** How many times the model may answer with no single valid name before the run fails. Default 3. */
  readonly maxSelectorAttempts?: number;
}

export const defaultSelectorPrompt = `You are in a role play game. The following roles are available:
{roles}.
Read the following conversation. Then select the next role from {participants} to play. Only return the role.

{history}

Read the above conversation. Then select the next role from {participants} to play. Only return the role.`;

/**
 * A model picks each next speaker from the participants' names and descriptions (AutoGen's
 * SelectorGroupChat). A participant may be a team, which speaks as one member.
 */
export class SelectorGroupChat extends BaseGroupChat {
  protected readonly kind = "selector";
  readonly modelClient: ModelClient;
  readonly selectorPrompt: string;
  readonly allowRepeatedSpeaker: boolean;
  readonly maxSelectorAttempts: number;
  readonly #selectorFunc: SelectorGroupChatOptions["selectorFunc"];
  readonly #candidateFunc: SelectorGroupChatOptions["candidateFunc"];

  constructor(options: SelectorGroupChatOptions & GroupChatAutoGenNames) {
    options = knownOptions("SelectorGroupChat", options, selectorGroupChatOptionNames);
    super(options, "SelectorGroupChat");
    if (options.modelClient === undefined || typeof options.modelClient.create !== "function")
      throw new UserError(`Team "${this.name}" needs a modelClient to select speakers.`, { field: "modelClient" });
    const attempts = options.maxSelectorAttempts ?? 3;
    if (!Number.isInteger(attempts) || attempts < 1)
      throw new UserError(`Team "${this.name}": maxSelectorAttempts must be a whole number, 1 or more.`, {
        field: "maxSelectorAttempts",
      });
    for (const field of ["selectorFunc", "candidateFunc"] as const)
      if (options[field] !== undefined && typeof options[field] !== "function")
        throw new UserError(`Team "${this.name}": ${field} must be a function of the thread.`, { field });
    if (this.participants.length < 2 && options.selectorFunc === undefined)
      throw new UserError(`Team "${this.name}": a selector needs at least two participants to choose from.`, {
        field: "participants",
      });
    this.modelClient = options.modelClient;
    this.selectorPrompt = options.selectorPrompt ?? defaultSelectorPrompt;
    this.allowRepeatedSpeaker = options.allowRepeatedSpeaker ?? false;
    this.maxSelectorAttempts = attempts;
    this.#selectorFunc = options.selectorFunc;
    this.#candidateFunc = options.candidateFunc;
    Object.freeze(this);
  }

  protected async selectSpeaker({ state, thread, signal, run }: SpeakerContext): Promise<SpeakerChoice> {
    if (this.#selectorFunc !== undefined) {
      const chosen = await this.#selectorFunc(thread);
      if (chosen !== null && chosen !== undefined) {
        const speaker = this.participant(chosen);
        if (speaker === undefined) throw this.unknownSpeaker(chosen, "selectorFunc chose");
        return { speaker };
      }
    }
    const candidateFunc = this.#candidateFunc;
    const candidates = candidateFunc === undefined ? this.#candidates(state) : this.#named(await candidateFunc(thread));
    // One candidate is the choice: no model call, as in AutoGen.
    if (candidates.length === 1) return { speaker: candidates[0] as TeamParticipant };
    const names = candidates.map((candidate) => candidate.name);
    const prompt = this.selectorPrompt
      .replaceAll("{roles}", candidates.map((candidate) => `${candidate.name}: ${candidate.description}`).join("\n"))
      .replaceAll("{participants}", JSON.stringify(names))
      .replaceAll("{history}", thread.map((message) => `${message.source}: ${chatMessageText(message)}`).join("\n"));
    const messages: ModelMessage[] = [{ role: "system", content: prompt }];
    let usage: Usage = zeroUsage;
    for (let attempt = 1; attempt <= this.maxSelectorAttempts; attempt++) {
      // In a synthetic run the stub answers with the first candidate: the selector says whom, no prompt is read for it.
      const response = await createModelResponse(
        this.modelClient,
        { messages },
        { source: `${this.name}/selector`, signal, run, syntheticReply: names[0] ?? "" },
      );
      usage = addUsage(usage, response.usage);
      const mentioned = names.filter((name) => mentions(response.content, name));
      if (mentioned.length === 1)
        return { speaker: this.participant(mentioned[0] as string) as TeamParticipant, usage };
      const feedback =
        mentioned.length === 0
          ? `No valid name was mentioned. Please select from: ${JSON.stringify(names)}.`
          : `Expected exactly one name to be mentioned. Please select only one from: ${JSON.stringify(names)}.`;
      messages.push({ role: "assistant", content: response.content }, { role: "user", content: feedback });
    }
    throw new HearthError(
      "HEARTH_TEAM_NO_SPEAKER",
      `Team "${this.name}": the selector model named no single participant of ${JSON.stringify(names)} in ${this.maxSelectorAttempts} attempts.`,
      {
        attempts: this.maxSelectorAttempts,
      },
    );
  }

  /** Everyone, or everyone but the previous speaker. */
  #candidates(state: TeamState): readonly TeamParticipant[] {
    const previous = state.speaker ?? undefined;
    return this.allowRepeatedSpeaker || previous === undefined
      ? this.participants
      : this.participants.filter((participant) => participant.name !== previous);
  }

  /** The participants `candidateFunc` named, in its order, each once. */
  #named(named: unknown): readonly TeamParticipant[] {
    if (!Array.isArray(named) || named.length === 0 || !named.every((name) => typeof name === "string"))
      throw new UserError(
        `Team "${this.name}": candidateFunc must return a non-empty list of participant names; it returned ${JSON.stringify(named)}.`,
        { field: "candidateFunc" },
      );
    const candidates: TeamParticipant[] = [];
    for (const name of new Set(named as string[])) {
      const participant = this.participant(name);
      if (participant === undefined) throw this.unknownSpeaker(name, "candidateFunc named");
      candidates.push(participant);
    }
    return candidates;
  }

  protected advance(state: TeamState, speaker: TeamParticipant): TeamState {
    return { ...state, speaker: speaker.name };
  }
}

function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`).test(text);
}
