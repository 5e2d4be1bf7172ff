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
];

/**
 * What a model can do. Known OpenAI models are looked up; any other model (Ollama, vLLM, llama.cpp,
 * LM Studio) is assumed to call functions and produce JSON, and its owner passes `modelInfo` to say
 * otherwise. AutoGen refuses to guess here; hearth guesses generously because a wrong guess shows
 * up as a clear provider error on the first warm-up, not as silent misbehaviour.
 */
export function modelInfoFor(model: string, override?: Partial<ModelInfo>): ModelInfo {
  const match = known.find(
    ([prefix]) => model === prefix || model.startsWith(`${prefix}-`) || model.startsWith(prefix),
  );
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
