import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import type { MemoryContent } from "../core/memory.ts";
import type { ModelMessage } from "../core/model-client.ts";
import { plainRun } from "../core/run-context.ts";
import { ListMemory } from "./list-memory.ts";

const text = (content: string): MemoryContent => ({ content, mimeType: "text/plain" });
const question: ModelMessage[] = [
  { role: "system", content: "Be kind." },
  { role: "user", content: "What should I eat?", source: "user" },
];
const input = (messages: readonly ModelMessage[] = question) => ({
  messages,
  agent: "helper",
  run: plainRun,
  signal: new AbortController().signal,
});

test("ListMemory keeps entries in the order added and returns them all whatever the query", async () => {
  const memory = new ListMemory({ name: "preferences", memoryContents: [text("User likes pizza.")] });
  await memory.add(text("User dislikes cheese."));
  await memory.add({ content: { diet: "vegetarian", since: 2021 }, mimeType: "application/json" });
  assert.equal(memory.name, "preferences");
  const { results } = await memory.query("anything at all");
  assert.deepEqual(results, [
    text("User likes pizza."),
    text("User dislikes cheese."),
    { content: { diet: "vegetarian", since: 2021 }, mimeType: "application/json" },
  ]);
  assert.deepEqual(memory.content, results);
});

test("ListMemory adds one system message after the request's messages, numbered in chronological order", async () => {
  const memory = new ListMemory({
    memoryContents: [
      text("User likes pizza."),
      { content: { diet: "vegetarian" }, mimeType: "application/json", metadata: { from: "profile" } },
      { content: { type: "image", url: "https://example.com/plate.png" }, mimeType: "image/png" },
    ],
  });
  const { messages, memories } = await memory.updateContext(input());
  assert.deepEqual(messages, [
    ...question,
    {
      role: "system",
      content:
        '\nRelevant memory content (in chronological order):\n1. User likes pizza.\n2. {"diet":"vegetarian"}\n3. [image]\n',
    },
  ]);
  assert.equal(memories.results.length, 3);
  // The request's own list is left as it was.
  assert.equal(question.length, 2);
});

test("an empty ListMemory leaves the request as it is and reports nothing", async () => {
  const memory = new ListMemory();
  assert.equal(memory.name, "default_list_memory");
  const { messages, memories } = await memory.updateContext(input());
  assert.deepEqual(messages, question);
  assert.deepEqual(memories.results, []);
});

test("clear empties it; close leaves it usable as AutoGen's does", async () => {
  const memory = new ListMemory({ memoryContents: [text("a"), text("b")] });
  await memory.clear();
  assert.deepEqual((await memory.query("")).results, []);
  await memory.close();
  await memory.add(text("c"));
  assert.deepEqual((await memory.query("")).results, [text("c")]);
});

test("what ListMemory holds is its own copy, frozen, and round-trips through JSON", async () => {
  const item = { content: { tags: ["a"] }, mimeType: "application/json", metadata: { score: 1 } };
  const memory = new ListMemory({ name: "facts" });
  await memory.add(item);
  item.content.tags.push("changed");
  const stored = memory.content[0] as MemoryContent;
  assert.deepEqual(stored, { content: { tags: ["a"] }, mimeType: "application/json", metadata: { score: 1 } });
  assert.ok(Object.isFrozen(stored) && Object.isFrozen((stored.content as { tags: string[] }).tags));
  // A read list is never changed by a later add.
  const before = memory.content;
  await memory.add(text("more"));
  assert.equal(before.length, 1);
  const json = JSON.parse(JSON.stringify(memory));
  assert.deepEqual(json, { name: "facts", memoryContents: [stored, text("more")] });
  assert.deepEqual(new ListMemory(json).content, memory.content);
});

test("ListMemory refuses contents a session cannot hold, naming the field", async () => {
  const memory = new ListMemory();
  const refused = async (value: unknown, pattern: RegExp) =>
    assert.rejects(memory.add(value as MemoryContent), (error: unknown) => {
      assert.ok(HearthError.is(error, "HEARTH_CONFIG_INVALID"));
      assert.equal(error.field, "content");
      assert.match(error.message, pattern);
      return true;
    });
  await refused("just text", /must be an object/);
  await refused({ content: "x" }, /needs a mimeType/);
  await refused({ content: 42, mimeType: "text/plain" }, /a string, a JSON object or an image/);
  await refused({ content: { at: new Date() }, mimeType: "application/json" }, /not JSON-safe: it holds a Date/);
  await refused({ content: { n: Number.NaN }, mimeType: "application/json" }, /holds the number NaN/);
  await refused({ content: "x", mimeType: "text/plain", metadata: { f: () => 1 } }, /metadata is not JSON-safe/);
  await refused({ content: "https://example.com/a.png", mimeType: "image/png" }, /must be an image/);
  assert.throws(
    () => new ListMemory({ memoryContents: [text("ok"), { content: "x" } as MemoryContent] }),
    (error: unknown) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === "memoryContents[1]",
  );
  assert.throws(() => new ListMemory({ name: "" }), /name must be a non-empty string/);
  assert.deepEqual(memory.content, []);
});

test("ListMemory checks its option names like every constructor, and refuses AutoGen's positional name", () => {
  const refused = (build: () => unknown, field: string, pattern: RegExp) =>
    assert.throws(build, (error: unknown) => {
      assert.ok(HearthError.is(error, "HEARTH_CONFIG_INVALID"), String(error));
      assert.equal(error.field, field);
      assert.match(error.message, pattern);
      return true;
    });
  refused(
    () => new ListMemory({ name: "notes", memory_contents: [text("a")] } as never),
    "memory_contents",
    /^ListMemory "notes" has no option "memory_contents"\. Did you mean "memoryContents"\?/,
  );
  refused(() => new ListMemory({ nmae: "notes" } as never), "nmae", /Did you mean "name"\?/);
  refused(() => new ListMemory("notes" as never), "options", /takes its options as an object/);
  assert.equal(new ListMemory({ name: "notes", memoryContents: [text("a")] }).content.length, 1);
});

test("ListMemory honours an aborted signal", async () => {
  const controller = new AbortController();
  controller.abort();
  const memory = new ListMemory({ memoryContents: [text("a")] });
  const aborted = (error: unknown) => HearthError.is(error, "HEARTH_ABORTED");
  await assert.rejects(memory.query("", { signal: controller.signal }), aborted);
  await assert.rejects(memory.add(text("b"), { signal: controller.signal }), aborted);
  await assert.rejects(memory.updateContext({ ...input(), signal: controller.signal }), aborted);
  assert.equal(memory.content.length, 1);
});
