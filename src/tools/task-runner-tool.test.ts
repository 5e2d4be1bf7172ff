import { plainRun } from "../core/run-context.ts";
import assert from "node:assert/strict";
import { test } from "node:test";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { HearthError } from "../core/errors.ts";
import { RoundRobinGroupChat } from "../teams/round-robin-group-chat.ts";
import { ScriptedModelClient, type ScriptedReply } from "../testing/scripted-model-client.ts";
import { defineTool } from "./define-tool.ts";
import { AgentTool, TeamTool } from "./task-runner-tool.ts";

test("an agent calls another agent as a tool; each call runs in a fresh session", async () => {
  const writerClient = new ScriptedModelClient({ replies: ["A haiku about rain.", "A haiku about sun."] });
  const writer = new AssistantAgent({ name: "writer", description: "Writes haiku.", modelClient: writerClient });
  const tool = new AgentTool(writer);
  assert.equal(tool.name, "writer");
  assert.equal(tool.description, "Writes haiku.");
  assert.deepEqual(tool.parameters.required, ["task"]);
  const lead = new AssistantAgent({
    name: "lead",
    modelClient: new ScriptedModelClient({
      replies: [
        {
          toolCalls: [
            { name: "writer", arguments: { task: "rain" } },
            { name: "writer", arguments: { task: "sun" } },
          ],
        },
      ],
    }),
    tools: [tool],
  });
  const result = await lead.run({ task: "Two haiku." });
  const summary = result.messages.at(-1);
  assert.equal(summary?.type === "tool-call-summary" ? summary.content : "", "A haiku about rain.\nA haiku about sun.");
  assert.ok(
    writerClient.requests.every(
      (request) => request.messages.filter((message) => message.role === "user").length === 1,
    ),
  );
});

test("a team as a tool returns its final message; bad arguments are an error result", async () => {
  const team = new RoundRobinGroupChat({
    name: "review_team",
    participants: [
      new AssistantAgent({ name: "a", modelClient: new ScriptedModelClient({ replies: ["draft"] }) }),
      new AssistantAgent({ name: "b", modelClient: new ScriptedModelClient({ replies: ["final"] }) }),
    ],
    maxTurns: 2,
  });
  const tool = new TeamTool(team, { description: "Drafts and reviews." });
  assert.equal(
    await tool.execute(
      { task: "write" },
      { signal: new AbortController().signal, callId: "c", context: {}, run: plainRun },
    ),
    "final",
  );
  const check = tool.checkArguments({});
  assert.equal(check.ok, false);
  assert.throws(
    () => new AgentTool({} as never),
    (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID"),
  );
});

test("AgentTool: needsApproval holds the delegation for a person, and must be a boolean or a function", async () => {
  const refund = defineTool({
    name: "refund",
    description: "Refund an order.",
    parameters: { type: "object", properties: { order: { type: "string" } }, required: ["order"] },
    needsApproval: true,
    execute: ({ order }) => `refunded ${order}`,
  });
  const billing = (replies: ScriptedReply[]) =>
    new AssistantAgent({ name: "billing", modelClient: new ScriptedModelClient({ replies }), tools: [refund] });

  // Approval asked at the AgentTool: the outer turn waits, and the inner agent runs once approved.
  // (Calls inside the agent that wait for approval: task-runner-approval.test.ts.)
  const lead = new AssistantAgent({
    name: "lead",
    modelClient: new ScriptedModelClient({
      replies: [{ toolCalls: [{ id: "d1", name: "billing", arguments: { task: "refund A1" } }] }],
    }),
    tools: [new AgentTool(billing(["Refund filed."]), { needsApproval: true })],
  });
  const session = lead.createSession();
  const paused = await lead.run({ task: "Refund A1", session });
  assert.equal(paused.stopReason, "tool-approval-request");
  const done = await lead.run({ session, approvals: [{ callId: "d1", approved: true }] });
  const summary = done.messages.at(-1);
  assert.equal(summary?.type === "tool-call-summary" ? summary.content : "", "Refund filed.");

  assert.throws(
    () => new AgentTool(billing([]), { needsApproval: "always" as never }),
    (error: unknown) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === "needsApproval",
  );
});
