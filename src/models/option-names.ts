// The option names each model client's constructor takes, and AutoGen's names where they differ
// (checked by knownOptions; docs/autogen.md lists them side by side).
import { optionNames, type OptionNames } from "../core/known-options.ts";
import type { AnthropicChatCompletionClientOptions } from "./anthropic/anthropic-client.ts";
import type { AzureOpenAIChatCompletionClientOptions } from "./openai/azure-client.ts";
import type { OpenAIChatCompletionClientOptions } from "./openai/openai-client.ts";

/** AutoGen's names for a model client's options, accepted beside hearth's (give one or the other). */
export interface ModelClientAutoGenNames {
  /** AutoGen's `base_url`: hearth's `baseURL`. */
  readonly baseUrl?: string | undefined;
  /** AutoGen's `default_headers`: hearth's `headers`. */
  readonly defaultHeaders?: Readonly<Record<string, string>>;
}

export type AzureClientAutoGenNames = Pick<ModelClientAutoGenNames, "defaultHeaders">;

const aliases = { baseUrl: "baseURL", defaultHeaders: "headers" } satisfies Record<
  keyof ModelClientAutoGenNames,
  keyof OpenAIChatCompletionClientOptions & keyof AnthropicChatCompletionClientOptions
>;

const refusedByEveryClient = {
  timeout:
    "AutoGen's `timeout` is in seconds; hearth's `timeoutMs` is in milliseconds, and counts until the response headers, then between two chunks of the body: give `timeoutMs`.",
  modelCapabilities: "Give `modelInfo` (AutoGen deprecated `model_capabilities` for it too).",
  responseFormat:
    "Ask for structured output on the agent: AssistantAgent's `outputSchema` sends the response format and validates the reply.",
};

const refusedByOpenAIClients = {
  ...refusedByEveryClient,
  addNamePrefixes:
    "hearth's client sends the text of other agents' messages as it is, with no name prefix (AutoGen's default).",
  includeNameInMessage: "hearth's client never sends a user message's `name` field (AutoGen's `false`).",
  logitBias: "hearth's client does not send `logit_bias`.",
  n: "hearth asks for one choice per call.",
  streamOptions: "hearth asks for usage in every stream (`stream_options.include_usage`) by itself.",
  reasoningEffort: "hearth's client does not send `reasoning_effort`.",
};

const samplingNames = [
  "temperature",
  "topP",
  "maxTokens",
  "seed",
  "stop",
  "presencePenalty",
  "frequencyPenalty",
  "user",
] as const;

const clientNames = [
  "model",
  "provider",
  "headers",
  "timeoutMs",
  "maxRetries",
  "retry",
  "modelInfo",
  "connectionPools",
] as const;

export const openAIClientOptionNames: OptionNames = {
  accepted: optionNames<OpenAIChatCompletionClientOptions>()([
    ...clientNames,
    ...samplingNames,
    "apiKey",
    "baseURL",
    "parallelToolCalls",
  ]),
  aliases,
  refused: {
    ...refusedByOpenAIClients,
    organization: 'Send it as a header: `headers: { "OpenAI-Organization": "org-..." }`.',
  },
};

export const azureClientOptionNames: OptionNames = {
  accepted: optionNames<AzureOpenAIChatCompletionClientOptions>()([
    ...clientNames,
    ...samplingNames,
    "parallelToolCalls",
    "azureEndpoint",
    "azureDeployment",
    "apiVersion",
    "apiKey",
    "azureAdToken",
    "azureAdTokenProvider",
  ]),
  aliases: { defaultHeaders: "headers" },
  refused: refusedByOpenAIClients,
};

export const anthropicClientOptionNames: OptionNames = {
  accepted: optionNames<AnthropicChatCompletionClientOptions>()([
    ...clientNames,
    "apiKey",
    "baseURL",
    "maxTokens",
    "temperature",
    "topP",
    "topK",
    "stopSequences",
    "thinking",
  ]),
  aliases,
  refused: {
    ...refusedByEveryClient,
    metadata: "hearth's client does not send the Messages API's `metadata`.",
    tools: "Give tools to the agent (AssistantAgent's `tools`): the client sends the agent's tools with each call.",
    toolChoice: "hearth's client sends the tool choice each call asks for; it has no default of its own.",
  },
};
