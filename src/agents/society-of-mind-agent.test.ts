import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import type { AgentMessage, TaskResult } from "../core/messages.ts";
import type { ModelMessage, ModelRequest } from "../core/model-client.ts";
import { syntheticRun } from "../core/run-context.ts";
import { ScriptedModelClient, type ScriptedReply } from "../testing/scripted-model-client.ts";
import { RoundRobinGroupChat } from "../teams/round-robin-group-chat.ts";
import { MaxMessageTermination, TextMentionTermination } from "../teams/termination.ts";
import { defineTool } from "../tools/define-tool.ts";
import { AssistantAgent } from "./assistant-agent.ts";
import { bufferedContext } from "./model-context.ts";
import {
  defaultSocietyOfMindInstruction,
  defaultSocietyOfMindResponsePrompt,
  SocietyOfMindAgent,
} from "./society-of-mind-agent.ts";

const agent = (
  name: string,
  replies: ScriptedReply[],
  extra: Partial<ConstructorParameters<typeof AssistantAgent>[0]> = {},
) =>
  new AssistantAgent({
    name,
    modelClient: new ScriptedModelClient({ replies }),
    systemMessage: `You are ${name}.`,
    ...extra,
  });
const said = (messages: readonly AgentMessage[]) =>
  messages.map((message) => `${message.source}:${message.type === "text" ? message.content : message.type}`);
const seen = (request: ModelRequest | undefined) =>
  (request?.messages ?? []).flatMap((message: ModelMessage) => {
    if (message.role === "system") return [];
    if (message.role === "tool") return ["tool"];
    return [`${message.role}(${message.source ?? ""}): ${String(message.content)}`];
  });
const requestsOf = (member: unknown) => (member as { modelClient: ScriptedModelClient }).modelClient.requests;

/** A writer and an editor, until the editor says APPROVE. */
function innerTeam(writer: ScriptedReply[], editor: ScriptedReply[]) {
  return new RoundRobinGroupChat({
    name: "inner",
    participants: [agent("writer", writer), agent("editor", editor)],
    termination: new TextMentionTermination("APPROVE"),
  });
}

test("in a team: the inner team works on the new messages, the model answers from its transcript, and only the answer joins the thread", async () => {
  const inner = innerTeam(["Once, a lamp..."], ["APPROVE"]);
  const society = new SocietyOfMindAgent({
    name: "society",
    team: inner,
    modelClient: new ScriptedModelClient({ replies: ["A lamp's story."] }),
  });
  const translator = agent("translator", ["La historia de una lámpara."]);
  const team = new RoundRobinGroupChat({ participants: [society, translator], maxTurns: 2 });
  const session = team.createSession();
  const streamed: string[] = [];
  let result: TaskResult | undefined;
  for await (const item of team.runStream({ task: "Write a story.", session })) {
    if (item.type === "task-result") result = item;
    else streamed.push(`${item.source}:${item.type}`);
  }
  const shown = [
    "user:Write a story.",
    "writer:Once, a lamp...",
    "editor:APPROVE",
    "society:A lamp's story.",
    "translator:La historia de una lámpara.",
  ];
  // As AutoGen yields them: the inner team's messages, then the agent's answer.
  assert.deepEqual(said(result?.messages ?? []), shown);
  assert.deepEqual(streamed, ["user:text", "writer:text", "editor:text", "society:text", "translator:text"]);
  assert.deepEqual(
    said(session.messages),
    ["user:Write a story.", "society:A lamp's story.", "translator:La historia de una lámpara."],
    "the inner team's messages are not stored: it starts afresh each turn",
  );
  assert.deepEqual(result?.usage, { promptTokens: 40, completionTokens: 20 }, "the inner team's calls count");
  assert.deepEqual(seen(requestsOf(society)[0]), [
    `user(user): ${defaultSocietyOfMindInstruction}`,
    "user(writer): Once, a lamp...",
    "user(editor): APPROVE",
    `user(user): ${defaultSocietyOfMindResponsePrompt}`,
  ]);
  assert.deepEqual(seen(requestsOf(inner.participants[0])[0]), ["user(user): Write a story."]);
  // The translator reads the answer, not the inner discussion.
  assert.deepEqual(seen(requestsOf(translator)[0]), ["user(user): Write a story.", "user(society): A lamp's story."]);
  assert.equal(session.toJSON().version, 2, "no inner state is kept");
});

