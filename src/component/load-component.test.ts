// Each provider hearth builds, and how its config's options become hearth's. AutoGen's repository
// holds no dumped JSON for most of these (fixtures/README.md): each config here is written from its
// config model in AutoGen's sources, named beside it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import type { ModelContext } from "../agents/model-context.ts";
import { SocietyOfMindAgent } from "../agents/society-of-mind-agent.ts";
import type { AgentMessage, TaskResult } from "../core/messages.ts";
import type { ModelMessage, ModelRequest } from "../core/model-client.ts";
import { HearthError } from "../core/errors.ts";
import { ListMemory } from "../memory/list-memory.ts";
import { ConnectionPools } from "../models/connection-pools.ts";
import { GraphFlow } from "../teams/graph-flow.ts";
import { Swarm } from "../teams/swarm.ts";
import {
  AndTermination,
  ExternalTermination,
  FunctionCallTermination,
  HandoffTermination,
  SourceMatchTermination,
  StopMessageTermination,
  TextMessageTermination,
  TimeoutTermination,
  TokenUsageTermination,
} from "../teams/termination.ts";
import { startMockAnthropicServer, type MockAnthropicServer } from "../testing/mock-anthropic-server.ts";
import { startMockOpenAIServer, type MockOpenAIServer } from "../testing/mock-openai-server.ts";
import { ScriptedModelClient, type ScriptedReply } from "../testing/scripted-model-client.ts";
import { defineTool } from "../tools/define-tool.ts";
import { loadComponent } from "./load-component.ts";

type Json = Record<string, unknown>;
const component = (provider: string, config: Json, extra: Json = {}): Json => ({ provider, config, ...extra });
const openai = (config: Json = {}) =>
  component("autogen_ext.models.openai.OpenAIChatCompletionClient", { model: "gpt-4o", api_key: "sk-test", ...config });
const assistant = (name: string, config: Json = {}) =>
  component("autogen_agentchat.agents.AssistantAgent", {
    name,
    model_client: openai(),
    system_message: `You are ${name}.`,
    ...config,
  });
const condition = (name: string, config: Json = {}) => component(`autogen_agentchat.conditions.${name}`, config);
const context = (name: string, config: Json = {}) => component(`autogen_core.model_context.${name}`, config);

const playing = (respond: (request: ModelRequest) => ScriptedReply, calls = 20) =>
  new ScriptedModelClient({ replies: Array.from({ length: calls }, () => respond) });
const systemOf = (request: ModelRequest | undefined) => {
  const first = request?.messages[0];
  return first?.role === "system" ? first.content : "";
};
const said = (result: TaskResult) =>
  result.messages.map((message: AgentMessage) => `${message.source}:${message.type}`);
const textOf = (message: AgentMessage | undefined) =>
  message !== undefined && "content" in message && typeof message.content === "string" ? message.content : "";

