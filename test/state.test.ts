// saveState / loadState for agents and teams, in hearth's own format and from AutoGen 0.7's JSON
// (hand-written fixtures shaped like what AutoGen's save_state() writes).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  AssistantAgent,
  HearthError,
  RoundRobinGroupChat,
  Swarm,
  TextMentionTermination,
  type ModelRequest,
} from "hearth";
import { ScriptedModelClient } from "hearth/testing";

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/autogen/${name}`, import.meta.url), "utf8"));
const agent = (name: string, replies: string[], handoffs: string[] = []) =>
  new AssistantAgent({ name, modelClient: new ScriptedModelClient({ replies }), systemMessage: null, handoffs });
const requestsOf = (agentDefinition: AssistantAgent) =>
  (agentDefinition.modelClient as ScriptedModelClient).requests as ModelRequest[];

test("an agent's state round-trips through JSON into a new session", async () => {
  const helper = agent("helper", ["first answer", "second answer"]);
  const session = helper.createSession();
  await helper.run({ task: "first", session });
  const saved = JSON.stringify(helper.saveState(session));
  assert.equal(JSON.parse(saved).type, "hearth.agent-state");
  const restored = helper.loadState(saved);
  assert.deepEqual(restored.contextOf("helper"), session.contextOf("helper"));
  await helper.run({ task: "second", session: restored });
  assert.deepEqual(
    requestsOf(helper)[1]?.messages.map((message) => message.role),
    ["user", "assistant", "user"],
  );
});

test("AutoGen's AssistantAgentState loads as the agent's context, tool calls and results included", async () => {
  const helper = agent("assistant", ["It is still sunny."]);
  const session = helper.loadState(fixture("assistant-agent-state.json"));
  // AutoGen keeps its agent's own system message out of llm_context: a SystemMessage there was added
  // to the context (by a memory, or a preloaded model_context), and AutoGen sends it, so it stays.
  assert.deepEqual(session.contextOf("assistant"), [
    { role: "system", content: "You are a helpful assistant." },
    { role: "user", content: "What is the weather in New York?", source: "user" },
    {
      role: "assistant",
      content: "",
      toolCalls: [{ id: "call_sUcTBXVGfzdJVs3tFmKtrm9W", name: "get_weather", arguments: '{"city":"New York"}' }],
      source: "assistant",
    },
    {
      role: "tool",
      results: [
        {
          callId: "call_sUcTBXVGfzdJVs3tFmKtrm9W",
          name: "get_weather",
          content: "The weather in New York is 73 degrees and Sunny.",
          isError: false,
        },
      ],
    },
    { role: "assistant", content: "The weather in New York is 73 degrees and Sunny.", source: "assistant" },
  ]);
  const result = await helper.run({ task: "And now?", session });
  assert.equal(
    result.messages.at(-1)?.type === "text" ? (result.messages.at(-1) as { content: string }).content : "",
    "It is still sunny.",
  );
  assert.equal(requestsOf(helper)[0]?.messages.length, 6);
});

test("AutoGen's round-robin TeamState resumes with the right speaker, who receives its buffered message", async () => {
  const primary = agent("primary", ["Snow on the pines.\nMorning light on the frost."]);
  const critic = agent("critic", ["APPROVE"]);
  const team = new RoundRobinGroupChat({
    participants: [primary, critic],
    termination: new TextMentionTermination("APPROVE"),
  });
  const session = team.loadState(fixture("round-robin-team-state.json"));
  assert.equal(session.thread.length, 3);
  assert.deepEqual(session.team, {
    team: "RoundRobinGroupChat",
    kind: "round-robin",
    turn: 2,
    delivered: { primary: 2, critic: 3 },
    nextSpeakerIndex: 0,
  });
  assert.deepEqual(session.thread[2]?.usage, { promptTokens: 60, completionTokens: 14 });

  const result = await team.run({ session });
  assert.deepEqual(
    result.messages.map((message) => message.source),
    ["primary", "critic"],
  );
  assert.deepEqual(requestsOf(primary)[0]?.messages, [
    { role: "user", content: "Write a poem about winter.", source: "user" },
    { role: "assistant", content: "Snow on the pines, the quiet night.", source: "primary" },
    { role: "user", content: "Add a second stanza about the morning.", source: "critic" },
  ]);
});

test("AutoGen's swarm TeamState (0.4 keys) resumes with the agent that handed off to the user", async () => {
  const travel = agent("travel_agent", [], ["flights_refunder"]);
  const refunder = agent("flights_refunder", ["Refunded. TERMINATE"], ["travel_agent", "user"]);
  const team = new Swarm({ participants: [travel, refunder], termination: new TextMentionTermination("TERMINATE") });
  const session = team.loadState(fixture("swarm-team-state.json"));
  assert.deepEqual(
    session.messages.map((message) => message.type),
    ["text", "tool-call-request", "tool-call-execution", "handoff", "handoff"],
  );
  const result = await team.run({ task: "Flight 1234, please.", session });
  assert.deepEqual(
    result.messages.map((message) => message.source),
    ["user", "flights_refunder"],
  );
  const sent = requestsOf(refunder)[0]?.messages ?? [];
  assert.deepEqual(sent.at(-1), { role: "user", content: "Flight 1234, please.", source: "user" });
  assert.equal(
    sent.filter((message) => message.role === "tool").length,
    1,
    "its earlier handoff call and result are kept",
  );
});

test("hearth's team state round-trips; wrong or foreign state is HEARTH_SESSION_INVALID", async () => {
  const team = new RoundRobinGroupChat({
    participants: [agent("primary", ["p"]), agent("critic", ["c"])],
    maxTurns: 2,
  });
  const session = team.createSession();
  await team.run({ task: "go", session });
  const saved = team.saveState(session);
  assert.deepEqual(team.loadState(JSON.stringify(saved)).toJSON(), session.toJSON());

  const swarm = new Swarm({ participants: [agent("primary", []), agent("critic", [])], maxTurns: 1 });
  const invalid = [
    () => swarm.loadState(fixture("round-robin-team-state.json")),
    () =>
      new RoundRobinGroupChat({ participants: [agent("someone", [])], maxTurns: 1 }).loadState(
        fixture("round-robin-team-state.json"),
      ),
    () => team.loadState({ type: "TeamState", agent_states: {} }),
    () => team.loadState({ type: "Mystery" }),
    () => team.loadState("{oops"),
    () => agent("a", []).loadState({ type: "AssistantAgentState", llm_context: { messages: [{ type: "Alien" }] } }),
  ];
  for (const load of invalid) assert.throws(load, (error) => HearthError.is(error, "HEARTH_SESSION_INVALID"));
});
