// What loadComponent refuses, and how it says so: a UserError naming the provider or option and the
// place in the JSON, before anything is built, never quoting a value (a config may hold a key).
import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { defineTool } from "../tools/define-tool.ts";
import { loadComponent } from "./load-component.ts";

type Json = Record<string, unknown>;
const component = (provider: string, config: Json, extra: Json = {}): Json => ({ provider, config, ...extra });
const openai = (config: Json = {}) =>
  component("autogen_ext.models.openai.OpenAIChatCompletionClient", { model: "gpt-4o", api_key: "sk-test", ...config });
const assistant = (name: string, config: Json = {}) =>
  component(
    "autogen_agentchat.agents.AssistantAgent",
    { name, model_client: openai(), system_message: `You are ${name}.`, ...config },
    { component_type: "agent", component_version: 2 },
  );
const roundRobin = (participants: Json[], config: Json = {}) =>
  component(
    "autogen_agentchat.teams.RoundRobinGroupChat",
    {
      participants,
      termination_condition: component("autogen_agentchat.conditions.MaxMessageTermination", { max_messages: 3 }),
      ...config,
    },
    { component_type: "team" },
  );

/** Asserts `load` throws a HEARTH_CONFIG_INVALID whose field is `field` and whose message has each of `parts`. */
function refuses(load: () => unknown, field: string, ...parts: string[]): HearthError {
  let caught: unknown;
  try {
    load();
  } catch (error) {
    caught = error;
  }
  assert.ok(HearthError.is(caught, "HEARTH_CONFIG_INVALID"), `expected a UserError, got ${String(caught)}`);
  assert.equal(caught.field, field, caught.message);
  for (const part of parts) assert.ok(caught.message.includes(part), `"${caught.message}" should say ${part}`);
  return caught;
}

test("an unsupported provider is refused with its name and its path in the JSON", () => {
  const ollama = component("autogen_ext.models.ollama.OllamaChatCompletionClient", { model: "llama3.2" });
  const team = roundRobin([assistant("first"), assistant("second", { model_client: ollama })]);
  const error = refuses(
    () => loadComponent(team),
    "config.participants[1].config.model_client",
    'Component JSON at config.participants[1].config.model_client: provider "autogen_ext.models.ollama.OllamaChatCompletionClient" is not supported by hearth',
    "http://localhost:11434/v1",
  );
  assert.equal(error.name, "UserError");
  refuses(
    () => loadComponent(roundRobin([component("autogen_agentchat.agents.CodeExecutorAgent", { name: "coder" })])),
    "config.participants[0]",
    '"autogen_agentchat.agents.CodeExecutorAgent" is not supported by hearth',
  );
  refuses(
    () => loadComponent(component("autogen_agentchat.teams.MagenticOneGroupChat", { participants: [] })),
    "component",
    '"autogen_agentchat.teams.MagenticOneGroupChat" is not supported by hearth',
  );
  refuses(
    () => loadComponent(roundRobin([component("mycompany.agents.Custom", { name: "x" })])),
    "config.participants[0]",
    'provider "mycompany.agents.Custom" is not a component hearth knows',
  );
});

test("an unsupported provider the app supplies a client for is no error", async () => {
  // AutoGen's short alias resolves to the full provider, which hearth does not build itself.
  const ollama = component("OllamaChatCompletionClient", { model: "llama3.2" }, { component_type: "model" });
  const model = new ScriptedModelClient({ replies: ["Hi."] });
  const agent = loadComponent(assistant("local", { model_client: ollama }), {
    componentType: "agent",
    modelClients: { "llama3.2": model },
  });
  await agent.run({ task: "Hello" });
  assert.equal(model.requests.length, 1);
  assert.equal(loadComponent(ollama, { componentType: "model", modelClients: () => model }), model);
  // Supplied or not, a model client whose component_type says otherwise is refused.
  refuses(
    () => loadComponent({ ...openai(), component_type: "agent" }, { modelClients: () => model }),
    "component",
    '"component_type" is "agent", but OpenAIChatCompletionClient is a model client',
  );
});

