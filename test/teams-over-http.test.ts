// Teams end to end against hearth's mock OpenAI-compatible server on loopback.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import {
  AssistantAgent,
  ConnectionPools,
  OpenAIChatCompletionClient,
  SelectorGroupChat,
  Swarm,
  TextMentionTermination,
  type TaskResult,
} from "hearth";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { supportSwarm } from "./support/support-swarm.ts";
import { teamModels } from "./support/team-models.ts";

const run = promisify(execFile);
let mock: MockOpenAIServer;
const pools = new ConnectionPools();
const directory = mkdtempSync(join(tmpdir(), "hearth-teams-"));

before(async () => {
  mock = await startMockOpenAIServer({ respond: teamModels });
});
after(async () => {
  pools.close();
  await mock.close();
  rmSync(directory, { recursive: true, force: true });
});

const client = () =>
  new OpenAIChatCompletionClient({ model: "mock", baseURL: mock.url, apiKey: "k", connectionPools: pools });
const member = (name: string, handoffs: string[] = []) =>
  new AssistantAgent({
    name,
    description: `The ${name}.`,
    modelClient: client(),
    systemMessage: `You are ${name}.`,
    handoffs,
  });
const said = (result: TaskResult) => result.messages.map((message) => `${message.source}:${message.type}`);

test("a three-agent SelectorGroupChat runs end to end over HTTP", async () => {
  const team = new SelectorGroupChat({
    participants: [member("planner"), member("coder"), member("reviewer")],
    modelClient: client(),
    termination: new TextMentionTermination("APPROVE"),
    maxTurns: 6,
  });
  mock.requests.length = 0;
  const result = await team.run({ task: "Write an add function." });
  assert.deepEqual(said(result), ["user:text", "planner:text", "coder:text", "reviewer:text"]);
  assert.equal(result.stopReason, "Text 'APPROVE' mentioned");
  assert.equal(mock.requests.length, 6, "three selections and three replies");
  const reviewerRequest = mock.requests.find((request) => request.body?.messages[0]?.content === "You are reviewer.");
  assert.deepEqual(
    reviewerRequest?.body?.messages.slice(1).map((message) => message.content),
    ["Write an add function.", "Plan: write add(a, b) and test it.", "Code: const add = (a, b) => a + b;"],
  );
});

test("a two-agent Swarm hands off over HTTP, streaming or not", async () => {
  for (const stream of [false, true]) {
    const billing = new AssistantAgent({
      name: "billing",
      modelClient: client(),
      systemMessage: "You are billing.",
      handoffs: ["triage"],
      modelClientStream: stream,
    });
    const team = new Swarm({
      participants: [member("triage", ["billing"]), billing],
      termination: new TextMentionTermination("TERMINATE"),
    });
    const deltas: string[] = [];
    let result: TaskResult | undefined;
    for await (const item of team.runStream({ task: "I was charged twice." })) {
      if (item.type === "message-delta") deltas.push(item.content);
      if (item.type === "task-result") result = item;
    }
    assert.ok(result !== undefined);
    assert.deepEqual(said(result), [
      "user:text",
      "triage:tool-call-request",
      "triage:tool-call-execution",
      "triage:handoff",
      "billing:text",
    ]);
    assert.equal(deltas.join(""), stream ? "Your refund of 40 EUR is issued. TERMINATE" : "");
  }
});

test("a session handed off to the user resumes in a fresh process from its saved JSON", async () => {
  const team = supportSwarm(mock.url, pools);
  const session = team.createSession();
  const asked = await team.run({ task: "I moved, please change my address.", session });
  assert.equal(asked.stopReason, "Handoff to user from support detected.");
  const file = join(directory, "session.json");
  writeFileSync(file, JSON.stringify(team.saveState(session)));

  const child = new URL("./support/resume-support-swarm.ts", import.meta.url).pathname;
  const { stdout } = await run(
    process.execPath,
    ["--conditions=@hearth/source", child, file, mock.url, "5 Elm Street"],
    {
      timeout: 30_000,
    },
  );
  const { result, session: resumed } = JSON.parse(stdout) as {
    result: TaskResult;
    session: { messages: { source: string; type: string }[] };
  };
  assert.deepEqual(said(result), ["user:text", "support:text"]);
  const reply = result.messages.at(-1);
  assert.equal(reply?.type === "text" ? reply.content : "", "Updated your address to: 5 Elm Street. TERMINATE");
  assert.equal(resumed.messages.length, session.messages.length + 2, "the resumed session continues the saved one");
});
