import type { ModelInfo } from "../core/model-client.ts";
import { AnthropicChatCompletionClient } from "../models/anthropic/anthropic-client.ts";
import { AzureOpenAIChatCompletionClient } from "../models/openai/azure-client.ts";
import { OpenAIChatCompletionClient } from "../models/openai/openai-client.ts";
import { type ComponentJSON, ConfigReader, isObject } from "./component-json.ts";
import { construct, present } from "./construct.ts";
import type { Loader } from "./loader.ts";

// AutoGen's model client configs (autogen_ext/models/openai/config and models/anthropic/config:
// OpenAIClientConfigurationConfigModel, AzureOpenAIClientConfigurationConfigModel,
// AnthropicClientConfigurationConfigModel) as hearth's clients' options.

/**
 * An `api_key` as AutoGen writes it: a SecretStr dumped to JSON is "**********", and a key left out
 * may be "". Either is no key at all, and the client falls back to the environment, as AutoGen's do.
 */
function secret(reader: ConfigReader, key: string): string | undefined {
  const value = reader.optionalString(key);
  return value === undefined || /^\**$/.test(value) ? undefined : value;
}

/**
 * A URL option (`base_url`, `azure_endpoint`), checked here: the client's own check quotes what it
 * was given, and a value that is no URL may be a key pasted in the wrong field.
 */
function optionalURL(reader: ConfigReader, key: string): string | undefined {
  const value = reader.optionalString(key);
  const protocol = value === undefined ? undefined : URL.parse(value.endsWith("/") ? value : `${value}/`)?.protocol;
  if (value !== undefined && protocol !== "http:" && protocol !== "https:")
    throw reader.error(key, `"${key}" must be an http or https URL.`);
  return value;
}

/** `model_info` (or the older `model_capabilities`) as hearth's ModelInfo. */
function modelInfoOf(reader: ConfigReader): Partial<ModelInfo> | undefined {
  const read = (info: ConfigReader, withFamily: boolean): Partial<ModelInfo> => {
    const result = {
      ...present("vision", info.optionalBoolean("vision")),
      ...present("functionCalling", info.optionalBoolean("function_calling")),
      ...present("jsonOutput", info.optionalBoolean("json_output")),
      ...(withFamily
        ? {
            ...present("structuredOutput", info.optionalBoolean("structured_output")),
            ...present("family", info.optionalString("family")),
          }
        : {}),
    };
    // AutoGen joins several system messages into one for models without them; an agent here sends one.
    if (withFamily) info.ignore("multiple_system_messages");
    info.done();
    return result;
  };
  const capabilities = reader.optionalObject("model_capabilities");
  const info = reader.optionalObject("model_info");
  if (capabilities === undefined && info === undefined) return undefined;
  return {
    ...(capabilities === undefined ? {} : read(capabilities, false)),
    ...(info === undefined ? {} : read(info, true)),
  };
}

/** The options every client shares: timeouts, retries, headers, model info. */
function commonOptions(reader: ConfigReader, loader: Loader) {
  const timeoutSeconds = reader.optionalNumber("timeout", "positive");
  const modelInfo = modelInfoOf(reader);
  const pools = loader.options.connectionPools;
  return {
    ...present("timeoutMs", timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000),
    ...present("maxRetries", reader.optionalNumber("max_retries", "integer")),
    ...present("modelInfo", modelInfo),
    ...present("connectionPools", pools),
  };
}

/** The Chat Completions sampling options, and the ones hearth refuses (CreateArgumentsConfigModel). */
function chatCompletionsOptions(reader: ConfigReader) {
  const stop = reader.raw("stop");
  if (
    stop !== undefined &&
    typeof stop !== "string" &&
    !(Array.isArray(stop) && stop.every((s) => typeof s === "string"))
  )
    throw reader.error("stop", '"stop" must be a string or a list of strings.');
  reader.unsupported("n", "hearth asks for one answer", (value) => value === 1);
  reader.unsupported("logit_bias", "hearth does not send it");
  reader.unsupported("reasoning_effort", "hearth does not send it");
  reader.unsupported(
    "response_format",
    "give the agent a structured output instead (its structured_message_factory, or outputSchema)",
    (value) => isObject(value) && value.type === "text",
  );
  // hearth always asks a stream for its usage.
  reader.unsupported(
    "stream_options",
    "hearth always asks for the usage (include_usage: true)",
    (value) => isObject(value) && value.include_usage === true && Object.keys(value).length === 1,
  );
  reader.unsupported("add_name_prefixes", "hearth does not prefix messages with names", (value) => value === false);
  reader.unsupported(
    "include_name_in_message",
    "hearth does not send the name field on messages",
    (value) => value === false,
  );
  return {
    ...present("temperature", reader.optionalNumber("temperature")),
    ...present("topP", reader.optionalNumber("top_p")),
    ...present("maxTokens", reader.optionalNumber("max_tokens", "positive integer")),
    ...present("seed", reader.optionalNumber("seed", "integer")),
    ...present("stop", stop as string | string[] | undefined),
    ...present("presencePenalty", reader.optionalNumber("presence_penalty")),
    ...present("frequencyPenalty", reader.optionalNumber("frequency_penalty")),
    ...present("user", reader.optionalString("user")),
    ...present("parallelToolCalls", reader.optionalBoolean("parallel_tool_calls")),
  };
}

