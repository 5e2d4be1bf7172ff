import assert from "node:assert/strict";
import { test } from "node:test";
import type { AgentResponse, AgentTurn, Emit } from "../core/agent.ts";
import { zeroUsage, type AgentMessage } from "../core/messages.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { RoundRobinGroupChat } from "../teams/round-robin-group-chat.ts";
import { defineTool } from "../tools/define-tool.ts";
import { AssistantAgent } from "./assistant-agent.ts";
import { BaseChatAgent, withSession } from "./base-chat-agent.ts";
import { plainRun } from "../core/run-context.ts";
import { makeMessage } from "./runner/make-message.ts";
import { turnFromStream } from "./turn-runner.ts";

/** An agent written the AutoGen way, as a generator, turned into the one primitive by turnFromStream: it echoes what it was told. */
class EchoAgent extends BaseChatAgent {
  readonly name: string;
  readonly description = "Echoes the last message.";

  constructor(name = "echo") {
    super();
    this.name = name;
  }

  override onMessages(turn: AgentTurn, emit: Emit): Promise<AgentResponse> {
    return turnFromStream(this.#steps(turn), emit);
  }

  async *#steps(turn: AgentTurn): AsyncGenerator<AgentMessage, AgentResponse> {
    const heard = turn.newMessages.at(-1);
    const message = makeMessage(this.name, {
      type: "text",
      content: `echo: ${heard?.type === "text" ? heard.content : ""}`,
    });
    yield message;
    turn.commit([message], [{ role: "assistant", content: message.content, source: this.name }]);
    return { message, usage: zeroUsage };
  }
}

/** A tool that waits until its signal fires, and records that it did. */
function waitingTool(seen: { aborted: boolean }) {
  return defineTool({
    name: "wait",
    description: "Waits.",
    parameters: { type: "object", properties: {} },
    execute: (_, { signal }) =>
      new Promise<string>((_resolve, reject) => {
        signal.addEventListener("abort", () => {
          seen.aborted = true;
          reject(signal.reason);
        });
      }),
  });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

test("an agent written as a generator runs through run(), runStream(), onMessagesStream() and a team", async () => {
  const agent = new EchoAgent();
  const result = await agent.run({ task: "hi" });
  assert.deepEqual(
    result.messages.map((message) => (message.type === "text" ? message.content : message.type)),
    ["hi", "echo: hi"],
  );
  const streamed: string[] = [];
  for await (const item of agent.runStream({ task: "again" })) streamed.push(item.type);
  assert.deepEqual(streamed, ["text", "text", "task-result"]);

  const team = new RoundRobinGroupChat({ participants: [new EchoAgent("a"), new EchoAgent("b")], maxTurns: 2 });
  const teamResult = await team.run({ task: "ping" });
  assert.deepEqual(
    teamResult.messages.map((message) => (message.type === "text" ? message.content : message.type)),
    ["ping", "echo: ping", "echo: echo: ping"],
  );
});

test("a reader that stops an agent's turn stream early aborts the turn, which goes no further", async () => {
  const seen = { aborted: false };
  const modelClient = new ScriptedModelClient({
    replies: [{ toolCalls: [{ id: "c1", name: "wait", arguments: {} }] }],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [waitingTool(seen)] });
  const committed: AgentMessage[] = [];
  const turn: AgentTurn = {
    context: [],
    newMessages: [],
    signal: new AbortController().signal,
    run: plainRun,
    commit: (messages) => committed.push(...messages),
  };
  const steps = agent.onMessagesStream(turn);
  const first = await steps.next();
  assert.equal(first.done, false);
  assert.equal((first.value as AgentMessage).type, "tool-call-request");
  await steps.return(undefined as never);
  assert.equal(seen.aborted, true);
  await tick();
  assert.equal(modelClient.requests.length, 1, "no model call after the reader left");
  assert.deepEqual(committed, [], "the unfinished step is not committed");
});

test("a reader that stops a run's stream early aborts the run; the session keeps only complete steps", async () => {
  const seen = { aborted: false };
  const modelClient = new ScriptedModelClient({
    replies: [{ toolCalls: [{ id: "c1", name: "wait", arguments: {} }] }],
  });
  const agent = new AssistantAgent({ name: "helper", modelClient, tools: [waitingTool(seen)] });
  const session = agent.createSession();
  const types: string[] = [];
  for await (const item of agent.runStream({ task: "go", session })) {
    types.push(item.type);
    if (item.type === "tool-call-request") break;
  }
  assert.deepEqual(types, ["text", "tool-call-request"]);
  assert.equal(seen.aborted, true);
  await tick();
  assert.equal(modelClient.requests.length, 1);
  assert.deepEqual(session.messages, []);
});

test("withSession aborts the signal of a run that failed, so its parallel work stops, and leaves a finished run's alone", async () => {
  const session = new EchoAgent().createSession();
  let failedSignal: AbortSignal | undefined;
  await assert.rejects(
    withSession(
      { session },
      () => session,
      async (_session, signal) => {
        failedSignal = signal;
        throw new Error("boom");
      },
    ),
    /boom/,
  );
  assert.equal(failedSignal?.aborted, true);

  let finishedSignal: AbortSignal | undefined;
  const value = await withSession(
    { session },
    () => session,
    async (_session, signal) => {
      finishedSignal = signal;
      return 42;
    },
  );
  assert.equal(value, 42);
  assert.equal(finishedSignal?.aborted, false);

  // The caller's signal still reaches the run, and the session is free for the next run.
  const caller = new AbortController();
  const running = withSession(
    { session, signal: caller.signal },
    () => session,
    (_session, signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
  );
  await new Promise((resolve) => setImmediate(resolve));
  caller.abort(new Error("stop"));
  await assert.rejects(running, /stop/);
  assert.equal(
    await withSession(
      { session },
      () => session,
      async () => "free",
    ),
    "free",
  );
});

test("a session that is not a Session is a clear error; one from another copy of hearth says so", async () => {
  const agent = new EchoAgent();
  const fromJson = { id: "s1", messages: [] } as never;
  await assert.rejects(
    agent.run({ task: "hi", session: fromJson }),
    /`session` must be a Session \(use Session\.fromJSON/,
  );
  // What a second copy of hearth's Session looks like from this copy: same name and shape, another class.
  class Session {
    acquire() {
      return Promise.resolve(() => undefined);
    }
  }
  await assert.rejects(
    agent.run({ task: "hi", session: new Session() as never }),
    /a Session from another copy of hearth/,
  );
});
