// The option names ListMemory's constructor takes (checked by knownOptions; AutoGen's are the same,
// camel-cased: `name`, `memory_contents`).
import { optionNames, type OptionNames } from "../core/known-options.ts";
import type { ListMemoryOptions } from "./list-memory.ts";

export const listMemoryOptionNames: OptionNames = {
  accepted: optionNames<ListMemoryOptions>()(["name", "memoryContents"]),
};
