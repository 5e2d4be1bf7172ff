// BaseGroupChat.loadState on the TeamState JSON AutoGen's teams write with save_state(), as people
// saved it (src/agents/fixtures/autogen-state/, sources in its README). Each test pins what the next
// speaker's model is sent after loading and says what AutoGen would send, reasoned from its code: a
// member's ChatAgentContainer hands the messages in its `message_buffer` to the agent, which adds
// them to its model context (a HandoffMessage's `context` first) and sends its system message and
// that context (_chat_agent_container.py, _assistant_agent.py `_add_messages_to_context`). hearth's
// OpenAI wire format leaves out the `name` field AutoGen adds; everything else is compared as is.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { UserProxyAgent } from "../agents/user-proxy-agent.ts";
import { HearthError } from "../core/errors.ts";
import type { ForeignMessage } from "../core/messages.ts";
import type { ModelMessage } from "../core/model-client.ts";
import { Session } from "../core/session.ts";
import { toWireRequest } from "../models/openai/wire-request.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { RoundRobinGroupChat } from "./round-robin-group-chat.ts";
import { SelectorGroupChat } from "./selector-group-chat.ts";
import { Swarm } from "./swarm.ts";

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../agents/fixtures/autogen-state/${name}`, import.meta.url), "utf8"));

const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

function member(name: string, options: { replies?: string[]; vision?: boolean; handoffs?: string[] } = {}) {
  return new AssistantAgent({
    name,
    modelClient: new ScriptedModelClient({
      replies: options.replies ?? ["ok"],
      modelInfo: { vision: options.vision ?? true },
    }),
    systemMessage: null,
    handoffs: options.handoffs ?? [],
  });
}

/** A model message's text, for one that has text. */
const textOf = (message: ModelMessage | undefined) =>
  message !== undefined && "content" in message ? String(message.content) : "";
const requestsOf = (agent: AssistantAgent) => (agent.modelClient as ScriptedModelClient).requests;
const sentBy = (agent: AssistantAgent, index = 0) => requestsOf(agent)[index]?.messages as readonly ModelMessage[];
const summary = (messages: readonly ModelMessage[]) =>
  messages.map((message) =>
    message.role === "tool"
      ? `tool:${message.results.map((result) => result.callId).join(",")}`
      : `${message.role}:${(message as { source?: string }).source ?? ""}:${
          typeof message.content === "string" ? message.content.slice(0, 24) : "[parts]"
        }${message.role === "assistant" && message.toolCalls !== undefined ? `+${message.toolCalls.length} calls` : ""}`,
  );

test("the team state AutoGen's state tutorial prints (0.4 keys, llm_messages) resumes with the poem in context", async () => {
  const poet = member("assistant_agent");
  const team = new RoundRobinGroupChat({ participants: [poet], maxTurns: 1 });
  const before = Date.now();
  const session = team.loadState(fixture("autogen-tutorial-team-state.json"));
  const after = Date.now();
  await team.run({ task: "What was the last line of the poem you wrote?", session });
  const poem =
    "In Tanganyika's gleam, beneath the azure skies,  \nWhispers of ancient waters, in tranquil guise,  \nNature's mirror, where dreams and serenity lie.";
  // The tutorial shows AutoGen answering "Nature's mirror, where dreams and serenity lie.": the same history.
  assert.deepEqual(sentBy(poet), [
    { role: "user", content: "Write a beautiful poem 3-line about lake tangayika", source: "user" },
    { role: "assistant", content: poem, source: "assistant_agent" },
    { role: "user", content: "What was the last line of the poem you wrote?", source: "user" },
  ]);
  // No message of 0.4 has a time: each takes the time it was loaded.
  for (const message of session.messages.slice(0, 2)) {
    const time = Date.parse(message.createdAt);
    assert.ok(time >= before - 1 && time <= after + 1, message.createdAt);
  }
});

test("round-robin states of 0.4 to 0.7 resume each with its member's whole context and the new task", async () => {
  const cases = [
    ["aliciasjf-round-robin-team-state.json", 4, "Waves crash with a roar"],
    ["alextanhongpin-round-robin-team-state.json", 2, "Here's a 3-line poem"],
    ["annusachan24-round-robin-team-state.json", 2, "In Tanganyika's embrace"],
    ["hm3it-round-robin-team-state.json", 2, "Why did the CS: Go player"],
  ] as const;
  for (const [file, contextLength, lastReply] of cases) {
    const agent = member("assistant_agent");
    const team = new RoundRobinGroupChat({ participants: [agent], maxTurns: 1 });
    await team.run({ task: "One more, please.", session: team.loadState(fixture(file)) });
    const sent = sentBy(agent);
    // AutoGen: its llm_context (even the earlier run AliciaSJF's file keeps there), then the new task.
    assert.equal(sent.length, contextLength + 1, file);
    assert.ok(textOf(sent.at(-2)).startsWith(lastReply), file);
    assert.deepEqual(sent.at(-1), { role: "user", content: "One more, please.", source: "user" }, file);
  }
});

test("parallel tool calls and a tool-call summary (0.4, rajesh-nitc) load as the calls, the results and the answer", async () => {
  const assistant = member("assistant");
  const team = new RoundRobinGroupChat({ participants: [assistant], maxTurns: 1 });
  const session = team.loadState(fixture("rajesh-nitc-tool-calls-team-state.json"));
  assert.deepEqual(
    session.messages.map((message) => message.type),
    ["text", "tool-call-request", "tool-call-execution", "tool-call-summary", "text"],
  );
  await team.run({ task: "And in Delhi?", session });
  const sent = sentBy(assistant);
  assert.deepEqual(summary(sent), [
    "user:user:what is 1+1 and how is t",
    "assistant:assistant:+2 calls",
    "tool:call_uNOH5GnldWIWIu2NWnf1SWqs,call_K8mAc2cvkAkXVG9Zv8ndyvF9",
    "assistant:assistant:The answer to \\(1 + 1\\) ",
    "user:user:And in Delhi?",
  ]);
  // AutoGen's "tools" transformer sends the calls with null content.
  const wire = toWireRequest({ messages: sent }, { model: "gpt-4o", stream: false }).messages as Record<
    string,
    unknown
  >[];
  assert.equal(wire[1]?.content, null);
  assert.deepEqual(
    ((wire[1]?.tool_calls ?? []) as { function: { arguments: string } }[]).map((call) => call.function.arguments),
    ['{"lat": 12.9716, "lon": 77.5946}', '{"lat": 19.076, "lon": 72.8777}'],
  );
});

test("a four-member team with tools and a UserProxyAgent (0.4 keys, boano-api) resumes with the next speaker's buffer", async () => {
  const github = member("github");
  const team = new RoundRobinGroupChat({
    participants: [
      github,
      member("calendar"),
      member("timelog"),
      new UserProxyAgent({ name: "user", inputFunc: () => "x" }),
    ],
    maxTurns: 1,
  });
  const session = team.loadState(fixture("boano-tools-user-team-state.json"));
  assert.equal(session.team?.turn, 11);
  assert.deepEqual(session.contextOf("user"), [], "a UserProxyAgent saves a BaseState: no context");
  await team.run({ session });
  const sent = sentBy(github);
  // AutoGen: github's 12 context messages (ending on its last tool result: the summary it returned is
  // not in its own context), then its buffer: calendar's and timelog's replies.
  assert.equal(sent.length, 14);
  assert.deepEqual(summary(sent.slice(9, 12)), [
    "user:user:i want all timelogs from",
    "assistant:github:+1 calls",
    "tool:call_PrqPCl7NBCHEirtUxRqnFxUy",
  ]);
  assert.deepEqual(
    sent.slice(12).map((message) => (message as { source?: string }).source),
    ["calendar", "timelog"],
  );
  assert.ok(textOf(sent[13]).startsWith('{"thoughts":"I assume you are referring'));
});

test("a UserProxyAgent member next (Reflex) is asked, and a turn that failed in AutoGen is skipped as AutoGen skips it", async () => {
  // cb97…: the user proxy is next (next_speaker_index 2).
  const asked: string[] = [];
  const person = new UserProxyAgent({
    name: "user",
    inputFunc: (prompt) => {
      asked.push(prompt);
      return "Thank you";
    },
  });
  const assistant = member("assistant");
  const yoda = member("yoda");
  const team = new RoundRobinGroupChat({ participants: [assistant, yoda, person], maxTurns: 2 });
  const result = await team.run({ session: team.loadState(fixture("reflex-user-proxy-next-team-state.json")) });
  assert.equal(asked.length, 1);
  assert.deepEqual(
    result.messages.map((message) => `${message.source}:${message.type}`),
    ["user:user-input-requested", "user:text", "assistant:text"],
  );
  // The assistant then reads what it had not: the person's answer.
  assert.deepEqual(sentBy(assistant).at(-1), { role: "user", content: "Thank you", source: "user" });

  // 2deda…: the assistant's turn failed after it had put its buffer in its context, and
  // next_speaker_index had moved on to yoda. AutoGen resumes with yoda, whose buffer holds the question.
  const yoda2 = member("yoda");
  const again = new RoundRobinGroupChat({ participants: [member("assistant"), yoda2, person], maxTurns: 1 });
  const session = again.loadState(fixture("reflex-user-proxy-failed-turn-team-state.json"));
  await again.run({ session });
  const sent = sentBy(yoda2);
  assert.equal(sent.length, 16);
  assert.deepEqual(sent[0], { role: "user", content: "good day", source: "user" });
  assert.deepEqual(sent.at(-1), { role: "user", content: "how can Nature help with Parkinson?", source: "user" });
  // Its metadata (not AutoGen's Dict[str, str] here) is carried, a value of another kind as its JSON.
  assert.deepEqual(session.thread[1]?.metadata, {
    models_usage: '{"prompt_tokens":20,"completion_tokens":11,"total_tokens":0}',
  });
  assert.equal(session.thread[0]?.metadata, undefined, "an empty metadata adds nothing");
});

test("a selector team with reasoning (AggressiveLLM) keeps the thought, and the unspoken member reads both messages", async () => {
  const begin = member("begin_agent");
  const after = member("after_agent");
  const selector = new ScriptedModelClient({ replies: [] });
  const team = new SelectorGroupChat({ participants: [begin, after], modelClient: selector, maxTurns: 1 });
  const session = team.loadState(fixture("aggressivellm-selector-thoughts-team-state.json"));
  assert.deepEqual(
    session.messages.map((message) => `${message.type}@${message.createdAt}`),
    ["text@2025-06-16T06:08:50.373Z", "thought@2025-06-16T06:09:38.437Z", "text@2025-06-16T06:09:38.437Z"],
  );
  const own = session.contextOf("begin_agent")[1];
  assert.ok(
    own?.role === "assistant" && own.thought?.startsWith("嗯，用户让我分析"),
    "the reasoning stays with the reply",
  );
  await team.run({ session });
  // The previous speaker was begin_agent and repeats are not allowed: after_agent speaks, unasked.
  assert.equal(selector.requests.length, 0);
  assert.deepEqual(summary(sentBy(after)), [
    "user:user:幫我分析一下我买iphone16pro好还是ip",
    "user:begin_agent:\n\n哎呀,你这是在纠结买iPhone 16 Pr",
  ]);
  // A reasoning text on a text reply goes nowhere on the wire, as AutoGen's "text" transformer sends content only.
  const wire = toWireRequest({ messages: session.contextOf("begin_agent") }, { model: "m", stream: false });
  assert.deepEqual(Object.keys((wire.messages as object[])[1] as object), ["role", "content"]);
});

test("a 0.7 team with tools and a user proxy (weaviate-autogen) delivers each member's buffer by message id", async () => {
  const paper = member("search_paper_agent");
  const team = new RoundRobinGroupChat({
    participants: [
      paper,
      member("search_chunk_agent"),
      member("summarize_agent"),
      new UserProxyAgent({ name: "user_proxy" }),
    ],
    maxTurns: 1,
  });
  const session = team.loadState(fixture("weaviate-user-proxy-tools-team-state.json"));
  assert.equal(session.messages[0]?.id, "a41c12cf-f3ed-43dc-973e-569e56cadc67");
  assert.equal(session.messages.at(-1)?.createdAt, "2025-07-17T19:00:06.244Z");
  await team.run({ session });
  assert.deepEqual(summary(sentBy(paper)), [
    "user:user:tell me interesting pape",
    "assistant:search_paper_agent:+1 calls",
    "tool:call_c4U8cjC3ZfqvbCR9k4s0YOcX",
    "assistant:search_paper_agent:Here is an interesting p",
    "user:search_chunk_agent:The DIPA2 dataset serves",
    "user:summarize_agent:**DIPA2: An Image Datase",
    "user:user_proxy:TERMINATE",
  ]);
});

test("a HandoffMessage's context reaches the receiver before the handoff, as AutoGen's receiver adds it", async () => {
  const refunder = member("flights_refunder", { replies: ["Refund filed."] });
  const team = new Swarm({
    participants: [member("travel_agent", { handoffs: ["flights_refunder"] }), refunder],
    maxTurns: 1,
  });
  const session = team.loadState(fixture("handwritten-swarm-handoff-context-team-state.json"));
  const thought = "Let me look up the booking before I hand this over.";
  await team.run({ session });
  const sent = sentBy(refunder);
  assert.deepEqual(sent, [
    { role: "user", content: "I need a refund for flight 1234.", source: "user" },
    {
      role: "assistant",
      content: thought,
      toolCalls: [{ id: "call_l1", name: "lookup_booking", arguments: '{"flight":"1234"}' }],
      source: "travel_agent",
    },
    {
      role: "tool",
      results: [
        {
          callId: "call_l1",
          name: "lookup_booking",
          content: "Booking 1234: Paris to Rome, 2025-09-02, refundable.",
          isError: false,
        },
      ],
    },
    {
      role: "user",
      content: "Transferred to flights_refunder, adopting the role of flights_refunder immediately.",
      source: "travel_agent",
    },
  ]);
  // Kept with the handoff in the session (written as format 3, which a hearth that would drop it refuses).
  const saved = session.toJSON();
  assert.equal(saved.version, 3);
  const restored = Session.fromJSON(JSON.parse(JSON.stringify(saved)));
  const handoff = restored.thread.find((message) => message.type === "handoff");
  assert.equal(handoff?.type === "handoff" ? handoff.context?.length : 0, 2);
  // The user's metadata is carried.
  assert.deepEqual(restored.thread[0]?.metadata, { channel: "web" });
});

test("message types hearth does not know load as foreign messages: kept unchanged, shown to no model", async () => {
  const state = fixture("handwritten-foreign-events-team-state.json");
  const assistant = member("assistant");
  const team = new RoundRobinGroupChat({ participants: [assistant, member("reviewer")], maxTurns: 1 });
  const session = team.loadState(state);
  assert.deepEqual(
    session.messages.map((message) => message.type),
    ["multi-modal", "foreign", "text", "foreign", "foreign", "text"],
  );
  const thread = (state.agent_states as Record<string, { message_thread?: Record<string, unknown>[] }>)
    .RoundRobinGroupChatManager?.message_thread as Record<string, unknown>[];
  const foreign = session.messages.filter((message): message is ForeignMessage => message.type === "foreign");
  assert.deepEqual(
    foreign.map((message) => [message.format, message.foreignType, message.id, message.source]),
    [
      ["autogen", "MemoryQueryEvent", "7a1d3c4e-0002-4b6f-8c2d-1e0f9a8b0002", "assistant"],
      ["autogen", "CodeGenerationEvent", "7a1d3c4e-0004-4b6f-8c2d-1e0f9a8b0004", "reviewer"],
      ["autogen", "CodeExecutionEvent", "7a1d3c4e-0005-4b6f-8c2d-1e0f9a8b0005", "reviewer"],
    ],
  );
  assert.deepEqual(
    foreign.map((message) => message.data),
    [thread[1], thread[3], thread[4]],
  );
  // Through the session's JSON and back, unchanged.
  const restored = Session.fromJSON(JSON.stringify(session.toJSON()));
  assert.deepEqual(restored.messages, session.messages);
  assert.equal(session.thread.length, 3, "a foreign message is no part of the thread the members read");

  await team.run({ session });
  // AutoGen: the assistant's context (the image task, the SystemMessage its ListMemory added, its
  // answer), then its buffer (the reviewer's verdict). The events were never sent to a model.
  assert.deepEqual(sentBy(assistant), [
    {
      role: "user",
      content: [
        { type: "text", text: "Is this chart right? Our Q3 revenue was 1.2M." },
        { type: "image", url: `data:image/png;base64,${png}` },
      ],
      source: "user",
    },
    {
      role: "system",
      content: "\nRelevant memory content (in chronological order):\n1. Q3 revenue: 1.2M (finance report, October).\n",
    },
    { role: "assistant", content: "The chart matches the 1.2M figure.", source: "assistant" },
    { role: "user", content: "Verified: 1200000.0", source: "reviewer" },
  ]);
  assert.deepEqual(session.contextOf("reviewer"), [], "a BaseState member has no context");
  assert.deepEqual(session.thread[0]?.type === "multi-modal" ? session.thread[0].content[1] : undefined, {
    type: "image",
    data: png,
    mimeType: "image/png",
  });
});

test("a member whose model reads no images gets <image> in its context, as AutoGen strips them for it", () => {
  const team = new RoundRobinGroupChat({
    participants: [member("assistant", { vision: false }), member("reviewer")],
    maxTurns: 1,
  });
  const session = team.loadState(fixture("handwritten-foreign-events-team-state.json"));
  assert.deepEqual(session.contextOf("assistant")[0], {
    role: "user",
    content: "Is this chart right? Our Q3 revenue was 1.2M.\n<image>",
    source: "user",
  });
});

test("a team member missing from the saved state is refused, as AutoGen's load_state refuses it", () => {
  const team = new RoundRobinGroupChat({ participants: [member("assistant_agent"), member("critic")], maxTurns: 1 });
  assert.throws(
    () => team.loadState(fixture("hm3it-round-robin-team-state.json")),
    (error) =>
      HearthError.is(error, "HEARTH_SESSION_INVALID") &&
      error.message.includes('no state for "critic", a member of team "RoundRobinGroupChat"'),
  );
});

test("a message without created_at takes the time of the one before it (the first dated one's when none is before)", () => {
  const text = (content: string, createdAt?: string) => ({
    source: "user",
    content,
    type: "TextMessage",
    ...(createdAt === undefined ? {} : { created_at: createdAt }),
  });
  const state = {
    type: "TeamState",
    agent_states: {
      solo: { type: "ChatAgentContainerState", agent_state: { type: "AssistantAgentState" }, message_buffer: [] },
      manager: {
        type: "RoundRobinManagerState",
        message_thread: [
          text("a"),
          text("b", "2025-05-01T10:00:00"),
          text("c"),
          text("d", "2025-05-01 10:05:00.250000+02:00"),
          text("e", "not a time"),
        ],
      },
    },
  };
  // In a zone other than UTC, so that a time without a zone read as local time would show.
  const zone = process.env.TZ;
  process.env.TZ = "America/New_York";
  let session: Session;
  try {
    session = new RoundRobinGroupChat({ participants: [member("solo")], maxTurns: 1 }).loadState(state);
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
  assert.deepEqual(
    session.messages.map((message) => message.createdAt),
    [
      "2025-05-01T10:00:00.000Z",
      "2025-05-01T10:00:00.000Z", // a time without a zone is UTC, as AutoGen writes times
      "2025-05-01T10:00:00.000Z",
      "2025-05-01T08:05:00.250Z",
      "2025-05-01T08:05:00.250Z",
    ],
  );
});
