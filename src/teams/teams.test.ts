import assert from "node:assert/strict";
import { test } from "node:test";
import type { AssistantAgent } from "../agents/assistant-agent.ts";
import { UserProxyAgent } from "../agents/user-proxy-agent.ts";
import { HearthError } from "../core/errors.ts";
import type { AgentMessage } from "../core/messages.ts";
import type { ModelRequest } from "../core/model-client.ts";
import { Session } from "../core/session.ts";
import { ScriptedModelClient, type ScriptedReply } from "../testing/scripted-model-client.ts";
import { RoundRobinGroupChat } from "./round-robin-group-chat.ts";
import { SelectorGroupChat } from "./selector-group-chat.ts";
import { Swarm } from "./swarm.ts";
import { HandoffTermination, SourceMatchTermination, TextMentionTermination } from "./termination.ts";
import { scriptedAgent as agent } from "./scripted-agent.cases.ts";

const sources = (messages: readonly AgentMessage[]) => messages.map((message) => message.source);
const lastUserText = (request: ModelRequest | undefined) => {
  const last = request?.messages.at(-1);
  return last?.role === "user" && typeof last.content === "string" ? last.content : "";
};

test("round-robin: members speak in order, each sees the others' messages, and the condition stops it", async () => {
  const writer = agent("writer", ["A poem about winter.", "A better poem."]);
  const critic = agent("critic", ["Needs work.", "APPROVE"]);
  const team = new RoundRobinGroupChat({
    participants: [writer, critic],
    termination: new TextMentionTermination("APPROVE"),
  });
  const session = team.createSession();
  const result = await team.run({ task: "Write a poem.", session });
  assert.deepEqual(sources(result.messages), ["user", "writer", "critic", "writer", "critic"]);
  assert.equal(result.stopReason, "Text 'APPROVE' mentioned");
  assert.deepEqual(result.usage, { promptTokens: 40, completionTokens: 20 });

  const criticClient = critic.modelClient as ScriptedModelClient;
  assert.deepEqual(criticClient.requests[0]?.messages, [
    { role: "system", content: "You are critic." },
    { role: "user", content: "Write a poem.", source: "user" },
    { role: "user", content: "A poem about winter.", source: "writer" },
  ]);
  // The writer's second turn receives only what was said since its first.
  const writerClient = writer.modelClient as ScriptedModelClient;
  assert.deepEqual(writerClient.requests[1]?.messages.slice(1), [
    { role: "user", content: "Write a poem.", source: "user" },
    { role: "assistant", content: "A poem about winter.", source: "writer" },
    { role: "user", content: "Needs work.", source: "critic" },
  ]);
  assert.deepEqual(session.team, {
    team: "RoundRobinGroupChat",
    kind: "round-robin",
    turn: 4,
    delivered: { writer: 4, critic: 5 },
    nextSpeakerIndex: 0,
  });
});

test("round-robin: maxTurns ends a run, and the next run continues with the next speaker", async () => {
  const team = new RoundRobinGroupChat({
    participants: [agent("a", ["a1", "a2"]), agent("b", ["b1"]), agent("c", ["c1"])],
    maxTurns: 2,
  });
  const session = new Session();
  const first = await team.run({ task: "go", session });
  assert.equal(first.stopReason, "Maximum number of turns 2 reached.");
  assert.deepEqual(sources(first.messages), ["user", "a", "b"]);
  const second = await team.run({ session });
  assert.deepEqual(sources(second.messages), ["c", "a"]);
  assert.deepEqual(sources(session.thread), ["user", "a", "b", "c", "a"]);
});

test("a condition that fires on the task itself stops before any agent speaks", async () => {
  const a = agent("a", []);
  const team = new RoundRobinGroupChat({ participants: [a], termination: new TextMentionTermination("STOP") });
  const result = await team.run({ task: "STOP right there" });
  assert.equal(result.stopReason, "Text 'STOP' mentioned");
  assert.equal((a.modelClient as ScriptedModelClient).requests.length, 0);
});

