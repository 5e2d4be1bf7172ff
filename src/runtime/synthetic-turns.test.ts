import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { SocietyOfMindAgent } from "../agents/society-of-mind-agent.ts";
import type { AgentMessage } from "../core/messages.ts";
import type { ModelClient } from "../core/model-client.ts";
import { syntheticRun } from "../core/run-context.ts";
import type { Tool } from "../core/tool.ts";
import { RoundRobinGroupChat } from "../teams/round-robin-group-chat.ts";
import { MaxMessageTermination, TextMentionTermination } from "../teams/termination.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { defineApp } from "./app.ts";
import { createRuntime, type RuntimeOptions } from "./runtime.ts";

const quiet: RuntimeOptions = { log: () => undefined, closeConnectionPools: false, dev: false };
const said = (messages: readonly AgentMessage[]) => messages.map((message) => `${message.source}:${message.type}`);

/** A tool that records each argument check: a synthetic turn checks the stub's call, and never runs it. */
function recordingTool(checked: string[], executed: string[]): Tool<{ id: string }> {
  return {
    name: "lookup",
    description: "Looks something up.",
    parameters: { type: "object", properties: { id: { type: "string" } } },
    strict: false,
    timeoutMs: 1_000,
    checkArguments: (value) => {
      checked.push(JSON.stringify(value));
      return { ok: true, value: value as { id: string } };
    },
    execute: ({ id }) => executed.push(id),
  };
}

/**
 * A writers' team (until one says DONE) in a round-robin with a critic (until APPROVE). The stub's
 * "ok" never meets either condition: the bound of 10 messages only shows a run that went on.
 */
function crew(modelClient: ModelClient, tools: Tool<{ id: string }>[] = []) {
  const writers = new RoundRobinGroupChat({
    name: "writers",
    participants: [
      new AssistantAgent({ name: "drafter", modelClient, tools }),
      new AssistantAgent({ name: "editor", modelClient }),
    ],
    termination: new TextMentionTermination("DONE").or(new MaxMessageTermination(10)),
  });
  return new RoundRobinGroupChat({
    name: "crew",
    participants: [writers, new AssistantAgent({ name: "critic", modelClient })],
    termination: new TextMentionTermination("APPROVE").or(new MaxMessageTermination(10)),
  });
}

test("a team with a team among its members takes its synthetic turn, through the inner team's agent", async () => {
  const scripted = new ScriptedModelClient();
  const checked: string[] = [];
  const executed: string[] = [];
  const app = defineApp({
    name: "nested-warm",
    models: { main: () => scripted },
    teams: { crew: ({ models }) => crew(models.main, [recordingTool(checked, executed)]) },
  });
  const runtime = createRuntime(app, quiet);
  await runtime.start();
  try {
    const step = runtime.startupTrace().steps.find((item) => item.kind === "synthetic" && item.name === "team:crew");
    assert.equal(step?.status, "ok");
    assert.deepEqual(checked, ["{}"], "the inner drafter's tool loop ran on the stub's call");
    assert.deepEqual(executed, [], "the tool itself was not called");
    assert.equal(scripted.requests.length, 0, "the stub answered, not the model client");
  } finally {
    await runtime.close();
  }
});

test("a team or a SocietyOfMindAgent with an agent on a client the runtime did not build, at any depth, takes no synthetic turn", async () => {
  const own = new ScriptedModelClient();
  const app = defineApp({
    name: "nested-unmanaged",
    models: { main: () => new ScriptedModelClient() },
    agents: {
      society: ({ models }) =>
        new SocietyOfMindAgent({
          name: "society",
          modelClient: models.main,
          team: new RoundRobinGroupChat({
            participants: [new AssistantAgent({ name: "writer", modelClient: own })],
            maxTurns: 1,
          }),
        }),
    },
    teams: {
      crew: ({ models }) => {
        const inner = new RoundRobinGroupChat({
          name: "inner",
          participants: [new AssistantAgent({ name: "drafter", modelClient: own })],
          maxTurns: 1,
        });
        return new RoundRobinGroupChat({
          participants: [inner, new AssistantAgent({ name: "critic", modelClient: models.main })],
          maxTurns: 2,
        });
      },
    },
  });
  const runtime = createRuntime(app, quiet);
  await runtime.start();
  try {
    assert.deepEqual(
      runtime
        .startupTrace()
        .steps.filter((step) => step.kind === "synthetic")
        .map((step) => step.name),
      [],
    );
    assert.equal(own.requests.length, 0);
  } finally {
    await runtime.close();
  }
});

test("a synthetic run of a team whose condition the stub never meets takes one turn, and a team member one of its own", async () => {
  const stub = new ScriptedModelClient();
  const flat = new RoundRobinGroupChat({
    participants: [
      new AssistantAgent({ name: "a", modelClient: stub }),
      new AssistantAgent({ name: "b", modelClient: stub }),
    ],
    termination: new TextMentionTermination("DONE").or(new MaxMessageTermination(10)),
  });
  const result = await flat.run({ task: "warm up", run: syntheticRun });
  assert.deepEqual(said(result.messages), ["user:text", "a:text"]);
  assert.equal(result.stopReason, "Maximum number of turns 1 reached.");

  const nested = await crew(stub).run({ task: "warm up", run: syntheticRun });
  assert.deepEqual(said(nested.messages), ["user:text", "drafter:text"]);
  assert.equal(stub.requests.length, 0);
});
