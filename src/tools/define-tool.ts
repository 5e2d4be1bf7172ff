import { knownOptions } from "../core/known-options.ts";
import { toolDefinitionOptionNames } from "./option-names.ts";
import { UserError } from "../core/errors.ts";
import type { JsonSchema } from "../core/json-schema.ts";
import type { StandardSchemaV1 } from "../core/standard-schema.ts";
import type { NeedsApproval, Tool, ToolContext } from "../core/tool.ts";
import { checkerOf, jsonSchemaOf, type SchemaOutput } from "./schema.ts";

/** The arguments `execute` receives: a Standard Schema's output type, or a plain object for JSON Schema. */
export type ToolArguments<Parameters> = SchemaOutput<Parameters>;

export interface ToolDefinition<Parameters extends StandardSchemaV1 | JsonSchema, Result> {
  /** What the model calls it: letters, digits, `_` and `-`, at most 64. */
  readonly name: string;
  readonly description: string;
  /** Any Standard Schema (zod 4, valibot, arktype) or a plain JSON Schema for an object. */
  readonly parameters: Parameters;
  readonly execute: (args: ToolArguments<Parameters>, context: ToolContext) => Result | Promise<Result>;
  /** Default 30 s. The tool's signal aborts when it passes. */
  readonly timeoutMs?: number;
  /** Ask the provider for strict schema adherence (OpenAI structured outputs). */
  readonly strict?: boolean;
  /** The JSON Schema to send, for a Standard Schema library that cannot produce one itself. */
  readonly jsonSchema?: JsonSchema;
  /**
   * Wait for a person's approval before a call runs: `true`, or a function of the call's checked
   * arguments and its run (tenant, session, request context) that says so per call. The turn stops
   * with stop reason `tool-approval-request`; the next run answers with `approvals`.
   */
  readonly needsApproval?: NeedsApproval<ToolArguments<Parameters>>;
}

export const toolNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Defines a tool. Everything that can be prepared is prepared here, once: the JSON Schema the model
 * receives is derived and frozen, and the options are checked, so a bad definition fails at startup.
 */
export function defineTool<const Parameters extends StandardSchemaV1 | JsonSchema, Result>(
  definition: ToolDefinition<Parameters, Result>,
): Tool<ToolArguments<Parameters>, Result> {
  definition = knownOptions("Tool", definition, toolDefinitionOptionNames);
  const { name, description, parameters, execute } = definition ?? ({} as ToolDefinition<Parameters, Result>);
  if (typeof name !== "string" || !toolNamePattern.test(name)) {
    throw new UserError(`Tool name ${JSON.stringify(name)} is invalid: use 1-64 letters, digits, "_" or "-".`, {
      field: "name",
      toolName: String(name),
    });
  }
  if (typeof description !== "string")
    throw new UserError(`Tool "${name}" needs a description string.`, { field: "description", toolName: name });
  if (typeof execute !== "function")
    throw new UserError(`Tool "${name}" needs an execute function.`, { field: "execute", toolName: name });
  const timeoutMs = definition.timeoutMs ?? 30_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new UserError(`Tool "${name}": timeoutMs must be a positive number.`, { field: "timeoutMs", toolName: name });

  const needsApproval = definition.needsApproval;
  if (needsApproval !== undefined && typeof needsApproval !== "boolean" && typeof needsApproval !== "function")
    throw new UserError(`Tool "${name}": needsApproval must be true, false or a function of the call's arguments.`, {
      field: "needsApproval",
      toolName: name,
    });

  const jsonSchema = jsonSchemaOf(parameters, definition.jsonSchema, `Tool "${name}"`, "parameters");
  if (jsonSchema.type !== "object") {
    throw new UserError(`Tool "${name}": the parameters schema must describe an object (type: "object").`, {
      field: "parameters",
      toolName: name,
    });
  }
  return Object.freeze({
    name,
    description,
    parameters: jsonSchema,
    strict: definition.strict ?? false,
    timeoutMs,
    ...(needsApproval === undefined || needsApproval === false ? {} : { needsApproval }),
    checkArguments: checkerOf<ToolArguments<Parameters>>(parameters, jsonSchema),
    execute,
  });
}