test("selector: the model picks each speaker from names and descriptions, never the same twice by default", async () => {
  const selector = new ScriptedModelClient({ replies: ["planner", "I pick coder.", "reviewer"] });
  const team = new SelectorGroupChat({
    participants: [
      agent("planner", ["Plan: write code."]),
      agent("coder", ["def f(): pass"]),
      agent("reviewer", ["LGTM"]),
    ],
    modelClient: selector,
    termination: new SourceMatchTermination(["reviewer"]),
  });
  const result = await team.run({ task: "Build f." });
  assert.deepEqual(sources(result.messages), ["user", "planner", "coder", "reviewer"]);
  assert.equal(result.usage.promptTokens, 60, "selector calls count in the run's usage");
  const firstPrompt = String(
    selector.requests[0]?.messages[0]?.role === "system" ? selector.requests[0].messages[0].content : "",
  );
  assert.match(firstPrompt, /planner: The planner\.\ncoder: The coder\.\nreviewer: The reviewer\./);
  assert.match(firstPrompt, /\["planner","coder","reviewer"\]/);
  const secondPrompt = String(
    selector.requests[1]?.messages[0]?.role === "system" ? selector.requests[1].messages[0].content : "",
  );
  assert.match(secondPrompt, /\["coder","reviewer"\]/, "the previous speaker is not a candidate");
  assert.match(secondPrompt, /user: Build f\.\nplanner: Plan: write code\./);
});

test("selector: unclear answers get feedback and a retry; none valid after the attempts is HEARTH_TEAM_NO_SPEAKER", async () => {
  const selector = new ScriptedModelClient({ replies: ["nobody", "coder or reviewer", "reviewer"] });
  const team = new SelectorGroupChat({
    participants: [agent("coder", []), agent("reviewer", ["ok"])],
    modelClient: selector,
    maxTurns: 1,
  });
  const result = await team.run({ task: "x" });
  assert.deepEqual(sources(result.messages), ["user", "reviewer"]);
  assert.match(lastUserText(selector.requests[1]), /No valid name was mentioned/);
  assert.match(lastUserText(selector.requests[2]), /Expected exactly one name/);

  const hopeless = new SelectorGroupChat({
    participants: [agent("coder", []), agent("reviewer", [])],
    modelClient: new ScriptedModelClient({ replies: ["?", "??"] }),
    maxTurns: 1,
    maxSelectorAttempts: 2,
  });
  const session = new Session();
  await assert.rejects(
    hopeless.run({ task: "x", session }),
    (error) => HearthError.is(error, "HEARTH_TEAM_NO_SPEAKER") && error.attempts === 2,
  );
  assert.deepEqual(sources(session.messages), ["user"], "the task stays; no turn was taken");
});

test("selector: selectorFunc skips the model when it names a speaker, and a wrong name is an error", async () => {
  const selector = new ScriptedModelClient({ replies: ["coder"] });
  const team = new SelectorGroupChat({
    participants: [agent("planner", ["plan"]), agent("coder", ["code"]), agent("tester", [])],
    modelClient: selector,
    selectorFunc: (thread) => (thread.length === 1 ? "planner" : null),
    maxTurns: 2,
  });
  const result = await team.run({ task: "go" });
  assert.deepEqual(sources(result.messages), ["user", "planner", "coder"]);
  assert.equal(selector.requests.length, 1, "only the second turn asked the model");
  const broken = new SelectorGroupChat({
    participants: [agent("a", []), agent("b", [])],
    modelClient: selector,
    selectorFunc: () => "zed",
    maxTurns: 1,
  });
  await assert.rejects(broken.run({ task: "go" }), (error) => HearthError.is(error, "HEARTH_TEAM_UNKNOWN_SPEAKER"));
});

test("swarm: handoffs are tools; the target speaks next and sees the handoff", async () => {
  const triage = agent("triage", [{ toolCalls: [{ name: "transfer_to_billing", arguments: {} }] }], {
    handoffs: ["billing"],
  });
  const billing = agent("billing", ["Your refund is on its way. TERMINATE"], { handoffs: ["triage"] });
  const team = new Swarm({ participants: [triage, billing], termination: new TextMentionTermination("TERMINATE") });
  const result = await team.run({ task: "I want a refund." });
  assert.deepEqual(
    result.messages.map((message) => `${message.source}:${message.type}`),
    ["user:text", "triage:tool-call-request", "triage:tool-call-execution", "triage:handoff", "billing:text"],
  );
  const handoff = result.messages[3];
  assert.equal(handoff?.type === "handoff" ? handoff.target : "", "billing");
  const offered = (triage.modelClient as ScriptedModelClient).requests[0]?.tools?.map((tool) => tool.name);
  assert.deepEqual(offered, ["transfer_to_billing"]);
  assert.equal(
    lastUserText((billing.modelClient as ScriptedModelClient).requests[0]),
    "Transferred to billing, adopting the role of billing immediately.",
  );
});

