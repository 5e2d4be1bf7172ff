import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { HearthError } from "../core/errors.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { RoundRobinGroupChat } from "./round-robin-group-chat.ts";
import { newId, type AgentMessage } from "../core/messages.ts";
import {
  ExternalTermination,
  FunctionalTermination,
  FunctionCallTermination,
  HandoffTermination,
  MaxMessageTermination,
  SourceMatchTermination,
  StopMessageTermination,
  TextMentionTermination,
  TextMessageTermination,
  TimeoutTermination,
  TokenUsageTermination,
} from "./termination.ts";

const base = (source: string) => ({ id: newId("t"), source, createdAt: new Date().toISOString() });
const text = (
  source: string,
  content: string,
  usage?: { promptTokens: number; completionTokens: number },
): AgentMessage => ({ ...base(source), type: "text", content, ...(usage ? { usage } : {}) });
const handoff = (source: string, target: string): AgentMessage => ({
  ...base(source),
  type: "handoff",
  target,
  content: "over to you",
});
const stopMessage = (source: string): AgentMessage => ({ ...base(source), type: "stop", content: "done" });
const execution = (name: string): AgentMessage => ({
  ...base("a"),
  type: "tool-call-execution",
  results: [{ callId: "1", name, content: "ok", isError: false }],
});
const thought = (): AgentMessage => ({ ...base("a"), type: "thought", content: "hmm" });
const summary = (source: string): AgentMessage => ({
  ...base(source),
  type: "tool-call-summary",
  content: "42",
  toolCalls: [],
  results: [],
});
const context = { sessionId: "s1" };

test("MaxMessageTermination counts chat messages of the run (events only when asked)", () => {
  const check = new MaxMessageTermination(3).start(context);
  assert.equal(check.check([text("user", "task")]), null);
  assert.equal(check.check([thought(), text("a", "one")]), null);
  const fired = check.check([text("b", "two")]);
  assert.equal(fired?.type, "stop");
  assert.equal(fired?.source, "MaxMessageTermination");
  assert.match(fired?.content ?? "", /Maximum number of messages 3 reached, current message count: 3/);
  const withEvents = new MaxMessageTermination(2, { includeAgentEvent: true }).start(context);
  assert.notEqual(withEvents.check([thought(), text("a", "one")]), null);
});

test("each run gets its own count: one condition serves many sessions", () => {
  const condition = new MaxMessageTermination(2);
  const first = condition.start({ sessionId: "a" });
  const second = condition.start({ sessionId: "b" });
  assert.equal(first.check([text("a", "1")]), null);
  assert.equal(second.check([text("a", "1")]), null);
  assert.notEqual(first.check([text("a", "2")]), null);
  assert.equal(condition.start({ sessionId: "c" }).check([text("a", "1")]), null);
});

test("TextMentionTermination looks in chat messages, optionally only from some sources", () => {
  const check = new TextMentionTermination("TERMINATE").start(context);
  assert.equal(check.check([thought(), text("a", "working")]), null);
  assert.equal(check.check([text("a", "all done. TERMINATE")])?.content, "Text 'TERMINATE' mentioned");
  const onlyCritic = new TextMentionTermination("APPROVE", { sources: ["critic"] }).start(context);
  assert.equal(onlyCritic.check([text("writer", "APPROVE me")]), null);
  assert.notEqual(onlyCritic.check([text("critic", "APPROVE")]), null);
});

