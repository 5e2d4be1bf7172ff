// AssistantAgent.loadState on the JSON AutoGen's AssistantAgent.save_state() writes, as people saved
// it (fixtures/autogen-state/, sources in its README). Each test pins the model request hearth makes
// after loading and says what AutoGen would send from the same state, reasoned from its code:
// AssistantAgent sends `system_messages + model_context.get_messages()` (_assistant_agent.py,
// `_call_llm`), and its OpenAI client turns each LLM message into a chat message
// (autogen_ext/models/openai/_message_transform.py). hearth's OpenAI wire format leaves out the
// `name` field AutoGen adds to user and assistant messages; everything else is compared as is.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import type { ModelMessage } from "../core/model-client.ts";
import { toWireRequest } from "../models/openai/wire-request.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { AssistantAgent } from "./assistant-agent.ts";
import { UserProxyAgent } from "./user-proxy-agent.ts";

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/autogen-state/${name}`, import.meta.url), "utf8"));

const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

function agentNamed(name: string, options: { systemMessage?: string | null; vision?: boolean } = {}) {
  const modelClient = new ScriptedModelClient({ replies: ["ok"], modelInfo: { vision: options.vision ?? true } });
  return {
    modelClient,
    agent: new AssistantAgent({ name, modelClient, systemMessage: options.systemMessage ?? null }),
  };
}

/** Loads `state`, runs `task`, and returns the one request the agent's model received. */
async function firstRequest(
  name: string,
  state: unknown,
  task: string,
  options: { systemMessage?: string | null; vision?: boolean } = {},
) {
  const { agent, modelClient } = agentNamed(name, options);
  await agent.run({ task, session: agent.loadState(state) });
  assert.equal(modelClient.requests.length, 1);
  return modelClient.requests[0]?.messages as readonly ModelMessage[];
}

const wireMessages = (messages: readonly ModelMessage[]) =>
  toWireRequest({ messages }, { model: "gpt-4o", stream: false }).messages as readonly Record<string, unknown>[];

/** A model message's text, for one that has text. */
const textOf = (message: ModelMessage | undefined) =>
  message !== undefined && "content" in message ? String(message.content) : "";

test("the state AutoGen's state tutorial prints (llm_messages, from 0.4's previews) loads its history", async () => {
  // AutoGen 0.4.0.dev wrote the context as `llm_messages` and read it back: the tutorial's new agent
  // then answered from the loaded poem. (AutoGen 0.7 itself would ignore the field and load nothing.)
  const sent = await firstRequest(
    "assistant_agent",
    fixture("autogen-tutorial-agent-state.json"),
    "What was the last line of the previous poem you wrote",
    { systemMessage: "You are a helpful assistant" },
  );
  assert.deepEqual(sent, [
    { role: "system", content: "You are a helpful assistant" },
    { role: "user", content: "Write a 3 line poem on lake tangayika", source: "user" },
    {
      role: "assistant",
      content:
        "In Tanganyika's embrace so wide and deep,  \nAncient waters cradle secrets they keep,  \nEchoes of time where horizons sleep.  ",
      source: "assistant_agent",
    },
    { role: "user", content: "What was the last line of the previous poem you wrote", source: "user" },
  ]);
});

test("AutoGen 0.4's llm_context (no `thought` field) loads as the conversation AutoGen would continue", async () => {
  const sent = await firstRequest("assistant", fixture("shivank22-assistant-state.json"), "What is my name?");
  assert.deepEqual(sent, [
    { role: "user", content: "Hello, Wassup?", source: "user" },
    {
      role: "assistant",
      content:
        "Hello! I'm here to help you with any questions or topics you'd like to discuss. What\u2019s on your mind?",
      source: "assistant",
    },
    { role: "user", content: "Hello, My Name is Shivank", source: "user" },
    { role: "assistant", content: "Nice to meet you, Shivank! How can I assist you today?", source: "assistant" },
    { role: "user", content: "What is my name?", source: "user" },
  ]);
});

test("AutoGen 0.5+ states (`thought: null`) load every turn, in order, with nothing added", async () => {
  const cases = [
    ["kumardeepankar-agent-state.json", ["hi", "How can I assist you today?", "I need to book flight", "I'd be happy"]],
    ["hm3it-agent-state.json", ["How it's going?", "I'm doing great", "How it's going?", "It's business"]],
    ["3cloud-agent-state.json", ["hello", "Hello! \u{1F60A} How", "how to calculate the 20th fib", "The Fibonacci"]],
  ] as const;
  for (const [file, starts] of cases) {
    const sent = await firstRequest("assistant", fixture(file), "Thanks!");
    const turns = sent.length - 1;
    assert.ok(turns >= 4, file);
    // User and assistant alternate, as the file has them; the new task comes last.
    sent.forEach((message, index) => {
      assert.equal(message.role, index % 2 === 0 ? "user" : "assistant", `${file} [${index}]`);
      assert.equal((message as { source?: string }).source, index % 2 === 0 ? "user" : "assistant");
      assert.equal("thought" in message, false, "a null thought is no thought");
    });
    for (const [index, start] of starts.entries())
      assert.ok(textOf(sent[index]).startsWith(start), `${file} [${index}]`);
    assert.deepEqual(sent.at(-1), { role: "user", content: "Thanks!", source: "user" });
  }
});

test("a thought beside tool calls is sent as that message's text, and a memory's system message stays in place", async () => {
  const sent = await firstRequest(
    "assistant",
    fixture("handwritten-thought-memory-agent-state.json"),
    "And tomorrow?",
    { systemMessage: "You are a weather assistant." },
  );
  assert.deepEqual(sent, [
    { role: "system", content: "You are a weather assistant." },
    { role: "user", content: "What's the weather in Paris?", source: "user" },
    {
      role: "system",
      content: "\nRelevant memory content (in chronological order):\n1. The user prefers metric units.\n",
    },
    {
      role: "assistant",
      content: "The user prefers metric units, so I will ask for Celsius.",
      toolCalls: [{ id: "call_p1", name: "get_weather", arguments: '{"city":"Paris","units":"metric"}' }],
      source: "assistant",
    },
    {
      role: "tool",
      results: [{ callId: "call_p1", name: "get_weather", content: "Paris: 18 °C, light rain.", isError: false }],
    },
    { role: "assistant", content: "It is 18 °C in Paris, with light rain.", source: "assistant" },
    { role: "user", content: "And tomorrow?", source: "user" },
  ]);
  // On the wire: AutoGen's "thought" transformer sends `content: thought` with the tool calls
  // (_set_thought_as_content), and the memory's SystemMessage goes where ListMemory put it.
  assert.deepEqual(wireMessages(sent).slice(2, 4), [
    {
      role: "system",
      content: "\nRelevant memory content (in chronological order):\n1. The user prefers metric units.\n",
    },
    {
      role: "assistant",
      content: "The user prefers metric units, so I will ask for Celsius.",
      tool_calls: [
        {
          id: "call_p1",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Paris","units":"metric"}' },
        },
      ],
    },
  ]);
});

test("tool calls without a thought go out with no text, as AutoGen's OpenAI client sends them", async () => {
  const state = {
    type: "AssistantAgentState",
    version: "1.0.0",
    llm_context: {
      messages: [
        { content: "Weather?", source: "user", type: "UserMessage" },
        {
          content: [{ id: "call_1", arguments: "{}", name: "get_weather" }],
          thought: null,
          source: "assistant",
          type: "AssistantMessage",
        },
        {
          content: [{ content: "Sunny", name: "get_weather", call_id: "call_1", is_error: null }],
          type: "FunctionExecutionResultMessage",
        },
      ],
    },
  };
  const sent = await firstRequest("assistant", state, "Thanks");
  // AutoGen's "tools" transformer: content None (_set_null_content_for_tool_calls).
  assert.deepEqual(wireMessages(sent)[1], {
    role: "assistant",
    content: null,
    tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } }],
  });
  assert.deepEqual(sent[2], {
    role: "tool",
    results: [{ callId: "call_1", name: "get_weather", content: "Sunny", isError: false }],
  });
});

test("an image in a UserMessage reaches a vision model as an image, and a model without vision as <image>", async () => {
  const state = fixture("handwritten-image-agent-state.json");
  const seeing = await firstRequest("assistant", state, "And its colour?", { vision: true });
  assert.deepEqual(seeing[0], {
    role: "user",
    content: [
      { type: "text", text: "What is in this picture?" },
      { type: "image", url: `data:image/png;base64,${png}` },
    ],
    source: "user",
  });
  // AutoGen's Image.to_openai_format (with `detail: "auto"`, which hearth leaves to the provider's default).
  assert.deepEqual(wireMessages(seeing)[0], {
    role: "user",
    content: [
      { type: "text", text: "What is in this picture?" },
      { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
    ],
  });
  // AutoGen's AssistantAgent strips images for a model without vision (remove_images, content_to_str).
  const blind = await firstRequest("assistant", state, "And its colour?", { vision: false });
  assert.deepEqual(blind[0], { role: "user", content: "What is in this picture?\n<image>", source: "user" });
});

test("an image that is not AutoGen's {data: base64} is an invalid session, not a silent placeholder", () => {
  const { agent } = agentNamed("assistant");
  for (const image of [{ url: "https://example.com/a.png" }, { data: "%%%%" }]) {
    const state = {
      type: "AssistantAgentState",
      llm_context: { messages: [{ content: ["look", image], source: "user", type: "UserMessage" }] },
    };
    assert.throws(
      () => agent.loadState(state),
      (error) =>
        HearthError.is(error, "HEARTH_SESSION_INVALID") &&
        /llm_context\.messages\[0\]\.content\[1\]/.test(error.message),
    );
  }
});

test("AutoGen's BaseState (what its UserProxyAgent saves) loads as an empty session", async () => {
  const person = new UserProxyAgent({ name: "user", inputFunc: () => "hello" });
  const session = person.loadState({ type: "BaseState", version: "1.0.0" });
  assert.deepEqual(session.contextOf("user"), []);
  assert.deepEqual(session.messages, []);
});