test("swarm: a handoff to the user ends the run; the user's answer resumes with that agent from saved JSON", async () => {
  const makeTeam = (replies: ScriptedReply[]) =>
    new Swarm({
      participants: [agent("support", replies, { handoffs: ["user"] }), agent("other", [])],
      termination: new HandoffTermination("user").or(new TextMentionTermination("TERMINATE")),
    });
  const first = makeTeam([{ toolCalls: [{ name: "transfer_to_user", arguments: {} }] }]);
  const session = first.createSession();
  const asked = await first.run({ task: "Change my address.", session });
  assert.equal(asked.stopReason, "Handoff to user from support detected.");
  const saved = JSON.stringify(first.saveState(session));

  // Another process: a new definition, the session from JSON, the user's answer as the task.
  const second = makeTeam(["Address updated to 5 Elm St. TERMINATE"]);
  const restored = second.loadState(saved);
  const answered = await second.run({ task: "5 Elm St.", session: restored });
  assert.deepEqual(sources(answered.messages), ["user", "support"]);
  assert.equal(answered.stopReason, "Text 'TERMINATE' mentioned");
  const support = second.participants[0] as AssistantAgent;
  assert.equal(lastUserText((support.modelClient as ScriptedModelClient).requests[0]), "5 Elm St.");
  // Continuing without an answer while the user holds the conversation is refused.
  const third = makeTeam([]);
  await assert.rejects(third.run({ session: third.loadState(saved) }), (error) =>
    HearthError.is(error, "HEARTH_TEAM_UNKNOWN_SPEAKER"),
  );
});

test("one team definition serves 50 concurrent sessions with no cross-talk", async () => {
  const echoOwn = (name: string) => async (request: ModelRequest) => {
    const markers = new Set(JSON.stringify(request.messages).match(/session-\d+/g));
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
    return `${name} saw ${[...markers].join(",")}`;
  };
  const team = new RoundRobinGroupChat({
    participants: [
      agent(
        "a",
        Array.from({ length: 50 }, () => echoOwn("a")),
      ),
      agent(
        "b",
        Array.from({ length: 50 }, () => echoOwn("b")),
      ),
    ],
    maxTurns: 2,
  });
  const sessions = Array.from({ length: 50 }, () => team.createSession());
  const results = await Promise.all(
    sessions.map((session, index) => team.run({ task: `I am session-${index}`, session })),
  );
  results.forEach((result, index) => {
    const texts = result.messages.map((message) => (message.type === "text" ? message.content : ""));
    assert.deepEqual(texts, [`I am session-${index}`, `a saw session-${index}`, `b saw session-${index}`]);
    assert.deepEqual(
      [...new Set(JSON.stringify(sessions[index]?.toJSON()).match(/session-\d+/g))],
      [`session-${index}`],
    );
  });
});

test("a team run aborted midway keeps its last complete message, and the next run resumes there", async () => {
  const controller = new AbortController();
  const slow = async (request: ModelRequest) => {
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 5));
    return `late ${request.messages.length}`;
  };
  const team = new RoundRobinGroupChat({
    participants: [agent("a", ["a speaks", "a again"]), agent("b", [slow, "b speaks"])],
    maxTurns: 2,
  });
  const session = team.createSession();
  await assert.rejects(team.run({ task: "go", session, signal: controller.signal }), (error) =>
    HearthError.is(error, "HEARTH_ABORTED"),
  );
  assert.deepEqual(sources(session.messages), ["user", "a"]);
  assert.equal(session.team?.nextSpeakerIndex, 1);
  assert.deepEqual(session.contextOf("b"), []);

  const resumed = await team.run({ session: Session.fromJSON(JSON.parse(JSON.stringify(session.toJSON()))) });
  assert.deepEqual(sources(resumed.messages), ["b", "a"]);
  assert.equal(resumed.messages[0]?.type === "text" ? resumed.messages[0].content : "", "b speaks");
});