test("TokenUsageTermination sums the usage of the run's messages against each limit", () => {
  const check = new TokenUsageTermination({ maxTotalTokens: 100 }).start(context);
  assert.equal(check.check([text("a", "x", { promptTokens: 40, completionTokens: 20 })]), null);
  assert.match(
    check.check([text("a", "y", { promptTokens: 30, completionTokens: 10 })])?.content ?? "",
    /total token count: 100, prompt token count: 70, completion token count: 30/,
  );
  assert.notEqual(
    new TokenUsageTermination({ maxCompletionTokens: 5 })
      .start(context)
      .check([text("a", "x", { promptTokens: 1, completionTokens: 5 })]),
    null,
  );
  assert.throws(
    () => new TokenUsageTermination({}),
    (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID"),
  );
});

test("TimeoutTermination fires at the first check after the time has passed", async () => {
  const check = new TimeoutTermination(30).start(context);
  assert.equal(check.check([]), null);
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.match(check.check([])?.content ?? "", /Timeout of 0.03 seconds reached/);
});

test("HandoffTermination, StopMessageTermination, SourceMatchTermination, FunctionCallTermination", () => {
  const toUser = new HandoffTermination("user").start(context);
  assert.equal(toUser.check([handoff("a", "b")]), null);
  assert.equal(toUser.check([handoff("a", "user")])?.content, "Handoff to user from a detected.");
  assert.equal(new StopMessageTermination().start(context).check([stopMessage("a")])?.content, "Stop message received");
  const source = new SourceMatchTermination(["critic"]).start(context);
  assert.equal(source.check([text("writer", "draft")]), null);
  assert.equal(source.check([text("critic", "ok")])?.content, "'critic' answered");
  const fn = new FunctionCallTermination("approve").start(context);
  assert.equal(fn.check([execution("search")]), null);
  assert.equal(fn.check([execution("approve")])?.content, "Function 'approve' was executed.");
});

test("ExternalTermination stops one session's run, or all runs, and forgets finished runs", () => {
  const external = new ExternalTermination();
  const one = external.start({ sessionId: "one" });
  const two = external.start({ sessionId: "two" });
  assert.equal(external.set("one"), 1);
  assert.equal(one.check([])?.content, "External termination requested");
  assert.equal(two.check([]), null);
  assert.equal(external.set(), 2);
  assert.notEqual(two.check([]), null);
  one.dispose?.();
  two.dispose?.();
  assert.equal(external.set(), 0);
});

test("or() fires on either; and() fires once both have fired, in any order, and says both reasons", async () => {
  const either = new TextMentionTermination("STOP").or(new MaxMessageTermination(10)).start(context);
  assert.equal(either.check([text("a", "go on")]), null, "parts that never wait answer at once");
  assert.equal((await either.check([text("a", "STOP")]))?.source, "TextMentionTermination");

  const both = new TextMentionTermination("DONE").and(new SourceMatchTermination(["critic"])).start(context);
  assert.equal(both.check([text("writer", "DONE")]), null, "only the first part has fired");
  const fired = await both.check([text("critic", "looks good")]);
  assert.equal(fired?.source, "TextMentionTermination, SourceMatchTermination");
  assert.equal(fired?.content, "Text 'DONE' mentioned; 'critic' answered");

  const nested = new MaxMessageTermination(100)
    .or(new TextMentionTermination("A").and(new TextMentionTermination("B")))
    .start(context);
  assert.equal(await nested.check([text("x", "A")]), null);
  assert.notEqual(await nested.check([text("x", "B")]), null);
});

test("conditions are immutable values that reject bad arguments", () => {
  const condition = new MaxMessageTermination(3);
  assert.ok(Object.isFrozen(condition));
  for (const make of [
    () => new MaxMessageTermination(0),
    () => new TextMentionTermination(""),
    () => new TimeoutTermination(-1),
    () => new HandoffTermination(""),
    () => new SourceMatchTermination([]),
    () => new FunctionCallTermination(""),
  ]) {
    assert.throws(make, (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID"));
  }
});

test("TextMessageTermination stops on a text message, from any source or only the one given", () => {
  const any = new TextMessageTermination().start(context);
  assert.equal(any.check([thought(), summary("a"), handoff("a", "b"), stopMessage("a")]), null, "not a text message");
  const fired = any.check([summary("a"), text("writer", "a draft")]);
  assert.equal(fired?.source, "TextMessageTermination");
  assert.equal(fired?.content, "Text message received from 'writer'");

  const critic = new TextMessageTermination("critic");
  assert.equal(critic.source, "critic");
  const onlyCritic = critic.start(context);
  assert.equal(onlyCritic.check([text("writer", "a draft"), summary("critic")]), null);
  assert.equal(onlyCritic.check([text("critic", "fine")])?.content, "Text message received from 'critic'");
  assert.throws(
    () => new TextMessageTermination(""),
    (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === "source",
  );
});

test("FunctionalTermination stops when its function returns true, given each delta; only true stops", () => {
  const seen: number[] = [];
  const check = new FunctionalTermination((delta) => {
    seen.push(delta.length);
    return delta.some((message) => message.type === "stop");
  }).start(context);
  assert.equal(check.check([text("user", "task")]), null);
  const fired = check.check([thought(), stopMessage("a")]);
  assert.deepEqual(seen, [1, 2]);
  assert.ok(fired !== null && !(fired instanceof Promise));
  assert.equal(fired.source, "FunctionalTermination");
  assert.equal(fired.content, "Functional termination condition met");

  const truthy = new FunctionalTermination(() => "yes" as unknown as boolean).start(context);
  assert.equal(truthy.check([text("a", "x")]), null, "a truthy value that is not true does not stop");
  assert.throws(
    () => new FunctionalTermination("stop" as never),
    (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === "func",
  );
});

test("an async FunctionalTermination is awaited, also inside or() and and()", async () => {
  const later = new FunctionalTermination(async (delta) => {
    await new Promise((resolve) => setImmediate(resolve));
    return delta.some((message) => message.type === "text" && message.content === "enough");
  });
  const alone = later.start(context);
  const pending = alone.check([text("a", "more")]);
  assert.ok(pending instanceof Promise, "an async function's answer is a promise");
  assert.equal(await pending, null);
  assert.equal((await alone.check([text("a", "enough")]))?.source, "FunctionalTermination");

  // or(): the async part is awaited, then the parts after it are asked.
  const either = later.or(new TextMentionTermination("STOP")).start(context);
  assert.equal(await either.check([text("a", "go on")]), null);
  assert.equal((await either.check([text("a", "STOP now")]))?.source, "TextMentionTermination");
  assert.equal((await either.check([text("a", "enough")]))?.source, "FunctionalTermination");

  // and(): the async part stays fired once it has fired.
  const both = new SourceMatchTermination(["critic"]).and(later).start(context);
  assert.equal(await both.check([text("writer", "enough")]), null, "only the function has fired");
  const fired = await both.check([text("critic", "ok")]);
  assert.equal(fired?.source, "SourceMatchTermination, FunctionalTermination");
});

test("in a team: an async FunctionalTermination is awaited before the next turn; TextMessageTermination waits for its source", async () => {
  const member = (name: string, replies: string[]) =>
    new AssistantAgent({ name, modelClient: new ScriptedModelClient({ replies }) });
  const asked: string[] = [];
  const team = new RoundRobinGroupChat({
    participants: [member("writer", ["draft", "final"]), member("critic", ["again", "unused"])],
    termination: new FunctionalTermination(async (delta) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      asked.push(delta.map((message) => message.source).join(","));
      return delta.some((message) => message.type === "text" && message.content === "final");
    }),
    maxTurns: 10,
  });
  const result = await team.run({ task: "go" });
  assert.deepEqual(
    result.messages.map((message) => message.source),
    ["user", "writer", "critic", "writer"],
  );
  assert.equal(result.stopReason, "Functional termination condition met");
  assert.deepEqual(asked, ["user", "writer", "critic", "writer"]);

  const bySource = new RoundRobinGroupChat({
    participants: [member("writer", ["draft", "draft 2"]), member("critic", ["ok"])],
    termination: new TextMessageTermination("critic"),
    maxTurns: 10,
  });
  const stopped = await bySource.run({ task: "go" });
  assert.equal(stopped.stopReason, "Text message received from 'critic'");
  assert.equal(stopped.messages.at(-1)?.source, "critic");
});