describe("model clients", () => {
  const pools = new ConnectionPools();
  let mock: MockOpenAIServer;
  let claude: MockAnthropicServer;
  before(async () => {
    mock = await startMockOpenAIServer({ respond: () => ({ content: "ok" }) });
    claude = await startMockAnthropicServer({ respond: () => ({ content: "ok" }) });
  });
  after(async () => {
    pools.close();
    await mock.close();
    await claude.close();
  });
  const hello = { messages: [{ role: "user" as const, content: "Hello" }] };

  test("OpenAIChatCompletionClientConfig: sampling options, headers, key and retries reach the wire", async () => {
    const client = loadComponent(
      openai({
        base_url: mock.url,
        api_key: "sk-from-the-json",
        organization: "org-1",
        default_headers: { "x-team": "support" },
        temperature: 0.2,
        top_p: 0.9,
        max_tokens: 100,
        seed: 7,
        stop: ["END"],
        presence_penalty: 0.1,
        frequency_penalty: 0.3,
        user: "u-1",
        parallel_tool_calls: false,
        max_retries: 0,
        timeout: 30,
        model_capabilities: { vision: true, function_calling: true, json_output: true },
      }),
      { componentType: "model", connectionPools: pools },
    );
    assert.equal(client.modelInfo.vision, true);
    await client.create(hello);
    const sent = mock.requests.at(-1);
    assert.equal(sent?.headers.authorization, "Bearer sk-from-the-json");
    assert.equal(sent?.headers["openai-organization"], "org-1");
    assert.equal(sent?.headers["x-team"], "support");
    const body = sent?.body as Json;
    for (const [key, value] of Object.entries({
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 100,
      seed: 7,
      presence_penalty: 0.1,
      frequency_penalty: 0.3,
      user: "u-1",
    }))
      assert.equal(body[key], value, key);
    assert.deepEqual(body.stop, ["END"]);
    // max_retries: 0: one attempt, the 500 is thrown.
    const before = mock.requests.length;
    mock.enqueue({ fault: "server-error" });
    await assert.rejects(client.create(hello), (error: unknown) => HearthError.is(error, "HEARTH_MODEL_SERVER"));
    assert.equal(mock.requests.length, before + 1);
  });

  test("an empty or masked api_key is no key: the environment's is sent, as AutoGen's clients do", async () => {
    process.env.OPENAI_API_KEY = "sk-environment";
    for (const apiKey of ["", "**********"]) {
      const client = loadComponent(openai({ base_url: mock.url, api_key: apiKey }), {
        componentType: "model",
        connectionPools: pools,
      });
      await client.create(hello);
      assert.equal(mock.requests.at(-1)?.headers.authorization, "Bearer sk-environment");
    }
  });

  test("AzureOpenAIClientConfig: the deployment defaults to the model; a token provider comes from the options", async () => {
    const azure = (config: Json = {}) =>
      component("AzureOpenAIChatCompletionClient", {
        model: "gpt-4o-mini",
        azure_endpoint: mock.url.replace(/\/v1$/, ""),
        api_version: "2024-10-21",
        api_key: "azure-key",
        ...config,
      });
    await loadComponent(azure(), { componentType: "model", connectionPools: pools }).create(hello);
    assert.match(String(mock.requests.at(-1)?.path), /^\/openai\/deployments\/gpt-4o-mini\/chat\/completions\?/);
    assert.equal(mock.requests.at(-1)?.headers["api-key"], "azure-key");

    const withProvider = azure({
      api_key: null,
      azure_ad_token_provider: component("autogen_ext.auth.azure.AzureTokenProvider", {
        provider_kind: "DefaultAzureCredential",
        scopes: ["https://cognitiveservices.azure.com/.default"],
      }),
    });
    assert.throws(
      () => loadComponent(withProvider, { connectionPools: pools }),
      (error: unknown) =>
        HearthError.is(error) &&
        error.field === "config.azure_ad_token_provider" &&
        error.message.includes("options.azureAdTokenProvider"),
    );
    const client = loadComponent(withProvider, {
      componentType: "model",
      connectionPools: pools,
      azureAdTokenProvider: () => "entra-token",
    });
    await client.create(hello);
    assert.equal(mock.requests.at(-1)?.headers.authorization, "Bearer entra-token");
  });

  test("AnthropicClientConfig: max_tokens, top_k, stop_sequences and thinking reach the wire", async () => {
    const client = loadComponent(
      component("autogen_ext.models.anthropic.AnthropicChatCompletionClient", {
        model: "claude-sonnet-4-5",
        base_url: claude.url,
        api_key: "sk-ant-json",
        max_tokens: 8000,
        temperature: 1.0,
        top_k: 5,
        stop_sequences: ["STOP"],
        thinking: { type: "enabled", budget_tokens: 2048 },
        default_headers: { "x-team": "support" },
      }),
      { componentType: "model", connectionPools: pools },
    );
    await client.create(hello);
    const sent = claude.requests.at(-1);
    assert.equal(sent?.headers["x-api-key"], "sk-ant-json");
    assert.equal(sent?.headers["x-team"], "support");
    assert.equal(sent?.body?.max_tokens, 8000);
    assert.equal(sent?.body?.top_k, 5);
    assert.deepEqual(sent?.body?.stop_sequences, ["STOP"]);
    assert.deepEqual(sent?.body?.thinking, { type: "enabled", budget_tokens: 2048 });
    assert.throws(
      () =>
        loadComponent(
          component("autogen_ext.models.anthropic.AnthropicChatCompletionClient", {
            model: "claude-sonnet-4-5",
            response_format: { type: "json_object" },
          }),
        ),
      (error: unknown) => HearthError.is(error) && error.field === "config.response_format",
    );
  });

  test("modelClients: by model name or by a function; equal configs built from the JSON share one client", () => {
    const team = component("autogen_agentchat.teams.RoundRobinGroupChat", {
      participants: [
        assistant("a"),
        assistant("b"),
        assistant("c", { model_client: openai({ model: "gpt-4o-mini" }) }),
      ],
      max_turns: 3,
    });
    const mini = new ScriptedModelClient();
    const byName = loadComponent(team, { componentType: "team", modelClients: { "gpt-4o-mini": mini } });
    const [a, b, c] = (byName as unknown as { participants: AssistantAgent[] }).participants;
    assert.equal(c?.modelClient, mini);
    assert.equal(a?.modelClient, b?.modelClient, "one client for the two equal configs");
    assert.notEqual(a?.modelClient, mini);
    const asked: unknown[] = [];
    loadComponent(team, {
      modelClients: (model) => {
        asked.push([model.provider, model.model, model.path]);
        return undefined;
      },
    });
    assert.deepEqual(asked, [
      ["autogen_ext.models.openai.OpenAIChatCompletionClient", "gpt-4o", "config.participants[0].config.model_client"],
      ["autogen_ext.models.openai.OpenAIChatCompletionClient", "gpt-4o", "config.participants[1].config.model_client"],
      [
        "autogen_ext.models.openai.OpenAIChatCompletionClient",
        "gpt-4o-mini",
        "config.participants[2].config.model_client",
      ],
    ]);
  });
});

