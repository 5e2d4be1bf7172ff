import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { HearthError } from "../core/errors.ts";
import type { AgentMessage, ChatMessage } from "../core/messages.ts";
import type { ModelRequest } from "../core/model-client.ts";
import { ScriptedModelClient, type ScriptedReply } from "../testing/scripted-model-client.ts";
import { SelectorGroupChat } from "./selector-group-chat.ts";

const agent = (name: string, replies: ScriptedReply[]) =>
  new AssistantAgent({
    name,
    description: `The ${name}.`,
    modelClient: new ScriptedModelClient({ replies }),
    systemMessage: `You are ${name}.`,
  });
const sources = (messages: readonly AgentMessage[]) => messages.map((message) => message.source);
const prompt = (request: ModelRequest | undefined) => {
  const system = request?.messages[0];
  return system?.role === "system" ? system.content : "";
};

test("candidateFunc narrows whom the model chooses from, given the thread; it may be async", async () => {
  const threads: string[][] = [];
  const selector = new ScriptedModelClient({ replies: ["planner", "reviewer"] });
  const team = new SelectorGroupChat({
    participants: [agent("planner", ["plan"]), agent("coder", []), agent("reviewer", ["ok"])],
    modelClient: selector,
    candidateFunc: async (thread: readonly ChatMessage[]) => {
      threads.push(sources(thread));
      await new Promise((resolve) => setImmediate(resolve));
      return thread.at(-1)?.source === "planner" ? ["reviewer", "planner"] : ["planner", "coder"];
    },
    maxTurns: 2,
  });
  const result = await team.run({ task: "Build it." });
  assert.deepEqual(sources(result.messages), ["user", "planner", "reviewer"]);
  assert.deepEqual(threads, [["user"], ["user", "planner"]]);
  assert.match(prompt(selector.requests[0]), /\["planner","coder"\]/);
  assert.doesNotMatch(prompt(selector.requests[0]), /reviewer/, "the roles are the candidates'");
  // In place of the default, which would leave out the previous speaker: the planner stays a candidate.
  assert.match(prompt(selector.requests[1]), /\["reviewer","planner"\]/);
});

test("a single candidate speaks without a model call; selectorFunc, when it names someone, wins", async () => {
  const selector = new ScriptedModelClient({ replies: [] });
  let asked = 0;
  const team = new SelectorGroupChat({
    participants: [agent("planner", ["plan", "plan again"]), agent("coder", ["code"])],
    modelClient: selector,
    selectorFunc: (thread) => (thread.length === 3 ? "planner" : null),
    candidateFunc: (thread) => {
      asked += 1;
      return thread.length === 1 ? ["planner"] : ["coder", "coder"];
    },
    maxTurns: 3,
  });
  const result = await team.run({ task: "go" });
  assert.deepEqual(sources(result.messages), ["user", "planner", "coder", "planner"]);
  assert.equal(selector.requests.length, 0, "no turn needed the model");
  assert.equal(asked, 2, "the third turn was chosen by selectorFunc");
});

test("candidateFunc naming no participant, or none at all, fails the run before any speaker is chosen", async () => {
  const cases = [
    [() => ["planner", "zed"], "HEARTH_TEAM_UNKNOWN_SPEAKER", /candidateFunc named "zed"/],
    [() => [], "HEARTH_CONFIG_INVALID", /candidateFunc must return a non-empty list/],
    [async () => "planner", "HEARTH_CONFIG_INVALID", /candidateFunc must return a non-empty list/],
  ] as const;
  for (const [candidateFunc, code, message] of cases) {
    const selector = new ScriptedModelClient({ replies: [] });
    const team = new SelectorGroupChat({
      participants: [agent("planner", []), agent("coder", [])],
      modelClient: selector,
      candidateFunc: candidateFunc as never,
      maxTurns: 1,
    });
    const session = team.createSession();
    await assert.rejects(
      team.run({ task: "go", session }),
      (error) => HearthError.is(error, code) && message.test(error.message),
      code,
    );
    assert.deepEqual(sources(session.messages), ["user"]);
    assert.equal(selector.requests.length, 0);
  }
  assert.throws(
    () =>
      new SelectorGroupChat({
        participants: [agent("a", []), agent("b", [])],
        modelClient: new ScriptedModelClient(),
        candidateFunc: ["a"] as never,
        maxTurns: 1,
      }),
    (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === "candidateFunc",
  );
});