test("a FunctionTool without a supplied tool of its name is refused, naming the tool; no code from the JSON runs", () => {
  const tool = component("autogen_core.tools.FunctionTool", {
    source_code: "def lookup_order(order_id: str) -> str:\n    return 'shipped'\n",
    name: "lookup_order",
    description: "Looks up an order.",
    global_imports: [],
    has_cancellation_support: false,
  });
  const agent = assistant("support", { tools: [tool] });
  const error = refuses(
    () => loadComponent(agent),
    "config.tools[0]",
    'FunctionTool "lookup_order" at config.tools[0]',
    "tools: { lookup_order:",
  );
  assert.equal(error.toolName, "lookup_order");
  // A supplied tool under that name, but named otherwise, is a mistake too.
  const other = defineTool({ name: "find_order", description: "d", parameters: { type: "object" }, execute: () => "" });
  refuses(() => loadComponent(agent, { tools: { lookup_order: other } }), "tools.lookup_order", 'named "find_order"');
  // A tool provider with no name to supply it under.
  const executor = component("autogen_ext.tools.code_execution.PythonCodeExecutionTool", { description: "Runs code." });
  refuses(
    () => loadComponent(assistant("coder", { tools: [executor] })),
    "config.tools[0]",
    'provider "autogen_ext.tools.code_execution.PythonCodeExecutionTool" is not supported by hearth',
  );
});

test("an option hearth does not support is refused by name, at its value's place; at AutoGen's default it is accepted", () => {
  refuses(
    () => loadComponent(roundRobin([assistant("a")], { emit_team_events: true })),
    "config.emit_team_events",
    'RoundRobinGroupChat: option "emit_team_events" is not supported',
  );
  assert.ok(loadComponent(roundRobin([assistant("a")], { emit_team_events: false })));
  refuses(
    () => loadComponent(roundRobin([assistant("a", { model_client: openai({ reasoning_effort: "low" }) })])),
    "config.participants[0].config.model_client.config.reasoning_effort",
    'OpenAIChatCompletionClient at config.participants[0].config.model_client: option "reasoning_effort" is not supported',
  );
  refuses(() => loadComponent(openai({ n: 2 })), "config.n", 'option "n" is not supported');
  assert.ok(loadComponent(openai({ n: 1, stream_options: { include_usage: true }, include_name_in_message: false })));
  refuses(
    () =>
      loadComponent(
        component("autogen_core.model_context.BufferedChatCompletionContext", {
          buffer_size: 5,
          initial_messages: [{ type: "UserMessage", content: "hi", source: "user" }],
        }),
      ),
    "config.initial_messages",
    'option "initial_messages" is not supported',
  );
});

test("an option AutoGen does not have is refused by name: a typo, or a newer AutoGen's", () => {
  refuses(
    () => loadComponent(roundRobin([assistant("a", { max_tool_iteration: 3 })])),
    "config.participants[0].config.max_tool_iteration",
    'AssistantAgent at config.participants[0]: unknown option "max_tool_iteration"',
  );
  refuses(
    () => loadComponent(openai({ model_info: { vision: false, function_calling: true, json_outptu: true } })),
    "config.model_info.json_outptu",
    'unknown option "json_outptu"',
  );
});

test("malformed JSON is refused without quoting it", () => {
  const text =
    '{"provider": "OpenAIChatCompletionClient", "config": {"model": "gpt-4o", "api_key": sk-live-0123456789}}';
  const error = refuses(() => loadComponent(text), "component", "The component JSON is not valid JSON");
  assert.ok(!error.message.includes("sk-live"), error.message);
  assert.ok(!JSON.stringify(error).includes("sk-live"));
  assert.equal(error.cause, undefined);
  refuses(() => loadComponent([1, 2]), "component", "must be an object");
  refuses(() => loadComponent({ config: {} }), "provider", 'has no "provider"');
  refuses(
    () => loadComponent({ provider: "autogen_agentchat.agents.AssistantAgent" }),
    "config",
    '"config" must be an object',
  );
  refuses(
    () => loadComponent(roundRobin([assistant("a")], { participants: [assistant("a"), "b"] })),
    "config.participants[1]",
    "Component JSON at config.participants[1] must be an object",
  );
});