describe("termination conditions", () => {
  test("each of AutoGen's conditions becomes hearth's, with its options", () => {
    const load = (json: Json) => loadComponent(json, { componentType: "termination" });
    const token = load(
      condition("TokenUsageTermination", { max_total_token: 100, max_prompt_token: null, max_completion_token: 40 }),
    );
    assert.ok(token instanceof TokenUsageTermination);
    assert.deepEqual([token.maxTotalTokens, token.maxPromptTokens, token.maxCompletionTokens], [100, undefined, 40]);
    const timeout = load(condition("TimeoutTermination", { timeout_seconds: 1.5 }));
    assert.ok(timeout instanceof TimeoutTermination);
    assert.equal(timeout.timeoutMs, 1500);
    const handoff = load(condition("HandoffTermination", { target: "user" }));
    assert.ok(handoff instanceof HandoffTermination && handoff.target === "user");
    const sources = load(condition("SourceMatchTermination", { sources: ["critic"] }));
    assert.ok(sources instanceof SourceMatchTermination);
    assert.deepEqual(sources.sources, ["critic"]);
    const call = load(condition("FunctionCallTermination", { function_name: "approve" }));
    assert.ok(call instanceof FunctionCallTermination && call.functionName === "approve");
    const text = load(condition("TextMessageTermination", { source: "writer" }));
    assert.ok(text instanceof TextMessageTermination && text.source === "writer");
    assert.equal((load(condition("TextMessageTermination")) as TextMessageTermination).source, undefined);
    assert.ok(load(condition("StopMessageTermination")) instanceof StopMessageTermination);
    assert.ok(load(condition("ExternalTermination")) instanceof ExternalTermination);
    const both = load(
      component("autogen_agentchat.base.AndTerminationCondition", {
        conditions: [condition("HandoffTermination", { target: "user" }), condition("StopMessageTermination")],
      }),
    );
    assert.ok(both instanceof AndTermination);
    assert.equal(both.description, "handoff to user and stop message");
    const max = load(condition("MaxMessageTermination", { max_messages: 4, include_agent_event: true }));
    assert.deepEqual(
      [(max as { maxMessages?: number }).maxMessages, (max as { includeAgentEvent?: boolean }).includeAgentEvent],
      [4, true],
    );
  });

  test("FunctionalTermination is refused: AutoGen cannot serialise its function either", () => {
    assert.throws(
      () => loadComponent(condition("FunctionalTermination", {})),
      (error: unknown) => HearthError.is(error) && error.message.includes("AutoGen does not serialise its function"),
    );
  });
});

