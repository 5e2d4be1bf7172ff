import { UserError } from "../core/errors.ts";
import type { JsonSchema } from "../core/json-schema.ts";
import { isStandardSchema, type StandardSchemaV1 } from "../core/standard-schema.ts";
import type { ArgumentCheck, Tool, ToolContext } from "../core/tool.ts";
import { validateJsonSchema } from "./json-schema-validator.ts";

/** The arguments `execute` receives: a Standard Schema's output type, or a plain object for JSON Schema. */
export type ToolArguments<Parameters> = Parameters extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<Parameters> : Record<string, unknown>;

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
}

const toolNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Defines a tool. Everything that can be prepared is prepared here, once: the JSON Schema the model
 * receives is derived and frozen, and the options are checked, so a bad definition fails at startup.
 */
export function defineTool<const Parameters extends StandardSchemaV1 | JsonSchema, Result>(
  definition: ToolDefinition<Parameters, Result>,
): Tool<ToolArguments<Parameters>, Result> {
  const { name, description, parameters, execute } = definition ?? ({} as ToolDefinition<Parameters, Result>);
  if (typeof name !== "string" || !toolNamePattern.test(name)) {
    throw new UserError(`Tool name ${JSON.stringify(name)} is invalid: use 1-64 letters, digits, "_" or "-".`, { field: "name", toolName: String(name) });
  }
  if (typeof description !== "string") throw new UserError(`Tool "${name}" needs a description string.`, { field: "description", toolName: name });
  if (typeof execute !== "function") throw new UserError(`Tool "${name}" needs an execute function.`, { field: "execute", toolName: name });
  const timeoutMs = definition.timeoutMs ?? 30_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UserError(`Tool "${name}": timeoutMs must be a positive number.`, { field: "timeoutMs", toolName: name });

  const standard = isStandardSchema(parameters) ? parameters : undefined;
  const jsonSchema = deepFreeze(toolJsonSchema(name, parameters, definition.jsonSchema));
  const checkArguments = standard
    ? async (value: unknown): Promise<ArgumentCheck<ToolArguments<Parameters>>> => {
        const result = await standard["~standard"].validate(value);
        if (result.issues === undefined) return { ok: true, value: result.value as ToolArguments<Parameters> };
        return { ok: false, message: result.issues.map(formatIssue).join("; ") };
      }
    : (value: unknown): ArgumentCheck<ToolArguments<Parameters>> => {
        const problems = validateJsonSchema(jsonSchema, value);
        return problems.length === 0 ? { ok: true, value: value as ToolArguments<Parameters> } : { ok: false, message: problems.join("; ") };
      };

  return Object.freeze({
    name,
    description,
    parameters: jsonSchema,
    strict: definition.strict ?? false,
    timeoutMs,
    checkArguments,
    execute,
  });
}

function toolJsonSchema(name: string, parameters: unknown, explicit: JsonSchema | undefined): JsonSchema {
  let schema: unknown = explicit;
  if (schema === undefined && isStandardSchema(parameters)) {
    const props = parameters["~standard"];
    if (props.jsonSchema === undefined) {
      throw new UserError(
        `Tool "${name}": this ${props.vendor} schema cannot produce JSON Schema itself; pass \`jsonSchema\` too (for zod 4: z.toJSONSchema(schema)).`,
        { field: "parameters", toolName: name },
      );
    }
    schema = props.jsonSchema.input({ target: "draft-2020-12" });
  } else if (schema === undefined) {
    schema = parameters;
  }
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new UserError(`Tool "${name}": parameters must be a Standard Schema or a JSON Schema object.`, { field: "parameters", toolName: name });
  }
  const { $schema: _dialect, ...rest } = schema as Record<string, unknown>;
  if (rest.type !== "object") {
    throw new UserError(`Tool "${name}": the parameters schema must describe an object (type: "object").`, { field: "parameters", toolName: name });
  }
  return structuredClone(rest);
}

function formatIssue(issue: StandardSchemaV1.Issue): string {
  if (issue.path === undefined || issue.path.length === 0) return issue.message;
  const path = issue.path.map((segment) => String(typeof segment === "object" ? segment.key : segment)).join(".");
  return `${path}: ${issue.message}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
