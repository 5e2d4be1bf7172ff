import { UserError } from "../core/errors.ts";
import type { JsonSchema } from "../core/json-schema.ts";
import { isStandardSchema, type StandardSchemaV1 } from "../core/standard-schema.ts";
import type { ArgumentCheck } from "../core/tool.ts";
import { validateJsonSchema } from "./json-schema-validator.ts";

/** A Standard Schema (zod 4, valibot, arktype) or a plain JSON Schema. */
export type AnySchema = StandardSchemaV1 | JsonSchema;

/** What a schema validates to: a Standard Schema's output type, or a plain object for JSON Schema. */
export type SchemaOutput<Schema> = Schema extends StandardSchemaV1
  ? StandardSchemaV1.InferOutput<Schema>
  : Record<string, unknown>;

/**
 * The JSON Schema to send to a model for `schema`: from the Standard JSON Schema extension, from
 * `explicit`, or the schema itself when it is plain JSON Schema. Frozen; `$schema` is dropped.
 */
export function jsonSchemaOf(
  schema: unknown,
  explicit: JsonSchema | undefined,
  where: string,
  field: string,
): JsonSchema {
  let json: unknown = explicit;
  if (json === undefined && isStandardSchema(schema)) {
    const props = schema["~standard"];
    if (props.jsonSchema === undefined) {
      throw new UserError(
        `${where}: this ${props.vendor} schema cannot produce JSON Schema itself; pass \`jsonSchema\` too (for zod 4: z.toJSONSchema(schema)).`,
        { field },
      );
    }
    json = props.jsonSchema.input({ target: "draft-2020-12" });
  } else if (json === undefined) {
    json = schema;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new UserError(`${where}: ${field} must be a Standard Schema or a JSON Schema object.`, { field });
  }
  const { $schema: _dialect, ...rest } = json as Record<string, unknown>;
  return deepFreeze(structuredClone(rest));
}

/** A validator for `schema`: the Standard Schema's own, or hearth's JSON Schema validator. */
export function checkerOf<Output>(
  schema: unknown,
  jsonSchema: JsonSchema,
): (value: unknown) => ArgumentCheck<Output> | Promise<ArgumentCheck<Output>> {
  if (isStandardSchema(schema)) {
    return async (value) => {
      const result = await schema["~standard"].validate(value);
      if (result.issues === undefined) return { ok: true, value: result.value as Output };
      return { ok: false, message: result.issues.map(formatIssue).join("; ") };
    };
  }
  return (value) => {
    const problems = validateJsonSchema(jsonSchema, value);
    return problems.length === 0 ? { ok: true, value: value as Output } : { ok: false, message: problems.join("; ") };
  };
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
