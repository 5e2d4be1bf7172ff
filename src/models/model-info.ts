import type { ModelInfo } from "../core/model-client.ts";

const full = { functionCalling: true, jsonOutput: true, structuredOutput: true, vision: true } as const;
const textOnly = { functionCalling: true, jsonOutput: true, structuredOutput: true, vision: false } as const;

/** Known OpenAI model prefixes, longest first so "gpt-4o-mini" is not taken for "gpt-4". */
const known: readonly (readonly [prefix: string, info: ModelInfo])[] = [
  ["gpt-5", { ...full, family: "gpt-5" }],
  ["gpt-4.1", { ...full, family: "gpt-41" }],
  ["gpt-4o", { ...full, family: "gpt-4o" }],
  ["gpt-4-turbo", { ...full, structuredOutput: false, family: "gpt-4" }],
  ["gpt-4", { ...textOnly, structuredOutput: false, family: "gpt-4" }],
  ["gpt-3.5-turbo", { ...textOnly, structuredOutput: false, family: "gpt-35" }],
  ["o4", { ...full, family: "o4" }],
  ["o3", { ...full, family: "o3" }],
  ["o1", { ...full, family: "o1" }],
  // Claude: every model calls tools and reads images; structured output goes through a forced tool
  // (see models/anthropic/wire-request.ts).
  ["claude-opus-4", { ...full, family: "claude-4-opus" }],
  ["claude-sonnet-4", { ...full, family: "claude-4-sonnet" }],
  ["claude-haiku-4", { ...full, family: "claude-4-haiku" }],
  ["claude-3-7-sonnet", { ...full, family: "claude-3-7-sonnet" }],
  ["claude-3-5-sonnet", { ...full, family: "claude-3-5-sonnet" }],
  ["claude-3-5-haiku", { ...full, family: "claude-3-5-haiku" }],
  ["claude-3-opus", { ...full, family: "claude-3-opus" }],
  ["claude-3-sonnet", { ...full, family: "claude-3-sonnet" }],
  ["claude-3-haiku", { ...full, family: "claude-3-haiku" }],
];

const openModel = (vision: boolean, family: string): ModelInfo => ({ ...full, vision, family });

/**
 * Other families, matched on the name lower-cased, without an `org/` prefix or an Ollama `:tag`
 * ("meta-llama/Llama-3.3-70B-Instruct", "llama3.1:8b"): the names their own APIs, Ollama, vLLM, Groq
 * and OpenRouter serve them under. First match wins. The sources and reasons of each row: the table
 * in docs/models.md.
 */
const families: readonly (readonly [pattern: RegExp, info: ModelInfo])[] = [
  // A Claude model newer than the rows above.
  [/^claude-/, { ...full, family: "claude" }],
  // Gemini's OpenAI-compatible endpoint takes tools, response_format json_schema and image parts.
  [/^gemini-/, { ...full, family: "gemini" }],
  [/^(meta-)?llama-?4/, openModel(true, "llama-4")],
  [/^(meta-)?llama-?3\.2.*vision/, openModel(true, "llama-3.2-vision")],
  [/^(meta-)?llama-?3\.[1-9]/, openModel(false, "llama-3")],
  // Llama 2 and 3.0 predate Llama's tool-calling format (3.1).
  [/^(meta-)?llama/, { ...textOnly, functionCalling: false, family: "llama" }],
  [/^(qwen[\w.-]*?vl|qvq)/, openModel(true, "qwen-vl")],
  [/^(qwen|qwq)/, openModel(false, "qwen")],
  [
    /^(pixtral|mistral-small-?(3\.[1-9]|2503|2506|latest)|mistral-medium|mistral-large-(latest|2512|3)|ministral-3)/,
    openModel(true, "mistral"),
  ],
  [/^(mistral|mixtral|codestral|devstral|ministral|magistral|open-mi[sx]tral)/, openModel(false, "mistral")],
  // DeepSeek's API has JSON mode but no json_schema response format, and no image input.
  [/^deepseek/, { ...textOnly, structuredOutput: false, family: "deepseek" }],
];

/** A served model name as the tables read it: lower case, no `org/` path, no Ollama `:tag`. */
function familyName(model: string): string {
  const name = model.toLowerCase();
  const base = name.slice(name.lastIndexOf("/") + 1);
  const colon = base.indexOf(":");
  return colon === -1 ? base : base.slice(0, colon);
}

/**
 * What a model can do. Known OpenAI and Claude models, and the families people point hearth at
 * (Gemini, Llama, Qwen, Mistral, DeepSeek), are looked up; any other model is assumed to call
 * functions and produce JSON (not to follow a json_schema, nor to see images), and its owner passes
 * `modelInfo` to say otherwise. AutoGen refuses to guess here; hearth guesses generously because a
 * wrong guess shows up as a clear provider error on the first call, not as silent misbehaviour.
 */
export function modelInfoFor(model: string, override?: Partial<ModelInfo>): ModelInfo {
  const name = familyName(model);
  const match =
    known.find(([prefix]) => model.startsWith(prefix)) ??
    known.find(([prefix]) => name.startsWith(prefix)) ??
    families.find(([pattern]) => pattern.test(name));
  const base: ModelInfo = match?.[1] ?? {
    functionCalling: true,
    jsonOutput: true,
    structuredOutput: false,
    vision: false,
    family: "unknown",
  };
  return Object.freeze({ ...base, ...override });
}

/** o-series reasoning models take `max_completion_tokens` and reject `max_tokens`. */
export function isReasoningModel(model: string): boolean {
  return /^o\d/.test(model) || model.startsWith("gpt-5");
}
