import { UserError } from "./errors.ts";
import type { ImageContent } from "./images.ts";
import type { JsonValue } from "./json-schema.ts";
import type { ModelMessage } from "./model-client.ts";
import type { RunContext } from "./run-context.ts";

/**
 * One item of a memory (AutoGen's MemoryContent): text, a JSON object, or an image (when `mimeType`
 * starts with `image/`), with the MIME type that says which and metadata of the memory's own.
 * JSON-safe, as everything a session may hold: a `memory-query` event carries these.
 */
export interface MemoryContent {
  readonly content: string | { readonly [key: string]: JsonValue } | ImageContent;
  /** AutoGen's MemoryMimeType values ("text/plain", "application/json", "text/markdown", "image/*"), or any other. */
  readonly mimeType: string;
  readonly metadata?: { readonly [key: string]: JsonValue };
}

/** What a memory's `query` finds (AutoGen's MemoryQueryResult). */
export interface MemoryQueryResult {
  readonly results: readonly MemoryContent[];
}

/** Where a memory call comes from: the run's signal and context (its tenant, its request context). */
export interface MemoryOptions {
  readonly signal?: AbortSignal;
  /** The run asking, when there is one: a memory kept per tenant or per customer reads it here. */
  readonly run?: RunContext;
}

/** What `updateContext` is given: the model request about to be sent, and who sends it. */
export interface UpdateContextInput {
  /**
   * The request's messages as they stand: the system message, the conversation as the agent's model
   * context shows it, the new messages, and what memories before this one added.
   */
  readonly messages: readonly ModelMessage[];
  /** The agent making the request. */
  readonly agent: string;
  /** The run it is part of: its tenant, session and request context. */
  readonly run: RunContext;
  /** Aborted when the run is. */
  readonly signal: AbortSignal;
}

/** What `updateContext` returns (AutoGen's UpdateContextResult, with the messages it made). */
export interface UpdateContextResult {
  /** The messages to send: usually those given, with the memory's own added. Never stored in the session. */
  readonly messages: readonly ModelMessage[];
  /** What the memory found and added; the agent reports it in a `memory-query` event when not empty. */
  readonly memories: MemoryQueryResult;
}

/**
 * AutoGen's Memory: a store of content that enriches a model request (a list, a vector index, a
 * database). It is a long-lived definition like a model client, shared by every session of every
 * agent that holds it; it is queried for each turn, and its contribution goes into that turn's
 * model requests only. `add` writes to the one shared store: a memory kept per tenant or per
 * session keys its content by `run`. The agent never closes a memory: whoever built it does (a
 * resource's `close`).
 */
export interface Memory {
  /** Names it in errors and in `memory-query` events. */
  readonly name: string;
  /** Adds what is relevant to a model request: queries the memory, returns the messages to send and what it found. */
  updateContext(input: UpdateContextInput): Promise<UpdateContextResult>;
  /** The entries relevant to `query`. */
  query(query: string | MemoryContent, options?: MemoryOptions): Promise<MemoryQueryResult>;
  add(content: MemoryContent, options?: MemoryOptions): Promise<void>;
  /** Removes every entry. */
  clear(options?: MemoryOptions): Promise<void>;
  /** Releases what the memory holds open. */
  close(): Promise<void>;
}

export function isMemory(value: unknown): value is Memory {
  const memory = value as Partial<Memory> | null | undefined;
  return (
    typeof memory?.name === "string" &&
    typeof memory.updateContext === "function" &&
    typeof memory.query === "function" &&
    typeof memory.add === "function" &&
    typeof memory.clear === "function" &&
    typeof memory.close === "function"
  );
}

/** Why `value` is not JSON a session can hold, or undefined when it is. */
function notJson(value: unknown, depth: number): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `holds the number ${value}`;
  if (depth > 64) return "nests deeper than 64 levels";
  if (Array.isArray(value)) {
    for (const item of value) {
      const why = notJson(item, depth + 1);
      if (why !== undefined) return why;
    }
    return undefined;
  }
  if (typeof value === "object") {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null)
      return `holds a ${(value as object).constructor?.name ?? "non-plain"} object`;
    for (const item of Object.values(value)) {
      const why = notJson(item, depth + 1);
      if (why !== undefined) return why;
    }
    return undefined;
  }
  return `holds a ${typeof value}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Why `value` is not an image (`{ type: "image", url }` or `{ type: "image", data, mimeType }`), or undefined. */
function notImage(value: unknown): string | undefined {
  if (!isPlainObject(value) || value.type !== "image")
    return 'must be an image ({ type: "image", url } or { type: "image", data, mimeType }) when mimeType is image/*';
  if (typeof value.url === "string" && value.url !== "") return undefined;
  if (typeof value.data === "string" && typeof value.mimeType === "string") return undefined;
  return "must give an image's `url`, or its `data` (base64) with its `mimeType`";
}

/**
 * Why `value` is not a MemoryContent a session can hold, or undefined when it is: what a memory
 * adds and what it reports must be JSON-safe, since a `memory-query` event stores it.
 */
export function memoryContentProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return "must be an object { content, mimeType, metadata? }";
  const { content, mimeType, metadata } = value;
  if (typeof mimeType !== "string" || mimeType === "") return "needs a mimeType (text/plain, application/json, ...)";
  if (mimeType.startsWith("image/")) {
    const why = notImage(content);
    if (why !== undefined) return `content ${why}`;
  } else if (typeof content !== "string") {
    if (!isPlainObject(content)) return "content must be a string, a JSON object or an image";
    const why = notJson(content, 0);
    if (why !== undefined) return `content is not JSON-safe: it ${why}`;
  }
  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) return "metadata must be an object";
    const why = notJson(metadata, 0);
    if (why !== undefined) return `metadata is not JSON-safe: it ${why}`;
  }
  return undefined;
}

/** Checks a MemoryContent given to a memory; a UserError naming `field` when it is not one. */
export function checkMemoryContent(value: unknown, field: string): MemoryContent {
  const why = memoryContentProblem(value);
  if (why !== undefined) throw new UserError(`\`${field}\`: ${why}.`, { field });
  return value as MemoryContent;
}

/** A copy of a checked MemoryContent, sharing nothing with it (and with no `metadata` key when it has none). */
export function copyMemoryContent({ content, mimeType, metadata }: MemoryContent): MemoryContent {
  return structuredClone(metadata === undefined ? { content, mimeType } : { content, mimeType, metadata });
}

/** A memory content as the text a model reads: its text, its JSON, or `[image]` for an image. */
export function memoryContentText(item: MemoryContent): string {
  if (typeof item.content === "string") return item.content;
  return item.mimeType.startsWith("image/") ? "[image]" : JSON.stringify(item.content);
}
