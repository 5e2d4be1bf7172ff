// An agent's tools with a workbench: the workbench's tools are offered beside the agent's own, a
// changed list is offered from the next model call on, and the agent's own tools win a clash.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AnyTool } from "../core/tool.ts";
import type { Workbench } from "../core/workbench.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { defineTool } from "../tools/define-tool.ts";
import { AssistantAgent } from "./assistant-agent.ts";

const tool = (name: string, answer: string): AnyTool =>
  defineTool({ name, description: name, parameters: { type: "object", properties: {} }, execute: () => answer });

/** A workbench whose list a test changes, as an MCP server's `tools/list_changed` does. */
class ChangingWorkbench implements Workbench {
  #tools: readonly AnyTool[];
  toolsVersion = 1;
  constructor(tools: readonly AnyTool[]) {
    this.#tools = tools;
  }
  tools() {
    return this.#tools;
  }
  change(tools: readonly AnyTool[]) {
    this.#tools = tools;
    this.toolsVersion += 1;
  }
}

test("a workbench's tools are offered beside the agent's own and run; a changed list is offered from the next model call", async () => {
  const workbench = new ChangingWorkbench([tool("remote_lookup", "from the workbench"), tool("local", "shadowed")]);
  const model = new ScriptedModelClient({
    replies: [{ toolCalls: [{ name: "remote_lookup", arguments: {} }] }, "first", "second"],
  });
  const agent = new AssistantAgent({
    name: "helper",
    modelClient: model,
    tools: [tool("local", "the agent's own")],
    workbench,
    reflectOnToolUse: true,
  });
  const first = await agent.run({ task: "look it up" });
  const execution = first.messages.find((message) => message.type === "tool-call-execution");
  assert.equal(
    execution?.type === "tool-call-execution" ? execution.results[0]?.content : undefined,
    "from the workbench",
  );
  assert.deepEqual(
    model.requests[0]?.tools?.map((schema) => schema.name),
    ["local", "remote_lookup"],
    "the agent's own tool wins the clash of names",
  );
  workbench.change([tool("remote_new", "new")]);
  await agent.run({ task: "again" });
  assert.deepEqual(
    model.requests.at(-1)?.tools?.map((schema) => schema.name),
    ["local", "remote_new"],
  );
});

test("workbench must be a workbench or a list of them, and counts as tools for the function-calling check", () => {
  const model = new ScriptedModelClient();
  assert.throws(() => new AssistantAgent({ name: "a", modelClient: model, workbench: {} as never }), {
    field: "workbench",
  });
  const noTools = new ScriptedModelClient({ modelInfo: { functionCalling: false } });
  assert.throws(() => new AssistantAgent({ name: "a", modelClient: noTools, workbench: new ChangingWorkbench([]) }), {
    field: "tools",
  });
});
