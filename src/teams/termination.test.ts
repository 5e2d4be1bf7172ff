import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import { newId, type AgentMessage } from "../core/messages.ts";
import {
  ExternalTermination,
  FunctionCallTermination,
  HandoffTermination,
  MaxMessageTermination,
  SourceMatchTermination,
  StopMessageTermination,
  TextMentionTermination,
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

test("or() fires on either; and() fires once both have fired, in any order, and says both reasons", () => {
  const either = new TextMentionTermination("STOP").or(new MaxMessageTermination(10)).start(context);
  assert.equal(either.check([text("a", "go on")]), null);
  assert.equal(either.check([text("a", "STOP")])?.source, "TextMentionTermination");

  const both = new TextMentionTermination("DONE").and(new SourceMatchTermination(["critic"])).start(context);
  assert.equal(both.check([text("writer", "DONE")]), null, "only the first part has fired");
  const fired = both.check([text("critic", "looks good")]);
  assert.equal(fired?.source, "TextMentionTermination, SourceMatchTermination");
  assert.equal(fired?.content, "Text 'DONE' mentioned; 'critic' answered");

  const nested = new MaxMessageTermination(100)
    .or(new TextMentionTermination("A").and(new TextMentionTermination("B")))
    .start(context);
  assert.equal(nested.check([text("x", "A")]), null);
  assert.notEqual(nested.check([text("x", "B")]), null);
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
