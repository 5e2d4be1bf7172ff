import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import type { ModelMessage } from "../core/model-client.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { AssistantAgent } from "./assistant-agent.ts";
import {
  approximateTokenCount,
  bufferedContext,
  headAndTailContext,
  tokenLimitedContext,
  unboundedContext,
} from "./model-context.ts";

const user = (content: string): ModelMessage => ({ role: "user", content });
const reply = (content: string): ModelMessage => ({ role: "assistant", content });
const call = (id: string): ModelMessage => ({
  role: "assistant",
  content: "",
  toolCalls: [{ id, name: "t", arguments: "{}" }],
});
const result = (id: string): ModelMessage => ({
  role: "tool",
  results: [{ callId: id, name: "t", content: "ok", isError: false }],
});
const history: ModelMessage[] = [
  user("u1"),
  reply("a1"),
  user("u2"),
  call("c1"),
  result("c1"),
  reply("a2"),
  user("u3"),
  call("c2"),
  result("c2"),
];
const label = (messages: ModelMessage[]) =>
  messages.map((message) =>
    message.role === "tool"
      ? `tool:${message.results[0]?.callId}`
      : message.role === "assistant" && message.toolCalls
        ? `call:${message.toolCalls[0]?.id}`
        : message.content,
  );

test("unbounded shows everything but tool results whose call is gone, in a copy", () => {
  const view = unboundedContext().view(history);
  assert.deepEqual(view, history);
  assert.notEqual(view, history);
  assert.deepEqual(
    label(unboundedContext().view([result("c0"), result("c1"), ...history.slice(2)])),
    label(history.slice(2)),
  );
  assert.deepEqual(unboundedContext().view([result("c0")]), []);
});

test("buffered keeps the last messages without splitting a tool call from its results", () => {
  assert.deepEqual(label(bufferedContext(3).view(history)), ["a2", "u3", "call:c2", "tool:c2"].slice(1));
  assert.deepEqual(label(bufferedContext(4).view(history)), ["a2", "u3", "call:c2", "tool:c2"]);
  // 5 would start with the results of c1: the view starts after them instead.
  assert.deepEqual(label(bufferedContext(5).view(history)), ["a2", "u3", "call:c2", "tool:c2"]);
  assert.deepEqual(label(bufferedContext(6).view(history)), ["call:c1", "tool:c1", "a2", "u3", "call:c2", "tool:c2"]);
  assert.deepEqual(
    label(bufferedContext(1).view(history)),
    ["call:c2", "tool:c2"],
    "a pair is kept whole even over the size",
  );
});

test("head and tail keeps both ends and says how many it skipped", () => {
  assert.deepEqual(label(headAndTailContext(2, 2).view(history)), [
    "u1",
    "a1",
    "Skipped 5 messages.",
    "call:c2",
    "tool:c2",
  ]);
  assert.deepEqual(label(headAndTailContext(4, 2).view(history)), [
    "u1",
    "a1",
    "u2",
    "Skipped 4 messages.",
    "call:c2",
    "tool:c2",
  ]);
  assert.deepEqual(headAndTailContext(20, 20).view(history), history);
});

test("token-limited keeps the latest messages that fit an approximate count", () => {
  const long = [user("x".repeat(400)), reply("y".repeat(400)), user("short")];
  assert.deepEqual(label(tokenLimitedContext(120).view(long)), ["y".repeat(400), "short"]);
  assert.ok(approximateTokenCount([user("x".repeat(400))]) >= 100);
  assert.deepEqual(label(tokenLimitedContext(1000, () => 1).view(history)), label(history), "a custom counter is used");
});

test("a view never starts with orphaned tool results, and strategies reject bad sizes", () => {
  assert.deepEqual(label(unboundedContext().view([result("c0"), user("u")])), ["u"]);
  assert.throws(
    () => bufferedContext(0),
    (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID"),
  );
  assert.throws(
    () => tokenLimitedContext(1.5),
    (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID"),
  );
});

test("an agent shows its model the view while the session keeps the whole context", async () => {
  const modelClient = new ScriptedModelClient({ replies: ["r1", "r2", "r3"] });
  const agent = new AssistantAgent({
    name: "helper",
    modelClient,
    systemMessage: "sys",
    modelContext: bufferedContext(2),
  });
  const session = agent.createSession();
  for (const task of ["one", "two", "three"]) await agent.run({ task, session });
  assert.deepEqual(modelClient.requests[2]?.messages, [
    { role: "system", content: "sys" },
    { role: "assistant", content: "r2", source: "helper" },
    { role: "user", content: "three", source: "user" },
  ]);
  assert.equal(session.contextOf("helper").length, 6);
});

test("a token-limited view counts each unit once, not the window again for every unit it adds", () => {
  const sizes: number[] = [];
  const long = Array.from({ length: 500 }, (_, index) => (index % 2 === 0 ? user(`u${index}`) : reply(`a${index}`)));
  const view = tokenLimitedContext(300, (messages) => {
    sizes.push(messages.length);
    return 1;
  }).view(long);
  assert.equal(view.length, 300);
  assert.ok(
    sizes.every((size) => size === 1),
    "each call is given one unit",
  );
  assert.equal(sizes.length, 301, "the units taken, and the one that did not fit");
});
