import { HearthError, UserError } from "../core/errors.ts";
import type { JsonSchema } from "../core/json-schema.ts";
import type { RequestContext } from "../core/run-context.ts";
import type { ContextForTurn } from "./session-turn.ts";
import { isStandardSchema } from "../core/standard-schema.ts";
import { type AnySchema, checkerOf, jsonSchemaOf } from "../tools/schema.ts";

/** What `context.resolve` is given for each chat request. */
export interface RequestContextInput {
  /** The request's `context` field, checked by `context.schema` (as `{}` when absent); undefined when it sent none and there is no schema. */
  readonly context: RequestContext | undefined;
  /** The tenant the request's API key belongs to ("default" for an app without keys). */
  readonly tenant: string;
  /** The request's headers, lower-case names (a session cookie, a signed user token). */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/**
 * How a chat request's `context` becomes the run's (see RequestContext). Without this option the
 * field is taken as any JSON object.
 */
export interface RequestContextOptions {
  /**
   * Checks the field (a Standard Schema such as zod, or a JSON Schema; a request without it is
   * checked as `{}`): a request whose context fails it is a 400 naming what is wrong. Fields the schema refuses stay an error; a schema that
   * strips unknown fields strips them.
   */
  readonly schema?: AnySchema;
  /**
   * Makes the run's context from the checked field and what the server knows of the request. The
   * place for identity: what a client writes in the body is the client's word, what `resolve`
   * reads from a verified token is not. A HearthError it throws is answered as is (for example
   * HEARTH_UNAUTHORIZED); any other error is a 500.
   */
  readonly resolve?: (input: RequestContextInput) => RequestContext | Promise<RequestContext>;
  /**
   * Keep the context with the conversation: the field a turn sends is kept with its session (as
   * checked, before `resolve`), and a later turn that sends none runs with the kept one. `resolve`
   * still runs on every turn. Default false: the context is each request's alone, never stored.
   */
  readonly keep?: boolean;
}

/**
 * Reads a chat request's context field into the run's context (undefined when there is none), or,
 * when the app keeps contexts, into how to make it once the session is loaded.
 */
export type RequestContextReader = (
  field: unknown,
  request: { readonly tenant: string; readonly headers: Readonly<Record<string, string | undefined>> },
) => Promise<RequestContext | ContextForTurn | undefined>;

/** Checks the app's `context` option when the app is defined: a mistake is a UserError naming it. */
export function checkRequestContextOptions(options: unknown): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw new UserError("App `context` must be an object: { schema?, resolve? }.", { field: "context" });
  const { schema, resolve, keep } = options as Record<string, unknown>;
  if (keep !== undefined && typeof keep !== "boolean")
    throw new UserError("App `context.keep` must be true or false.", { field: "context.keep" });
  if (schema !== undefined) plainSchemaOf(schema);
  if (resolve !== undefined && typeof resolve !== "function")
    throw new UserError("App `context.resolve` must be a function.", { field: "context.resolve" });
}

// A Standard Schema validates itself: no JSON Schema is needed from it (none is sent to a model).
function plainSchemaOf(schema: unknown): JsonSchema {
  return isStandardSchema(schema) ? {} : jsonSchemaOf(schema, undefined, "App `context.schema`", "context.schema");
}

function isPlainObject(value: unknown): value is RequestContext {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(why: string): HearthError {
  return new HearthError("HEARTH_INVALID_REQUEST", `\`context\` ${why}.`, { field: "context" });
}

/** The reader for an app's `context` option, its schema compiled once. */
export function requestContextReader(options: RequestContextOptions | undefined): RequestContextReader {
  const schema = options?.schema;
  const check = schema === undefined ? undefined : checkerOf<RequestContext>(schema, plainSchemaOf(schema));
  const resolve = options?.resolve;
  const checked = async (field: unknown): Promise<RequestContext | undefined> => {
    if (field !== undefined && !isPlainObject(field)) throw invalid("must be a JSON object");
    // With a schema, a request without the field is checked as {}: a required field is required.
    if (check === undefined) return field;
    const result = await check(field ?? {});
    if (!result.ok) throw invalid(`is not valid: ${result.message}`);
    if (!isPlainObject(result.value)) throw invalid("must be a JSON object");
    return result.value;
  };
  const resolved = async (context: RequestContext | undefined, request: Parameters<RequestContextReader>[1]) => {
    if (resolve === undefined) return context;
    const made = await resolve({ context, tenant: request.tenant, headers: request.headers });
    if (!isPlainObject(made))
      throw new Error("App `context.resolve` must return a plain object (the run's request context).");
    return made;
  };
  if (options?.keep !== true) return async (field, request) => resolved(await checked(field), request);
  // Kept with the conversation: a field sent is checked now and kept; a turn without one takes the
  // kept context (checked when it was sent), or, on a session that keeps none, is checked as ever.
  return async (field, request) => {
    const sent = field === undefined ? undefined : await checked(field);
    return async (kept) => ({
      context: await resolved(sent ?? kept ?? (await checked(undefined)), request),
      keep: sent,
    });
  };
}