test("each turn's inner team starts afresh, given what the agent received before after AutoGen's marker", async () => {
  const inner = innerTeam(["Draft one.", "Draft two."], ["APPROVE", "APPROVE"]);
  const society = new SocietyOfMindAgent({
    name: "society",
    team: inner,
    modelClient: new ScriptedModelClient({ replies: ["Story one.", "Story two."] }),
    instruction: "Here is what your team said:",
    responsePrompt: "Answer the request.",
  });
  const critic = agent("critic", ["Make it sadder."]);
  const team = new RoundRobinGroupChat({ participants: [society, critic], maxTurns: 3 });
  const session = team.createSession();
  const result = await team.run({ task: "Write a story.", session });
  assert.deepEqual(said(result.messages).slice(-4), [
    "critic:Make it sadder.",
    "writer:Draft two.",
    "editor:APPROVE",
    "society:Story two.",
  ]);
  // The writer's second turn knows nothing of its first: only the earlier messages, the marker and the new one.
  assert.deepEqual(seen(requestsOf(inner.participants[0])[1]), [
    "user(user): Write a story.",
    "user(society): relevant previous messages",
    "user(critic): Make it sadder.",
  ]);
  assert.deepEqual(seen(requestsOf(society)[1]), [
    "user(user): Here is what your team said:",
    "user(writer): Draft two.",
    "user(editor): APPROVE",
    "user(user): Answer the request.",
  ]);
  // What the agent keeps is what it received, not its answers, as in AutoGen.
  assert.deepEqual(
    session.contextOf("society").map((message) => (message.role === "user" ? message.source : message.role)),
    ["user", "critic"],
  );
});

test("modelContext limits what of the earlier messages the inner team is given", async () => {
  const inner = innerTeam(["d1", "d2", "d3"], ["APPROVE", "APPROVE", "APPROVE"]);
  const society = new SocietyOfMindAgent({
    name: "society",
    team: inner,
    modelClient: new ScriptedModelClient({ replies: ["s1", "s2", "s3"] }),
    modelContext: bufferedContext(1),
  });
  const team = new RoundRobinGroupChat({
    participants: [society, agent("critic", ["c1", "c2"])],
    maxTurns: 5,
  });
  await team.run({ task: "go" });
  assert.deepEqual(seen(requestsOf(inner.participants[0])[2]), [
    "user(critic): c1",
    "user(society): relevant previous messages",
    "user(critic): c2",
  ]);
});

test("run alone: the result shows the inner team's messages, the session keeps the task and the answer", async () => {
  const society = new SocietyOfMindAgent({
    name: "society",
    team: innerTeam(["A draft."], ["APPROVE"]),
    modelClient: new ScriptedModelClient({ replies: ["The answer."] }),
  });
  const session = society.createSession();
  const result = await society.run({ task: "Answer me.", session });
  assert.deepEqual(said(result.messages), [
    "user:Answer me.",
    "writer:A draft.",
    "editor:APPROVE",
    "society:The answer.",
  ]);
  assert.equal(result.stopReason, "text");
  assert.deepEqual(said(session.messages), ["user:Answer me.", "society:The answer."]);
  assert.deepEqual(result.usage, { promptTokens: 30, completionTokens: 15 });
});