test("a session belongs to one team; bad team options fail at construction", async () => {
  const one = new RoundRobinGroupChat({ name: "one", participants: [agent("a", ["x"])], maxTurns: 1 });
  const two = new RoundRobinGroupChat({ name: "two", participants: [agent("a", ["y"])], maxTurns: 1 });
  const session = one.createSession();
  await one.run({ task: "hi", session });
  await assert.rejects(two.run({ task: "hi", session }), (error) => HearthError.is(error, "HEARTH_SESSION_INVALID"));
  const a = agent("a", []);
  for (const [options, field] of [
    [{ participants: [], maxTurns: 1 }, "participants"],
    [{ participants: [a, a], maxTurns: 1 }, "participants"],
    [{ participants: [a] }, "termination"],
    [{ participants: [a], maxTurns: 0 }, "maxTurns"],
    [{ participants: [a], maxTurns: 1, name: "bad name" }, "name"],
  ] as const) {
    assert.throws(
      () => new RoundRobinGroupChat(options as never),
      (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === field,
      field,
    );
  }
});

test("a UserProxyAgent in a team answers through its input function, with a timeout", async () => {
  const prompts: string[] = [];
  const user = new UserProxyAgent({
    name: "user_proxy",
    inputFunc: (prompt) => {
      prompts.push(prompt);
      return "Looks good, APPROVE";
    },
  });
  const team = new RoundRobinGroupChat({
    participants: [agent("writer", ["Draft."]), user],
    termination: new TextMentionTermination("APPROVE"),
  });
  const result = await team.run({ task: "Draft something." });
  assert.deepEqual(
    result.messages.map((message) => `${message.source}:${message.type}`),
    ["user:text", "writer:text", "user_proxy:user-input-requested", "user_proxy:text"],
  );
  assert.deepEqual(prompts, ["Enter your response: "]);

  const silent = new UserProxyAgent({
    name: "user_proxy",
    timeoutMs: 20,
    inputFunc: (_prompt, { signal }) =>
      new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
  });
  const session = new Session();
  await assert.rejects(silent.run({ task: "hello?", session }), (error) =>
    HearthError.is(error, "HEARTH_USER_INPUT_TIMEOUT"),
  );
  assert.deepEqual(session.messages, []);

  // An input function that ignores its signal does not hold an aborted run.
  const deaf = new UserProxyAgent({ name: "user_proxy", inputFunc: () => new Promise<string>(() => undefined) });
  const caller = new AbortController();
  const asked = deaf.run({ task: "hello?", signal: caller.signal });
  setTimeout(() => caller.abort(new Error("gone")), 10);
  await assert.rejects(asked, (error) => HearthError.is(error, "HEARTH_ABORTED"));
});

test("a team streams its members' deltas and events, then the TaskResult", async () => {
  const team = new RoundRobinGroupChat({
    participants: [agent("a", ["streamed reply"], { modelClientStream: true })],
    maxTurns: 1,
  });
  const types: string[] = [];
  for await (const item of team.runStream({ task: "go" })) types.push(item.type);
  assert.ok(types.includes("message-delta"));
  assert.equal(types.at(-1), "task-result");
  assert.equal(types.filter((type) => type === "text").length, 2);
});

test("selector: allowRepeatedSpeaker keeps the previous speaker among the candidates", async () => {
  const selector = new ScriptedModelClient({ replies: ["coder", "coder"] });
  const team = new SelectorGroupChat({
    participants: [agent("coder", ["one", "two"]), agent("reviewer", [])],
    modelClient: selector,
    allowRepeatedSpeaker: true,
    maxTurns: 2,
  });
  const result = await team.run({ task: "go" });
  assert.deepEqual(sources(result.messages), ["user", "coder", "coder"]);
  const prompt = selector.requests[1]?.messages[0];
  assert.match(prompt?.role === "system" ? prompt.content : "", /\["coder","reviewer"\]/);
});

test("a UserProxyAgent handed the conversation hands it back; aborting the run cancels its question", async () => {
  const user = new UserProxyAgent({ name: "person", inputFunc: () => "my order is A123" });
  const team = new Swarm({
    participants: [
      agent("support", [{ toolCalls: [{ name: "transfer_to_person", arguments: {} }] }, "Found it. TERMINATE"], {
        handoffs: ["person"],
      }),
      user,
    ],
    termination: new TextMentionTermination("TERMINATE"),
  });
  const result = await team.run({ task: "Where is my order?" });
  const answer = result.messages.find((message) => message.source === "person" && message.type === "handoff");
  assert.equal(answer?.type === "handoff" ? answer.target : "", "support");
  assert.equal(result.messages.at(-1)?.source, "support");

  const controller = new AbortController();
  let cancelled = false;
  const waiting = new UserProxyAgent({
    name: "person",
    inputFunc: (_prompt, { signal }) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener("abort", () => {
          cancelled = true;
          reject(new Error("cancelled"));
        });
        setImmediate(() => controller.abort());
      }),
  });
  await assert.rejects(waiting.run({ task: "hi", signal: controller.signal }), (error) =>
    HearthError.is(error, "HEARTH_ABORTED"),
  );
  assert.ok(cancelled, "the input function saw its signal abort");
});