/** `autogen_ext.models.openai.OpenAIChatCompletionClient`. */
export function openAIClient(component: ComponentJSON, loader: Loader): OpenAIChatCompletionClient {
  const reader = ConfigReader.of(component);
  const model = reader.string("model");
  const apiKey = secret(reader, "api_key");
  const organization = reader.optionalString("organization");
  const headers = {
    ...reader.optionalStringMap("default_headers"),
    ...(organization === undefined ? {} : { "OpenAI-Organization": organization }),
  };
  const options = {
    model,
    ...present("apiKey", apiKey),
    ...present("baseURL", optionalURL(reader, "base_url")),
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
    ...commonOptions(reader, loader),
    ...chatCompletionsOptions(reader),
  };
  reader.done();
  return construct(reader, () => new OpenAIChatCompletionClient(options));
}

/** `autogen_ext.models.openai.AzureOpenAIChatCompletionClient`. */
export function azureOpenAIClient(component: ComponentJSON, loader: Loader): AzureOpenAIChatCompletionClient {
  const reader = ConfigReader.of(component);
  const model = reader.string("model");
  const apiKey = secret(reader, "api_key");
  const azureAdToken = secret(reader, "azure_ad_token");
  const tokenProvider = reader.optionalComponent("azure_ad_token_provider");
  const suppliedProvider = loader.options.azureAdTokenProvider;
  if (tokenProvider !== undefined && suppliedProvider === undefined)
    throw reader.error(
      "azure_ad_token_provider",
      "an azure_ad_token_provider is not built from JSON: give loadComponent the function in options.azureAdTokenProvider (for example getBearerTokenProvider from @azure/identity).",
    );
  const headers = reader.optionalStringMap("default_headers");
  const options = {
    model,
    // The openai package's Azure client puts the model name in the path when no deployment is named.
    azureDeployment: reader.optionalString("azure_deployment") ?? model,
    apiVersion: reader.string("api_version"),
    ...present("azureEndpoint", optionalURL(reader, "azure_endpoint")),
    ...present("apiKey", apiKey),
    ...present("azureAdToken", azureAdToken),
    ...(tokenProvider === undefined ? {} : present("azureAdTokenProvider", suppliedProvider)),
    ...present("headers", headers),
    ...commonOptions(reader, loader),
    ...chatCompletionsOptions(reader),
  };
  reader.done();
  return construct(reader, () => new AzureOpenAIChatCompletionClient(options));
}

/** `autogen_ext.models.anthropic.AnthropicChatCompletionClient`. */
export function anthropicClient(component: ComponentJSON, loader: Loader): AnthropicChatCompletionClient {
  const reader = ConfigReader.of(component);
  const model = reader.string("model");
  const apiKey = secret(reader, "api_key");
  const thinking = reader.optionalObject("thinking");
  let budgetTokens: number | undefined;
  if (thinking !== undefined) {
    const type = thinking.string("type");
    if (type === "enabled") budgetTokens = thinking.number("budget_tokens", "positive integer");
    else if (type === "disabled") thinking.ignore("budget_tokens");
    else throw thinking.error("type", '"type" must be "enabled" or "disabled".');
    thinking.done();
  }
  reader.unsupported(
    "response_format",
    "give the agent a structured output instead (its structured_message_factory, or outputSchema)",
    (value) => isObject(value) && value.type === "text",
  );
  reader.unsupported("metadata", "hearth does not send Anthropic's request metadata");
  reader.unsupported("tools", "the agent offers the model its tools");
  reader.unsupported("tool_choice", "the agent chooses", (value) => value === "auto");
  const options = {
    model,
    ...present("apiKey", apiKey),
    ...present("baseURL", optionalURL(reader, "base_url")),
    ...present("headers", reader.optionalStringMap("default_headers")),
    ...present("maxTokens", reader.optionalNumber("max_tokens", "positive integer")),
    ...present("temperature", reader.optionalNumber("temperature")),
    ...present("topP", reader.optionalNumber("top_p")),
    ...present("topK", reader.optionalNumber("top_k", "positive integer")),
    ...present("stopSequences", reader.optionalStringList("stop_sequences")),
    ...(budgetTokens === undefined ? {} : { thinking: { budgetTokens } }),
    ...commonOptions(reader, loader),
  };
  reader.done();
  return construct(reader, () => new AnthropicChatCompletionClient(options));
}
