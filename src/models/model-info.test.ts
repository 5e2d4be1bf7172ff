import assert from "node:assert/strict";
import { test } from "node:test";
import { isReasoningModel, modelInfoFor } from "./model-info.ts";

test("known OpenAI models are looked up by their longest prefix", () => {
  assert.equal(modelInfoFor("gpt-4o-mini").family, "gpt-4o");
  assert.equal(modelInfoFor("gpt-4o-2024-08-06").vision, true);
  assert.equal(modelInfoFor("gpt-4-0613").family, "gpt-4");
  assert.equal(modelInfoFor("gpt-4-0613").structuredOutput, false);
  assert.equal(modelInfoFor("o3-mini").family, "o3");
});

test("unknown models get generous defaults that an override corrects", () => {
  assert.deepEqual(modelInfoFor("acme-finetune:7b"), {
    functionCalling: true,
    jsonOutput: true,
    structuredOutput: false,
    vision: false,
    family: "unknown",
  });
  const info = modelInfoFor("llava", { vision: true, functionCalling: false, family: "llava" });
  assert.deepEqual([info.vision, info.functionCalling, info.family], [true, false, "llava"]);
  assert.ok(Object.isFrozen(info));
});

test("reasoning models are told apart for max_completion_tokens", () => {
  assert.deepEqual(["o1", "o3-mini", "gpt-5-mini", "gpt-4o", "llama3"].map(isReasoningModel), [
    true,
    true,
    true,
    false,
    false,
  ]);
});

test("the families people point hearth at are known by the names Ollama, vLLM, Groq and OpenRouter serve them under", () => {
  const capabilities = (model: string) => {
    const info = modelInfoFor(model);
    return [info.family, info.functionCalling, info.jsonOutput, info.structuredOutput, info.vision];
  };
  const rows: [model: string, family: string, tools: boolean, json: boolean, schema: boolean, vision: boolean][] = [
    ["claude-sonnet-4-5", "claude-4-sonnet", true, true, true, true],
    ["anthropic/claude-sonnet-4.5", "claude-4-sonnet", true, true, true, true],
    ["claude-opus-5", "claude", true, true, true, true],
    ["gemini-2.5-flash", "gemini", true, true, true, true],
    ["google/gemini-2.0-flash-001", "gemini", true, true, true, true],
    ["llama3.1:8b", "llama-3", true, true, true, false],
    ["meta-llama/llama-3.3-70b-instruct", "llama-3", true, true, true, false],
    ["meta-llama/Meta-Llama-3.1-8B-Instruct", "llama-3", true, true, true, false],
    ["llama-3.1-8b-instant", "llama-3", true, true, true, false],
    ["llama3.2:3b", "llama-3", true, true, true, false],
    ["llama3.2-vision:11b", "llama-3.2-vision", true, true, true, true],
    ["meta-llama/llama-4-scout-17b-16e-instruct", "llama-4", true, true, true, true],
    ["llama4:scout", "llama-4", true, true, true, true],
    ["llama3:8b", "llama", false, true, true, false],
    ["llama2", "llama", false, true, true, false],
    ["qwen2.5-coder", "qwen", true, true, true, false],
    ["qwen2.5-coder:7b", "qwen", true, true, true, false],
    ["Qwen/Qwen2.5-72B-Instruct", "qwen", true, true, true, false],
    ["qwen3:30b", "qwen", true, true, true, false],
    ["qwq", "qwen", true, true, true, false],
    ["qwen2.5vl:7b", "qwen-vl", true, true, true, true],
    ["Qwen/Qwen2.5-VL-7B-Instruct", "qwen-vl", true, true, true, true],
    ["mistral-large-latest", "mistral", true, true, true, true],
    ["mistral-large-2411", "mistral", true, true, true, false],
    ["mistral-small3.1:24b", "mistral", true, true, true, true],
    ["pixtral-12b-2409", "mistral", true, true, true, true],
    ["mistral:7b", "mistral", true, true, true, false],
    ["mistral-nemo", "mistral", true, true, true, false],
    ["mistralai/mixtral-8x7b-instruct", "mistral", true, true, true, false],
    ["codestral-latest", "mistral", true, true, true, false],
    ["deepseek-chat", "deepseek", true, true, false, false],
    ["deepseek-reasoner", "deepseek", true, true, false, false],
    ["deepseek/deepseek-r1", "deepseek", true, true, false, false],
    ["deepseek-r1:8b", "deepseek", true, true, false, false],
    ["openai/gpt-4o-mini", "gpt-4o", true, true, true, true],
  ];
  for (const [model, ...expected] of rows) assert.deepEqual(capabilities(model), expected, model);
});

test("an override wins over a family's row", () => {
  const info = modelInfoFor("llama3:8b", { functionCalling: true });
  assert.deepEqual([info.family, info.functionCalling], ["llama", true]);
});
