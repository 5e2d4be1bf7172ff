// The option names each agent's constructor takes, and AutoGen's names where they differ
// (checked by knownOptions; docs/autogen.md lists them side by side).
import type { JsonSchema } from "../core/json-schema.ts";
import { optionNames, type OptionNames } from "../core/known-options.ts";
import type { StandardSchemaV1 } from "../core/standard-schema.ts";
import type { AssistantAgentOptions } from "./assistant-agent.ts";
import type { UserProxyAgentOptions } from "./user-proxy-agent.ts";
import type { SocietyOfMindAgentOptions } from "./society-of-mind-agent.ts";

/** AutoGen's names for AssistantAgent options, accepted beside hearth's (give one or the other). */
export interface AssistantAgentAutoGenNames<Output = unknown> {
  /** AutoGen's `output_content_type`: hearth's `outputSchema` (a Standard Schema, such as zod's, or a JSON Schema). */
  readonly outputContentType?: StandardSchemaV1<unknown, Output> | JsonSchema;
}

export const assistantAgentOptionNames: OptionNames = {
  accepted: optionNames<AssistantAgentOptions>()([
    "name",
    "description",
    "modelClient",
    "tools",
    "workbench",
    "handoffs",
    "systemMessage",
    "reflectOnToolUse",
    "toolCallSummaryFormat",
    "maxToolIterations",
    "parallelToolCalls",
    "modelClientStream",
    "modelContext",
    "outputSchema",
    "outputJsonSchema",
    "outputName",
    "outputStrict",
    "memory",
  ]),
  aliases: { outputContentType: "outputSchema" } satisfies Record<
    keyof AssistantAgentAutoGenNames,
    keyof AssistantAgentOptions
  >,
  refused: {
    toolCallSummaryFormatter:
      "Give `toolCallSummaryFormat`, a template with {tool_name}, {arguments}, {result} and {is_error}, instead of a function.",
    outputContentTypeFormat:
      "A structured reply's text is its JSON, and the run's `output` is the validated value: format it where it is shown.",
    metadata: "hearth's agents carry no metadata: keep it beside the agent in your app.",
  },
};

export const userProxyAgentOptionNames: OptionNames = {
  accepted: optionNames<UserProxyAgentOptions>()(["name", "description", "inputFunc", "timeoutMs", "prompt"]),
};

export const societyOfMindAgentOptionNames: OptionNames = {
  accepted: optionNames<SocietyOfMindAgentOptions>()([
    "name",
    "team",
    "modelClient",
    "description",
    "instruction",
    "responsePrompt",
    "modelContext",
  ]),
};