test("an inner team that says nothing gets 'No response.' without a model call", async () => {
  const modelClient = new ScriptedModelClient({ replies: [] });
  const society = new SocietyOfMindAgent({
    name: "society",
    team: new RoundRobinGroupChat({ participants: [agent("writer", [])], termination: new MaxMessageTermination(1) }),
    modelClient,
  });
  const result = await society.run({ task: "anything" });
  assert.deepEqual(said(result.messages), ["user:anything", "society:No response."]);
  assert.equal(modelClient.requests.length, 0);
});

test("one agent serves concurrent sessions: each turn's inner team runs on its own session", async () => {
  const echo = (name: string) => async (request: ModelRequest) => {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
    return `${name}: ${[...new Set(JSON.stringify(request.messages).match(/session-\d+/g))].join(",")}`;
  };
  const society = new SocietyOfMindAgent({
    name: "society",
    team: new RoundRobinGroupChat({
      participants: [
        agent(
          "writer",
          Array.from({ length: 10 }, () => echo("writer")),
        ),
      ],
      maxTurns: 1,
    }),
    modelClient: new ScriptedModelClient({ replies: Array.from({ length: 10 }, () => echo("society")) }),
  });
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, index) => society.run({ task: `I am session-${index}` })),
  );
  results.forEach((result, index) => {
    assert.deepEqual(said(result.messages).slice(1), [
      `writer:writer: session-${index}`,
      `society:society: session-${index}`,
    ]);
  });
});

test("a call waiting for approval inside the inner team is refused: nothing could resume it", async () => {
  const refund = defineTool({
    name: "refund",
    description: "Refund an order.",
    parameters: { type: "object", properties: {} },
    needsApproval: true,
    execute: () => "refunded",
  });
  const society = new SocietyOfMindAgent({
    name: "society",
    team: new RoundRobinGroupChat({
      participants: [agent("billing", [{ toolCalls: [{ name: "refund", arguments: {} }] }], { tools: [refund] })],
      maxTurns: 1,
    }),
    modelClient: new ScriptedModelClient({ replies: [] }),
  });
  const session = society.createSession();
  await assert.rejects(
    society.run({ task: "Refund it.", session }),
    (error) =>
      HearthError.is(error, "HEARTH_CONFIG_INVALID") &&
      error.field === "team" &&
      /refund.*approval/.test(error.message),
  );
  assert.deepEqual(session.messages, []);
});

test("bad options fail at construction, naming the option", () => {
  const modelClient = new ScriptedModelClient();
  const team = innerTeam([], []);
  for (const [options, field] of [
    [{ name: "s", team: agent("lonely", []), modelClient }, "team"],
    [{ name: "s", team }, "modelClient"],
    [{ name: "s", team, modelClient, instruction: 3 }, "instruction"],
    [{ name: "s", team, modelClient, modelContext: {} }, "modelContext"],
    [{ name: "not valid", team, modelClient }, "name"],
    [{ name: "s", team, modelClient, response_prompt: "x" }, "response_prompt"],
  ] as const) {
    assert.throws(
      () => new SocietyOfMindAgent(options as never),
      (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === field,
      field,
    );
  }
  assert.ok(Object.isFrozen(new SocietyOfMindAgent({ name: "s", team, modelClient })));
});

test("a synthetic warm-up turn ends: the inner team, whose condition the stub never meets, takes one turn", async () => {
  // The bound of 10 messages only keeps a regression from running forever: the stub never says APPROVE.
  const inner = new RoundRobinGroupChat({
    name: "inner",
    participants: [agent("writer", []), agent("editor", [])],
    termination: new TextMentionTermination("APPROVE").or(new MaxMessageTermination(10)),
  });
  const society = new SocietyOfMindAgent({ name: "society", team: inner, modelClient: new ScriptedModelClient() });
  const result = await society.run({ task: "warm up", run: syntheticRun });
  assert.deepEqual(said(result.messages), ["user:warm up", "writer:ok", "society:ok"]);
  assert.equal(requestsOf(inner.participants[0]).length, 0, "no model was called");
});
