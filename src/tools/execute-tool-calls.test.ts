import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { HearthError } from "../core/errors.ts";
import type { AnyTool } from "../core/tool.ts";
import { defineTool } from "./define-tool.ts";
import { executeToolCalls } from "./execute-tool-calls.ts";

const echo = defineTool({
  name: "echo",
  description: "Echoes.",
  parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
  execute: ({ text }) => ({ echoed: text }),
});
const failing = defineTool({
  name: "failing",
  description: "",
  parameters: { type: "object" },
  execute: () => Promise.reject(new Error("database is down")),
});
const stubborn = defineTool({
  name: "stubborn",
  description: "Ignores its signal.",
  parameters: { type: "object" },
  timeoutMs: 30,
  execute: () => delay(5_000, "late"),
});
const sleeper = defineTool({
  name: "sleeper",
  description: "",
  parameters: { type: "object", properties: { ms: { type: "number" } } },
  execute: async ({ ms }, { signal }) => {
    await delay(Number(ms), undefined, { signal });
    return `slept ${ms}`;
  },
});
const tools = new Map<string, AnyTool>([echo, failing, stubborn, sleeper].map((tool) => [tool.name, tool]));
const call = (name: string, args: string, id = name) => ({ id, name, arguments: args });

test("a good call returns its JSON-encoded result", async () => {
  assert.deepEqual(await executeToolCalls(tools, [call("echo", '{"text":"hi"}')]), [
    { callId: "echo", name: "echo", content: '{"echoed":"hi"}', isError: false },
  ]);
});

test("unknown tools, bad JSON, invalid arguments, throws and timeouts become error results", async () => {
  const results = await executeToolCalls(tools, [
    call("nope", "{}"),
    call("echo", "{not json", "bad-json"),
    call("echo", '{"text":5}', "bad-args"),
    call("failing", "{}"),
    call("stubborn", "{}"),
  ]);
  assert.deepEqual(
    results.map((result) => [result.callId, result.isError, result.errorCode]),
    [
      ["nope", true, "HEARTH_TOOL_UNKNOWN"],
      ["bad-json", true, "HEARTH_TOOL_INVALID_ARGUMENTS"],
      ["bad-args", true, "HEARTH_TOOL_INVALID_ARGUMENTS"],
      ["failing", true, "HEARTH_TOOL_FAILED"],
      ["stubborn", true, "HEARTH_TOOL_TIMEOUT"],
    ],
  );
  assert.match(results[0]?.content ?? "", /Available tools: echo, failing, stubborn, sleeper/);
  assert.match(results[3]?.content ?? "", /database is down/);
});

test("calls of one turn run in parallel, and results keep the calls' order", async () => {
  let running = 0;
  let mostAtOnce = 0;
  const counted = defineTool({
    name: "counted",
    description: "",
    parameters: { type: "object", properties: { ms: { type: "number" } } },
    execute: async ({ ms }) => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      await delay(Number(ms));
      running -= 1;
      return `slept ${ms}`;
    },
  });
  const results = await executeToolCalls(new Map([["counted", counted]]), [
    call("counted", '{"ms":40}', "a"),
    call("counted", '{"ms":20}', "b"),
    call("counted", '{"ms":1}', "c"),
  ]);
  assert.deepEqual(
    results.map((result) => result.callId),
    ["a", "b", "c"],
  );
  assert.equal(mostAtOnce, 3);
});

test("aborting the run aborts the tools' signals and rejects with HEARTH_ABORTED", async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(executeToolCalls(tools, [call("sleeper", '{"ms":5000}')], controller.signal), (error) =>
    HearthError.is(error, "HEARTH_ABORTED"),
  );
});

test("a tool's output and error are redacted before the model sees them: strings in an object before it is serialised", async () => {
  const leaky = defineTool({
    name: "leaky",
    description: "",
    parameters: { type: "object" },
    execute: () => ({
      note: 'config said password="hunter22"',
      header: "Bearer\tabcdefgh12345678",
      url: "redis://:pa55word@cache:6379",
    }),
  });
  const broken = defineTool({
    name: "broken",
    description: "",
    parameters: { type: "object" },
    execute: () => Promise.reject(new Error("login failed: password=hunter22")),
  });
  const tools = new Map<string, AnyTool>([
    ["leaky", leaky],
    ["broken", broken],
  ]);
  const [output, error] = await executeToolCalls(tools, [
    { id: "1", name: "leaky", arguments: "{}" },
    { id: "2", name: "broken", arguments: "{}" },
  ]);
  assert.deepEqual(JSON.parse(output?.content ?? "{}"), {
    note: 'config said password="[redacted]"',
    header: "Bearer\t[redacted]",
    url: "redis://[redacted]@cache:6379",
  });
  assert.equal(error?.content, "Error: broken failed: login failed: password=[redacted]");
});