describe("model contexts", () => {
  const view = (strategy: ModelContext, count: number): string[] =>
    strategy
      .view(Array.from({ length: count }, (_, index): ModelMessage => ({ role: "user", content: `m${index}` })))
      .map((message) => (message.role === "user" ? String(message.content) : message.role));

  test("each of AutoGen's contexts becomes hearth's strategy", () => {
    const load = (json: Json) => loadComponent(json, { componentType: "chat_completion_context" });
    assert.equal(view(load(context("UnboundedChatCompletionContext", { initial_messages: [] })), 6).length, 6);
    assert.deepEqual(view(load(context("BufferedChatCompletionContext", { buffer_size: 2 })), 6), ["m4", "m5"]);
    assert.deepEqual(view(load(context("HeadAndTailChatCompletionContext", { head_size: 1, tail_size: 2 })), 6), [
      "m0",
      "Skipped 3 messages.",
      "m4",
      "m5",
    ]);
    const limited = load(context("TokenLimitedChatCompletionContext", { model_client: openai(), token_limit: 12 }));
    assert.equal(limited.kind, "token-limited");
    assert.ok(view(limited, 6).length < 6);
  });

  test("a token-limited context needs its token_limit, and its model_client must be a model client", () => {
    assert.throws(
      () => loadComponent(context("TokenLimitedChatCompletionContext", { model_client: openai() })),
      (error: unknown) => HearthError.is(error) && error.field === "config.token_limit",
    );
    assert.throws(
      () =>
        loadComponent(context("TokenLimitedChatCompletionContext", { model_client: assistant("a"), token_limit: 5 })),
      (error: unknown) => HearthError.is(error) && error.field === "config.model_client",
    );
  });
});

