import { HearthError } from "../../core/errors.ts";
import type { ArgumentCheck } from "../../core/tool.ts";

/** Parses and validates a structured reply; a reply that fails either is HEARTH_OUTPUT_INVALID. */
export async function parseStructuredOutput(
  content: string,
  check: (value: unknown) => ArgumentCheck<unknown> | Promise<ArgumentCheck<unknown>>,
  agentName: string,
): Promise<{ json: unknown; value: unknown }> {
  let json: unknown;
  try {
    json = JSON.parse(content.trim().replace(/^```(?:json)?\s*|\s*```$/g, ""));
  } catch (cause) {
    throw new HearthError(
      "HEARTH_OUTPUT_INVALID",
      `Agent "${agentName}": the model's reply is not JSON: ${content.slice(0, 200)}`,
      { cause },
    );
  }
  const checked = await check(json);
  if (!checked.ok)
    throw new HearthError(
      "HEARTH_OUTPUT_INVALID",
      `Agent "${agentName}": the model's reply does not match the output schema: ${checked.message}`,
    );
  return { json, value: checked.value };
}
