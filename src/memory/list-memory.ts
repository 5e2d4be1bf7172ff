import { abortError, UserError } from "../core/errors.ts";
import {
  checkMemoryContent,
  copyMemoryContent,
  memoryContentText,
  type Memory,
  type MemoryContent,
  type MemoryOptions,
  type MemoryQueryResult,
  type UpdateContextInput,
  type UpdateContextResult,
} from "../core/memory.ts";
import { knownOptions } from "../core/known-options.ts";
import { listMemoryOptionNames } from "./option-names.ts";

export interface ListMemoryOptions {
  /** Names it in errors and `memory-query` events. Default "default_list_memory", as AutoGen's. */
  readonly name?: string;
  /** What it holds to start with, oldest first. */
  readonly memoryContents?: readonly MemoryContent[];
}

/** ListMemory's JSON form (AutoGen's ListMemoryConfig): `new ListMemory(json)` rebuilds it. */
export interface ListMemoryJSON {
  readonly name: string;
  readonly memoryContents: readonly MemoryContent[];
}

const noResults: MemoryQueryResult = Object.freeze({ results: Object.freeze([]) });

function checkNotAborted(options: MemoryOptions | undefined): void {
  if (options?.signal?.aborted === true) throw abortError(options.signal);
}

/**
 * AutoGen's ListMemory: every entry, in the order added, given to every model request as one
 * system message ("Relevant memory content (in chronological order):" and a numbered list); `query`
 * returns them all. One list, shared by every session and tenant of the agents that hold it.
 * An image entry is listed as `[image]`: a system message carries text only.
 */
export class ListMemory implements Memory {
  readonly name: string;
  #contents: readonly MemoryContent[];

  constructor(options: ListMemoryOptions = {}) {
    // AutoGen's ListMemory("notes") takes the name first; here it is an option.
    if (typeof options !== "object" || options === null || Array.isArray(options))
      throw new UserError("ListMemory takes its options as an object: { name, memoryContents }.", { field: "options" });
    options = knownOptions("ListMemory", options, listMemoryOptionNames);
    const name = options.name ?? "default_list_memory";
    if (typeof name !== "string" || name === "")
      throw new UserError("ListMemory: name must be a non-empty string.", { field: "name" });
    const contents = options.memoryContents ?? [];
    if (!Array.isArray(contents))
      throw new UserError(`ListMemory "${name}": memoryContents must be a list of memory contents.`, {
        field: "memoryContents",
      });
    this.name = name;
    this.#contents = Object.freeze(
      contents.map((item, index) => freezeContent(checkMemoryContent(item, `memoryContents[${index}]`))),
    );
  }

  /** What it holds now, oldest first. */
  get content(): readonly MemoryContent[] {
    return this.#contents;
  }

  async updateContext({ messages, signal }: UpdateContextInput): Promise<UpdateContextResult> {
    checkNotAborted({ signal });
    const contents = this.#contents;
    if (contents.length === 0) return { messages, memories: noResults };
    const list = contents.map((item, index) => `${index + 1}. ${memoryContentText(item)}`).join("\n");
    return {
      messages: [
        ...messages,
        { role: "system", content: `\nRelevant memory content (in chronological order):\n${list}\n` },
      ],
      memories: { results: contents },
    };
  }

  /** Every entry, whatever the query (as AutoGen's). */
  async query(_query: string | MemoryContent, options?: MemoryOptions): Promise<MemoryQueryResult> {
    checkNotAborted(options);
    return { results: this.#contents };
  }

  async add(content: MemoryContent, options?: MemoryOptions): Promise<void> {
    checkNotAborted(options);
    // A new list, never a change to the old: a turn that read it keeps what it read.
    this.#contents = Object.freeze([...this.#contents, freezeContent(checkMemoryContent(content, "content"))]);
  }

  async clear(options?: MemoryOptions): Promise<void> {
    checkNotAborted(options);
    this.#contents = Object.freeze([]);
  }

  async close(): Promise<void> {}

  toJSON(): ListMemoryJSON {
    return { name: this.name, memoryContents: this.#contents };
  }
}

/** A deep copy, frozen: the list holds what was added, whatever the caller does with its object after. */
function freezeContent(item: MemoryContent): MemoryContent {
  return deepFreeze(copyMemoryContent(item));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
