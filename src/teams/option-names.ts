// The option names each team's and termination condition's constructor takes, and AutoGen's names
// where they differ (checked by knownOptions; docs/autogen.md lists them side by side).
import { optionNames, type OptionNames } from "../core/known-options.ts";
import type { TerminationCondition } from "../core/team.ts";
import type { GroupChatOptions } from "./base-group-chat.ts";
import type { SelectorGroupChatOptions } from "./selector-group-chat.ts";
import type { MaxMessageTermination, TextMentionTermination, TokenUsageTermination } from "./termination.ts";

/** AutoGen's names for a team's options, accepted beside hearth's (give one or the other). */
export interface GroupChatAutoGenNames {
  /** AutoGen's `termination_condition`: hearth's `termination`. */
  readonly terminationCondition?: TerminationCondition;
}

const groupChatAliases = { terminationCondition: "termination" } satisfies Record<
  keyof GroupChatAutoGenNames,
  keyof GroupChatOptions
>;

const groupChatRefused = {
  runtime:
    "A hearth team runs in the process that calls it, over the Session given to run(): there is no agent runtime. For many processes, share a session store (docs/scaling.md).",
  customMessageTypes:
    "hearth's messages are a fixed set of JSON types: carry extra data in a message's `metadata`, or as a structured reply (`outputSchema`).",
  emitTeamEvents:
    "A hearth team's stream carries its agents' messages and events; who spoke is each message's `source`.",
};

const groupChatAccepted = ["participants", "name", "description", "termination", "maxTurns"] as const;

export const roundRobinGroupChatOptionNames: OptionNames = {
  accepted: optionNames<GroupChatOptions>()(groupChatAccepted),
  aliases: groupChatAliases,
  refused: groupChatRefused,
};

export const swarmOptionNames: OptionNames = roundRobinGroupChatOptionNames;

export const selectorGroupChatOptionNames: OptionNames = {
  accepted: optionNames<SelectorGroupChatOptions>()([
    ...groupChatAccepted,
    "modelClient",
    "selectorPrompt",
    "selectorFunc",
    "allowRepeatedSpeaker",
    "maxSelectorAttempts",
    "candidateFunc",
  ]),
  aliases: groupChatAliases,
  refused: {
    ...groupChatRefused,
    modelClientStreaming: "hearth's selector reads its model's whole answer; it does not stream it.",
    modelContext:
      "hearth's selector shows its model the team's whole thread as {history}; to choose without the model, give a `selectorFunc`.",
  },
};

export const maxMessageTerminationOptionNames: OptionNames = {
  accepted: optionNames<NonNullable<ConstructorParameters<typeof MaxMessageTermination>[1]>>()(["includeAgentEvent"]),
};

export const textMentionTerminationOptionNames: OptionNames = {
  accepted: optionNames<NonNullable<ConstructorParameters<typeof TextMentionTermination>[1]>>()(["sources"]),
};

/** AutoGen's names for TokenUsageTermination's limits (singular `token`), beside hearth's. */
export interface TokenUsageAutoGenNames {
  /** AutoGen's `max_total_token`: hearth's `maxTotalTokens`. */
  readonly maxTotalToken?: number;
  /** AutoGen's `max_prompt_token`: hearth's `maxPromptTokens`. */
  readonly maxPromptToken?: number;
  /** AutoGen's `max_completion_token`: hearth's `maxCompletionTokens`. */
  readonly maxCompletionToken?: number;
}

type TokenLimits = Omit<ConstructorParameters<typeof TokenUsageTermination>[0], keyof TokenUsageAutoGenNames>;

export const tokenUsageTerminationOptionNames: OptionNames = {
  accepted: optionNames<TokenLimits>()(["maxTotalTokens", "maxPromptTokens", "maxCompletionTokens"]),
  aliases: {
    maxTotalToken: "maxTotalTokens",
    maxPromptToken: "maxPromptTokens",
    maxCompletionToken: "maxCompletionTokens",
  } satisfies Record<keyof TokenUsageAutoGenNames, keyof TokenLimits>,
};
