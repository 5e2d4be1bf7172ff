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
  assert.deepEqual(modelInfoFor("llama3.1:8b"), {
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