describe("agents", () => {
  test("AssistantAgentConfig: every option reaches the agent; no system_message means none is sent", async () => {
    const model = playing(() => "Hello.");
    const agent = loadComponent(
      assistant("helper", {
        system_message: null,
        description: "Helps.",
        reflect_on_tool_use: true,
        tool_call_summary_format: "{tool_name}: {result}",
        max_tool_iterations: 3,
        model_client_stream: true,
        model_context: context("BufferedChatCompletionContext", { buffer_size: 4 }),
        metadata: { owner: "support" },
        handoffs: [{ target: "billing", description: "", name: "", message: "" }, "user"],
      }),
      { componentType: "agent", modelClients: () => model },
    );
    assert.ok(agent instanceof AssistantAgent);
    assert.equal(agent.description, "Helps.");
    assert.equal(agent.systemMessage, null);
    assert.equal(agent.reflectOnToolUse, true);
    assert.equal(agent.toolCallSummaryFormat, "{tool_name}: {result}");
    assert.equal(agent.maxToolIterations, 3);
    assert.equal(agent.modelClientStream, true);
    assert.equal(agent.modelContext.kind, "buffered");
    assert.deepEqual(
      agent.handoffs.map((handoff) => [handoff.name, handoff.description, handoff.message]),
      [
        [
          "transfer_to_billing",
          "Handoff to billing.",
          "Transferred to billing, adopting the role of billing immediately.",
        ],
        ["transfer_to_user", "Handoff to user.", "Transferred to user, adopting the role of user immediately."],
      ],
    );
    await agent.run({ task: "Hi" });
    assert.deepEqual(
      model.requests[0]?.messages.map((message) => message.role),
      ["user"],
    );
  });

  test("component_version 1's single workbench object is read as a list of one", () => {
    const lookup = defineTool({ name: "lookup", description: "d", parameters: { type: "object" }, execute: () => "" });
    const agent = loadComponent(
      {
        ...assistant("old", {
          workbench: component("autogen_core.tools.StaticWorkbench", {
            tools: [component("autogen_core.tools.FunctionTool", { name: "lookup", source_code: "def lookup(): ..." })],
          }),
        }),
        component_version: 1,
      },
      { componentType: "agent", tools: { lookup } },
    );
    assert.deepEqual((agent as AssistantAgent).tools, [lookup]);
    assert.throws(
      () =>
        loadComponent(
          assistant("renamed", {
            workbench: [
              component("autogen_core.tools.StaticWorkbench", {
                tools: [],
                tool_overrides: { lookup: { name: "find" } },
              }),
            ],
          }),
        ),
      (error: unknown) => HearthError.is(error) && error.field === "config.workbench[0].config.tool_overrides",
    );
  });

  test("structured_message_factory: its JSON Schema is the agent's output schema", async () => {
    const json_schema = {
      type: "object",
      properties: { city: { type: "string" }, celsius: { type: "number" } },
      required: ["city", "celsius"],
      title: "Weather",
    };
    const factory = (config: Json) =>
      component("autogen_agentchat.messages.StructuredMessageFactory", {
        json_schema,
        content_model_name: "Weather",
        ...config,
      });
    const model = playing(() => '{"city": "Paris", "celsius": 21}');
    const agent = loadComponent(assistant("weather", { structured_message_factory: factory({}) }), {
      componentType: "agent",
      modelClients: () => model,
    });
    const result = await agent.run({ task: "Weather in Paris?" });
    assert.deepEqual((result as { output?: unknown }).output, { city: "Paris", celsius: 21 });
    const format = model.requests[0]?.responseFormat;
    assert.equal(format?.type === "json_schema" ? format.name : "", "Weather");
    assert.throws(
      () => loadComponent(assistant("w", { structured_message_factory: factory({ format_string: "{city}" }) })),
      (error: unknown) =>
        HearthError.is(error) && error.field === "config.structured_message_factory.config.format_string",
    );
  });

  test("AgentTool and TeamTool are built from their JSON when they return the last message", async () => {
    const inner = assistant("researcher", { description: "Finds facts." });
    const model = playing((request) => {
      if (systemOf(request) === "You are researcher.") return "Everest is 8,849 m.";
      return request.messages.at(-1)?.role === "tool"
        ? "It is 8,849 m high."
        : { toolCalls: [{ name: "researcher", arguments: { task: "Height of Everest?" } }] };
    });
    const agent = loadComponent(
      assistant("writer", {
        reflect_on_tool_use: true,
        tools: [component("autogen_agentchat.tools.AgentTool", { agent: inner, return_value_as_last_message: true })],
      }),
      { componentType: "agent", modelClients: () => model },
    );
    const result = await agent.run({ task: "How high is Everest?" });
    const execution = result.messages.find((message) => message.type === "tool-call-execution");
    assert.equal(execution?.type === "tool-call-execution" ? execution.results[0]?.content : "", "Everest is 8,849 m.");
    assert.equal(model.requests[0]?.tools?.[0]?.description, "Finds facts.");

    const teamTool = component("autogen_agentchat.tools.TeamTool", {
      name: "panel",
      description: "Asks a panel.",
      team: component("autogen_agentchat.teams.RoundRobinGroupChat", { participants: [inner], max_turns: 1 }),
      return_value_as_last_message: true,
    });
    const withTeam = loadComponent(assistant("chair", { tools: [teamTool] }), { modelClients: () => model });
    assert.deepEqual(
      (withTeam as AssistantAgent).tools.map((tool) => [tool.name, tool.description]),
      [["panel", "Asks a panel."]],
    );
    assert.throws(
      () =>
        loadComponent(
          assistant("w", {
            tools: [
              component("autogen_agentchat.tools.AgentTool", { agent: inner, return_value_as_last_message: false }),
            ],
          }),
        ),
      (error: unknown) =>
        HearthError.is(error) && error.field === "config.tools[0].config.return_value_as_last_message",
    );
  });

  test("ListMemory: its contents reach every model request; an image's type is read from its bytes", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]).toString("base64");
    const memory = component(
      "autogen_core.memory.ListMemory",
      {
        name: "preferences",
        memory_contents: [
          { content: "The user prefers metric units.", mime_type: "text/plain", metadata: { source: "profile" } },
          { content: { diet: "vegan" }, mime_type: "application/json" },
          { content: { data: png }, mime_type: "image/*" },
        ],
      },
      { component_type: "memory" },
    );
    const loaded = loadComponent(memory, { componentType: "memory" });
    assert.ok(loaded instanceof ListMemory);
    assert.equal(loaded.name, "preferences");
    assert.deepEqual(loaded.content[2]?.content, { type: "image", data: png, mimeType: "image/png" });
    const model = playing(() => "21 °C.");
    const agent = loadComponent(assistant("weather", { memory: [memory] }), {
      componentType: "agent",
      modelClients: () => model,
    });
    await agent.run({ task: "Weather?" });
    const memoryMessage = model.requests[0]?.messages.find(
      (message) => message.role === "system" && message.content.includes("Relevant memory content"),
    );
    assert.match(
      String(memoryMessage?.role === "system" ? memoryMessage.content : ""),
      /1\. The user prefers metric units\.\n2\. \{"diet":"vegan"\}/,
    );
  });

  test("SocietyOfMindAgentConfig: an inner team and a model that writes the reply", async () => {
    const model = playing((request) => {
      const system = systemOf(request);
      if (system === "You are drafter.") return "Draft: hello.";
      if (system === "You are editor.") return "Edited: Hello!";
      return "Hello!";
    });
    const agent = loadComponent(
      component("autogen_agentchat.agents.SocietyOfMindAgent", {
        name: "writer",
        team: component("autogen_agentchat.teams.RoundRobinGroupChat", {
          participants: [assistant("drafter"), assistant("editor")],
          max_turns: 2,
        }),
        model_client: openai(),
        description: "",
        instruction: "Here is what your team said:",
        response_prompt: null,
      }),
      { componentType: "agent", modelClients: () => model },
    );
    assert.ok(agent instanceof SocietyOfMindAgent);
    assert.equal(agent.description, "An agent that uses an inner team of agents to generate responses.");
    assert.equal(agent.instruction, "Here is what your team said:");
    const result = await agent.run({ task: "Say hello." });
    assert.equal(textOf(result.messages.at(-1)), "Hello!");
    assert.deepEqual(said(result).slice(1), ["drafter:text", "editor:text", "writer:text"]);
  });
});