test("a component of the wrong kind is refused where a team is expected, and where a participant is", () => {
  refuses(
    () => loadComponent(assistant("solo"), { componentType: "team" }),
    "component",
    "expected a team, but AssistantAgent is an agent",
  );
  refuses(
    () => loadComponent(roundRobin([openai()])),
    "config.participants[0]",
    "expected an agent or a team, but OpenAIChatCompletionClient is a model client",
  );
  refuses(
    () => loadComponent({ ...assistant("a"), component_type: "team" }),
    "component",
    '"component_type" is "team", but AssistantAgent is an agent',
  );
  refuses(
    () => loadComponent({ ...assistant("a"), component_version: 3 }),
    "component",
    "AssistantAgent of component_version 3 is newer than hearth reads (up to 2)",
  );
  refuses(
    () =>
      loadComponent(
        component("autogen_agentchat.teams.Swarm", {
          participants: [assistant("a"), roundRobin([assistant("b")])],
          max_turns: 2,
        }),
      ),
    "config.participants[1]",
    "expected an agent, but RoundRobinGroupChat is a team",
  );
});

test("no error quotes a key from the JSON", () => {
  const key = "sk-live-abcdefghijklmnopqrstuvwxyz012345";
  for (const config of [
    { api_key: key, max_retries: -1 },
    { api_key: key, typo: true },
    { api_key: 12345 },
    { api_key: key, default_headers: { authorization: 7 } },
  ]) {
    let caught: unknown;
    try {
      loadComponent(openai(config));
    } catch (error) {
      caught = error;
    }
    assert.ok(HearthError.is(caught, "HEARTH_CONFIG_INVALID"));
    assert.ok(!JSON.stringify({ ...caught.toJSON(), message: caught.message }).includes(key), caught.message);
    assert.ok(!caught.message.includes("12345"), caught.message);
  }
});

test("a URL option that is no URL (a key in the wrong field, say) is refused by name, without quoting it", () => {
  const key = "sk-live-abcdefghijklmnopqrstuvwxyz012345";
  for (const [load, field] of [
    [() => loadComponent(openai({ base_url: key })), "config.base_url"],
    [() => loadComponent(openai({ base_url: "ftp://models.example.com/v1" })), "config.base_url"],
    [
      () =>
        loadComponent(
          component("autogen_ext.models.anthropic.AnthropicChatCompletionClient", { model: "claude", base_url: key }),
        ),
      "config.base_url",
    ],
    [
      () =>
        loadComponent(
          component("autogen_ext.models.openai.AzureOpenAIChatCompletionClient", {
            model: "gpt-4o",
            api_version: "2024-10-21",
            azure_endpoint: key,
          }),
        ),
      "config.azure_endpoint",
    ],
  ] as const) {
    const error = refuses(load, field, "must be an http or https URL");
    assert.ok(!error.message.includes(key), error.message);
  }
});

test("a hearth constructor's refusal is said again with the place in the JSON", () => {
  refuses(
    () => loadComponent(roundRobin([assistant("a"), assistant("has space")])),
    "config.participants[1].config",
    'AssistantAgent at config.participants[1]: Agent name "has space" is invalid',
  );
  refuses(
    () => loadComponent(assistant("a", { handoffs: [{ target: "b", name: "not an identifier" }] })),
    "config",
    "AssistantAgent: ",
    "handoff tool name",
  );
  refuses(
    () => loadComponent(component("autogen_agentchat.teams.RoundRobinGroupChat", { participants: [assistant("a")] })),
    "config",
    "would never stop",
  );
});

test("loadComponent's own options are checked", () => {
  refuses(() => loadComponent(openai(), { componentType: "tool" as "team" }), "componentType", "options.componentType");
  refuses(
    () => loadComponent(openai(), { tools: { x: { name: "x" } as never } }),
    "tools.x",
    "options.tools.x is not a tool",
  );
  refuses(
    () => loadComponent(openai(), { workbenches: { x: {} as never } }),
    "workbenches",
    'options.workbenches["x"] is not a workbench',
  );
  refuses(
    () => loadComponent(openai(), { modelClients: { "gpt-4o": {} as never } }),
    "modelClients",
    'options.modelClients["gpt-4o"] is not a model client',
  );
  refuses(
    () => loadComponent(assistant("a"), { modelClients: () => ({}) as never }),
    "modelClients",
    "not a model client for the model at config.model_client",
  );
  refuses(() => loadComponent(openai(), { inputFunc: "stdin" as never }), "inputFunc", "options.inputFunc");
});
