import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { RoundRobinGroupChat } from "../teams/round-robin-group-chat.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { HearthError } from "./errors.ts";
import { checkMultiModal, defaultImageLimits, type MultiModalContent } from "./images.ts";
import { chatMessageText } from "./messages.ts";
import { Session } from "./session.ts";

const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const task: MultiModalContent = [
  "What lamp is this?",
  { type: "image", url: "https://images.example.com/lamp.jpg" },
  { type: "image", data: png, mimeType: "image/png" },
];
const parts = [
  { type: "text", text: "What lamp is this?" },
  { type: "image", url: "https://images.example.com/lamp.jpg" },
  { type: "image", url: `data:image/png;base64,${png}` },
];
const seeing = () =>
  new ScriptedModelClient({ modelInfo: { vision: true }, replies: ["A brass lamp.", "Still brass."] });
const field = (name: string) => (error: unknown) =>
  HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === name;

test("run() takes AutoGen's multimodal content: the task is a multi-modal message and the model sees text and image parts", async () => {
  const modelClient = seeing();
  const agent = new AssistantAgent({ name: "seer", modelClient, systemMessage: null });
  const session = agent.createSession();
  const result = await agent.run({ task, session });
  assert.equal(result.messages[0]?.type, "multi-modal");
  assert.deepEqual(result.messages[0]?.type === "multi-modal" ? result.messages[0].content : [], task);
  assert.deepEqual(modelClient.requests[0]?.messages, [{ role: "user", content: parts, source: "user" }]);
  assert.equal(chatMessageText(result.messages[0] as never), "What lamp is this?\n[image]\n[image]");

  // Stored as given (the URL by reference, the data inline), and shown again after a round trip through JSON.
  const restored = Session.fromJSON(JSON.parse(JSON.stringify(session.snapshot())));
  await agent.run({ task: "And now?", session: restored });
  assert.deepEqual(modelClient.requests[1]?.messages[0], { role: "user", content: parts, source: "user" });
});

test("a team takes a multimodal task: the members that speak see its images", async () => {
  const modelClient = seeing();
  const team = new RoundRobinGroupChat({
    participants: [new AssistantAgent({ name: "seer", modelClient, systemMessage: null })],
    maxTurns: 1,
  });
  const result = await team.run({ task });
  assert.equal(result.messages[0]?.type, "multi-modal");
  assert.deepEqual(modelClient.requests[0]?.messages[0], { role: "user", content: parts, source: "user" });
});

test("an agent whose model does not read images refuses a task with one, before any model call, storing nothing", async () => {
  const modelClient = new ScriptedModelClient({ replies: ["no"] });
  const agent = new AssistantAgent({ name: "blind", modelClient });
  const session = agent.createSession();
  await assert.rejects(
    agent.run({ task, session }),
    (error) => HearthError.is(error, "HEARTH_INVALID_REQUEST") && /modelInfo\.vision is false/.test(error.message),
  );
  assert.equal(modelClient.requests.length, 0);
  assert.equal(session.messages.length, 0);
  // Text alone in the multimodal shape is fine.
  assert.equal((await agent.run({ task: ["just text"] })).messages.at(-1)?.type, "text");
});

test("a team with a member that does not read images refuses an image task before any member's model call", async () => {
  const seer = new AssistantAgent({ name: "seer", modelClient: seeing() });
  const writerModel = new ScriptedModelClient({ replies: ["no"] });
  const writer = new AssistantAgent({ name: "writer", modelClient: writerModel });
  const team = new RoundRobinGroupChat({ participants: [seer, writer], maxTurns: 2 });
  await assert.rejects(
    team.run({ task }),
    (error) => HearthError.is(error, "HEARTH_INVALID_REQUEST") && /"writer"/.test(error.message),
  );
  assert.equal((seer.modelClient as ScriptedModelClient).requests.length, 0);
  assert.equal(writerModel.requests.length, 0);
});

test("a bad multimodal task is a UserError naming the part", async () => {
  const agent = new AssistantAgent({ name: "seer", modelClient: seeing() });
  const cases: [unknown, string][] = [
    [[], "task"],
    [[" "], "task"],
    [[{ type: "video", url: "https://x.example/v.mp4" }], "task[0]"],
    [[{ type: "image", url: "ftp://x.example/a.png" }], "task[0].url"],
    [[{ type: "image", url: `data:image/png;base64,${png}` }], "task[0].url"],
    [[{ type: "image", data: png, mimeType: "text/plain" }], "task[0]"],
    [[{ type: "image", data: "not base64!", mimeType: "image/png" }], "task[0]"],
    [[{ type: "image", data: png }], "task[0]"],
    [Array.from({ length: 9 }, () => ({ type: "image", url: "https://x.example/a.png" })), "task"],
    [42, "task"],
  ];
  for (const [value, name] of cases)
    await assert.rejects(agent.run({ task: value as MultiModalContent }), field(name), JSON.stringify(value));
});

test("limits: image count, decoded bytes and URL length", () => {
  const limits = { ...defaultImageLimits, maxImages: 1, maxImageBytes: 60, maxImageUrlLength: 30 };
  assert.throws(
    () => checkMultiModal([{ type: "image", data: png, mimeType: "image/png" }], "task", limits),
    field("task[0]"),
  );
  assert.throws(
    () => checkMultiModal([{ type: "image", url: "https://images.example.com/a-long-name.png" }], "task", limits),
    field("task[0].url"),
  );
  assert.throws(
    () =>
      checkMultiModal(
        [
          { type: "image", url: "https://x.example/a.png" },
          { type: "image", url: "https://x.example/b.png" },
        ],
        "task",
        limits,
      ),
    field("task"),
  );
  assert.deepEqual(checkMultiModal(["hi", { type: "image", url: "https://x.example/a.png" }], "task", limits), [
    "hi",
    { type: "image", url: "https://x.example/a.png" },
  ]);
});

test("the task stored and sent is the checked copy: a MIME type in capitals is sent lower-cased", async () => {
  const modelClient = new ScriptedModelClient({ replies: ["A dot."], modelInfo: { vision: true } });
  const agent = new AssistantAgent({ name: "seer", modelClient });
  const task: MultiModalContent = ["What is this?", { type: "image", data: png, mimeType: "image/PNG" }];
  const result = await agent.run({ task });
  const stored = result.messages[0] as { content: readonly unknown[] };
  assert.notEqual(stored.content, task, "a copy, not the caller's array");
  assert.deepEqual(stored.content[1], { type: "image", data: png, mimeType: "image/png" });
});