describe("teams", () => {
  test("SwarmConfig: agents hand the conversation on", async () => {
    const model = playing((request) => {
      const system = systemOf(request);
      if (system === "You are triage.") return { toolCalls: [{ name: "transfer_to_billing", arguments: {} }] };
      return "Refunded. TERMINATE";
    });
    const team = loadComponent(
      component("autogen_agentchat.teams.Swarm", {
        name: "desk",
        participants: [assistant("triage", { handoffs: ["billing"] }), assistant("billing")],
        termination_condition: condition("TextMentionTermination", { text: "TERMINATE" }),
        emit_team_events: false,
      }),
      { componentType: "team", modelClients: () => model },
    );
    assert.ok(team instanceof Swarm);
    assert.equal(team.name, "desk");
    const result = await team.run({ task: "Refund me." });
    assert.deepEqual(said(result).at(-1), "billing:text");
    assert.ok(said(result).includes("triage:handoff"));
  });

  test("SelectorGroupChatConfig: its prompt and options reach the selector; only an unbounded model context", async () => {
    const selector = (config: Json) =>
      component("autogen_agentchat.teams.SelectorGroupChat", {
        participants: [assistant("planner"), assistant("coder")],
        model_client: openai({ model: "gpt-4o-mini" }),
        termination_condition: condition("MaxMessageTermination", { max_messages: 2 }),
        selector_prompt: "Pick from {participants}.\n{roles}\n{history}",
        allow_repeated_speaker: true,
        max_selector_attempts: 2,
        emit_team_events: false,
        model_client_streaming: false,
        ...config,
      });
    const model = playing((request) => (systemOf(request).startsWith("Pick from") ? "coder" : "Code."));
    const team = loadComponent(selector({ model_context: context("UnboundedChatCompletionContext") }), {
      componentType: "team",
      modelClients: () => model,
    });
    const result = await team.run({ task: "Write code." });
    assert.deepEqual(said(result), ["user:text", "coder:text"]);
    assert.match(systemOf(model.requests[0]), /^Pick from \["planner","coder"\]\.\nplanner: /);
    assert.equal((team as unknown as { maxSelectorAttempts: number }).maxSelectorAttempts, 2);
    for (const [config, field] of [
      [{ model_context: context("BufferedChatCompletionContext", { buffer_size: 3 }) }, "config.model_context"],
      [{ model_client_streaming: true }, "config.model_client_streaming"],
    ] as const)
      assert.throws(
        () => loadComponent(selector(config)),
        (error: unknown) => HearthError.is(error) && error.field === field,
      );
  });

  test("a team as a participant of a round-robin team", async () => {
    const model = playing((request) => (systemOf(request) === "You are inner." ? "From inside." : "From outside."));
    const team = loadComponent(
      component("autogen_agentchat.teams.RoundRobinGroupChat", {
        participants: [
          assistant("outer"),
          component("autogen_agentchat.teams.RoundRobinGroupChat", {
            name: "inner_team",
            participants: [assistant("inner")],
            max_turns: 1,
          }),
        ],
        max_turns: 2,
      }),
      { componentType: "team", modelClients: () => model },
    );
    const result = await team.run({ task: "Go." });
    assert.deepEqual(said(result), ["user:text", "outer:text", "inner:text"]);
  });

  test("GraphFlowConfig: its DiGraph, with a condition and AutoGen's filled-in activation groups", async () => {
    const model = playing((request) => {
      const system = systemOf(request);
      if (system === "You are reviewer.") return "APPROVE";
      return system === "You are writer." ? "A draft." : "Published.";
    });
    const edge = (target: string, condition: string | null = null) => ({
      target,
      condition,
      activation_group: target,
      activation_condition: "all",
    });
    const flow = loadComponent(
      component("autogen_agentchat.teams.GraphFlow", {
        participants: [assistant("writer"), assistant("reviewer"), assistant("publisher")],
        termination_condition: null,
        // The edge back to the writer makes a cycle: hearth, as AutoGen, wants a way to be sure it stops.
        max_turns: 6,
        graph: {
          nodes: {
            writer: { name: "writer", edges: [edge("reviewer")], activation: "all" },
            reviewer: {
              name: "reviewer",
              edges: [edge("writer", "REVISE"), edge("publisher", "APPROVE")],
              activation: "all",
            },
            publisher: { name: "publisher", edges: [], activation: "all" },
          },
          default_start_node: "writer",
        },
      }),
      { componentType: "team", modelClients: () => model },
    );
    assert.ok(flow instanceof GraphFlow);
    const result = await flow.run({ task: "Write a post." });
    assert.deepEqual(said(result), ["user:text", "writer:text", "reviewer:text", "publisher:text"]);
    assert.equal(result.stopReason, "Digraph execution is complete");
    assert.throws(
      () =>
        loadComponent(
          component("autogen_agentchat.teams.GraphFlow", {
            participants: [assistant("writer")],
            graph: { nodes: { writer: { name: "writer", edges: [{ target: "writer", weight: 2 }] } } },
          }),
        ),
      (error: unknown) => HearthError.is(error) && error.field === "config.graph.nodes.writer.edges[0].weight",
    );
  });
});
