// The option names ScriptedModelClient takes, and AutoGen's ReplayChatCompletionClient's where they
// differ (checked by knownOptions).
import { optionNames, type OptionNames } from "../core/known-options.ts";
import type { ScriptedModelClientOptions } from "./scripted-model-client.ts";

/** AutoGen's names for ScriptedModelClient's options, accepted beside hearth's (give one or the other). */
export interface ScriptedModelClientAutoGenNames {
  /** ReplayChatCompletionClient's `chat_completions`: hearth's `replies`. */
  readonly chatCompletions?: ScriptedModelClientOptions["replies"];
}

export const scriptedModelClientOptionNames: OptionNames = {
  accepted: optionNames<ScriptedModelClientOptions>()(["replies", "modelInfo", "chunkSize"]),
  aliases: { chatCompletions: "replies" } satisfies Record<
    keyof ScriptedModelClientAutoGenNames,
    keyof ScriptedModelClientOptions
  >,
};
