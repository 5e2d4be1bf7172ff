import type { JsonSchema } from "../core/json-schema.ts";

/**
 * A small JSON Schema validator for tool arguments, so the core needs no ajv. It covers the
 * keywords models are given in practice: type (and type arrays), properties, required,
 * additionalProperties, items, prefixItems, enum, const, anyOf, oneOf, allOf, not, numeric and
 * length bounds, pattern, minItems/maxItems, uniqueItems, and local `$ref` to `#/$defs` or
 * `#/definitions`. Other keywords (format, contentEncoding, ...) are accepted and not checked.
 * It returns the first few problems, each with a JSON path.
 */
export function validateJsonSchema(schema: JsonSchema, value: unknown, maxProblems = 5): string[] {
  const problems: string[] = [];
  check(schema, value, "$", schema, problems, maxProblems);
  return problems;
}

type Schema = JsonSchema | boolean;

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function matchesType(expected: string, value: unknown): boolean {
  const actual = typeOf(value);
  return expected === actual || (expected === "number" && actual === "integer");
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

function resolveRef(root: JsonSchema, ref: string): Schema | undefined {
  if (!ref.startsWith("#")) return undefined;
  let node: unknown = root;
  for (const raw of ref
    .slice(1)
    .split("/")
    .filter((part) => part !== "")) {
    const part = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  }
  return typeof node === "object" || typeof node === "boolean" ? (node as Schema) : undefined;
}

function isValid(schema: Schema, value: unknown, root: JsonSchema): boolean {
  const scratch: string[] = [];
  check(schema, value, "$", root, scratch, 1);
  return scratch.length === 0;
}

function check(schema: Schema, value: unknown, path: string, root: JsonSchema, problems: string[], max: number): void {
  if (problems.length >= max) return;
  if (schema === true) return;
  if (schema === false) {
    problems.push(`${path}: no value is allowed here`);
    return;
  }
  const add = (problem: string) => {
    if (problems.length < max) problems.push(`${path}: ${problem}`);
  };
  const s = schema as Record<string, unknown>;

  if (typeof s.$ref === "string") {
    const target = resolveRef(root, s.$ref);
    if (target === undefined) add(`cannot resolve $ref ${s.$ref}`);
    else check(target, value, path, root, problems, max);
  }

  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((type) => matchesType(type, value))) {
      add(`expected ${types.join(" or ")}, got ${typeOf(value)}`);
      return;
    }
  }
  if (Array.isArray(s.enum) && !s.enum.some((option) => deepEqual(option, value)))
    add(`must be one of ${JSON.stringify(s.enum)}`);
  if ("const" in s && !deepEqual(s.const, value)) add(`must be ${JSON.stringify(s.const)}`);

  if (Array.isArray(s.allOf)) for (const sub of s.allOf as Schema[]) check(sub, value, path, root, problems, max);
  if (Array.isArray(s.anyOf) && !(s.anyOf as Schema[]).some((sub) => isValid(sub, value, root)))
    add("matches none of anyOf");
  if (Array.isArray(s.oneOf)) {
    const matches = (s.oneOf as Schema[]).filter((sub) => isValid(sub, value, root)).length;
    if (matches !== 1) add(`must match exactly one of oneOf (matched ${matches})`);
  }
  if (s.not !== undefined && isValid(s.not as Schema, value, root)) add("must not match `not`");

  if (typeof value === "number") checkNumber(s, value, add);
  else if (typeof value === "string") checkString(s, value, add);
  else if (Array.isArray(value)) checkArray(s, value, path, root, problems, max, add);
  else if (typeof value === "object" && value !== null)
    checkObject(s, value as Record<string, unknown>, path, root, problems, max, add);
}

function checkNumber(s: Record<string, unknown>, value: number, add: (problem: string) => void): void {
  if (typeof s.minimum === "number" && value < s.minimum) add(`must be >= ${s.minimum}`);
  if (typeof s.maximum === "number" && value > s.maximum) add(`must be <= ${s.maximum}`);
  if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum) add(`must be > ${s.exclusiveMinimum}`);
  if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum) add(`must be < ${s.exclusiveMaximum}`);
  if (
    typeof s.multipleOf === "number" &&
    s.multipleOf > 0 &&
    Math.abs(value / s.multipleOf - Math.round(value / s.multipleOf)) > 1e-9
  ) {
    add(`must be a multiple of ${s.multipleOf}`);
  }
}

const patterns = new Map<string, RegExp>();

function compiledPattern(source: string): RegExp {
  let pattern = patterns.get(source);
  if (pattern === undefined) {
    pattern = new RegExp(source, "u");
    patterns.set(source, pattern);
  }
  return pattern;
}

function checkString(s: Record<string, unknown>, value: string, add: (problem: string) => void): void {
  const length = [...value].length;
  if (typeof s.minLength === "number" && length < s.minLength) add(`must be at least ${s.minLength} characters`);
  if (typeof s.maxLength === "number" && length > s.maxLength) add(`must be at most ${s.maxLength} characters`);
  if (typeof s.pattern === "string" && !compiledPattern(s.pattern).test(value)) add(`must match /${s.pattern}/`);
}

function checkArray(
  s: Record<string, unknown>,
  value: unknown[],
  path: string,
  root: JsonSchema,
  problems: string[],
  max: number,
  add: (problem: string) => void,
): void {
  if (typeof s.minItems === "number" && value.length < s.minItems) add(`must have at least ${s.minItems} items`);
  if (typeof s.maxItems === "number" && value.length > s.maxItems) add(`must have at most ${s.maxItems} items`);
  if (
    s.uniqueItems === true &&
    value.some((item, index) => value.findIndex((other) => deepEqual(item, other)) !== index)
  )
    add("items must be unique");
  const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as Schema[]) : [];
  value.forEach((item, index) => {
    const itemSchema = index < prefix.length ? prefix[index] : (s.items as Schema | undefined);
    if (itemSchema !== undefined) check(itemSchema, item, `${path}[${index}]`, root, problems, max);
  });
}

function checkObject(
  s: Record<string, unknown>,
  value: Record<string, unknown>,
  path: string,
  root: JsonSchema,
  problems: string[],
  max: number,
  add: (problem: string) => void,
): void {
  const properties = (typeof s.properties === "object" && s.properties !== null ? s.properties : {}) as Record<
    string,
    Schema
  >;
  if (Array.isArray(s.required)) {
    for (const key of s.required as string[]) if (!(key in value)) add(`missing required property "${key}"`);
  }
  const keys = Object.keys(value);
  if (typeof s.minProperties === "number" && keys.length < s.minProperties)
    add(`must have at least ${s.minProperties} properties`);
  if (typeof s.maxProperties === "number" && keys.length > s.maxProperties)
    add(`must have at most ${s.maxProperties} properties`);
  for (const key of keys) {
    const childPath = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
    const propertySchema = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (propertySchema !== undefined) check(propertySchema, value[key], childPath, root, problems, max);
    else if (s.additionalProperties === false) add(`unknown property "${key}"`);
    else if (typeof s.additionalProperties === "object" && s.additionalProperties !== null)
      check(s.additionalProperties as Schema, value[key], childPath, root, problems, max);
  }
}
