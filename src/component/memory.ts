import type { MemoryContent } from "../core/memory.ts";
import { ListMemory } from "../memory/list-memory.ts";
import { type ComponentJSON, ConfigReader, isObject } from "./component-json.ts";
import { construct, present } from "./construct.ts";

// AutoGen's ListMemoryConfig (autogen_core/memory/_list_memory.py): `name` and `memory_contents`, each
// a MemoryContent (`content`, `mime_type`, `metadata`). An image is `{ "data": base64 }`, as AutoGen's
// Image dumps itself; its type is read from its first bytes, as AutoGen does for a data URI.

function imageType(base64: string): string {
  const bytes = Buffer.from(base64.slice(0, 24), "base64");
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (bytes.subarray(0, 3).toString("latin1") === "GIF") return "image/gif";
  if (bytes.subarray(0, 4).toString("latin1") === "RIFF" && bytes.subarray(8, 12).toString("latin1") === "WEBP")
    return "image/webp";
  return "image/jpeg";
}

function memoryContentOf(value: unknown, path: string): MemoryContent {
  if (!isObject(value)) throw new ConfigReader({}, path, `MemoryContent at ${path}`).error("", "must be an object.");
  const item = new ConfigReader(value, path, `MemoryContent at ${path}`);
  const mimeType = item.string("mime_type");
  const content = item.raw("content");
  const metadata = item.raw("metadata");
  item.done();
  if (mimeType.startsWith("image/")) {
    const data = isObject(content) ? content.data : undefined;
    if (typeof data !== "string") throw item.error("content", 'an image\'s "content" must be { "data": base64 }.');
    return {
      content: { type: "image", data, mimeType: imageType(data) },
      mimeType,
      ...present("metadata", metadata as MemoryContent["metadata"]),
    };
  }
  return {
    content: content as MemoryContent["content"],
    mimeType,
    ...present("metadata", metadata as MemoryContent["metadata"]),
  };
}

/** `autogen_core.memory.ListMemory`. */
export function listMemory(component: ComponentJSON): ListMemory {
  const reader = ConfigReader.of(component);
  const name = reader.optionalString("name");
  const memoryContents = reader.optionalList("memory_contents").map(({ value, path }) => memoryContentOf(value, path));
  reader.done();
  // ListMemory checks each content (JSON-safe, an image's data) and says which is wrong.
  return construct(
    reader,
    () => new ListMemory({ ...present("name", name === "" ? undefined : name), memoryContents }),
  );
}
