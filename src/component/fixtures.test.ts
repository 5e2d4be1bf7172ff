// Every fixture of component JSON copied from AutoGen's repository (fixtures/README.md names each
// source) loads, and runs against a scripted model or hearth's mock model servers.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { UserProxyAgent } from "../agents/user-proxy-agent.ts";
import type { ChatAgent } from "../core/agent.ts";
import { HearthError } from "../core/errors.ts";
import type { AgentMessage, TaskResult } from "../core/messages.ts";
import type { ModelClient, ModelRequest } from "../core/model-client.ts";
import type { Team, TerminationCondition } from "../core/team.ts";
import type { Workbench } from "../core/workbench.ts";
import { ConnectionPools } from "../models/connection-pools.ts";
import { AnthropicChatCompletionClient } from "../models/anthropic/anthropic-client.ts";
import { AzureOpenAIChatCompletionClient } from "../models/openai/azure-client.ts";
import { OpenAIChatCompletionClient } from "../models/openai/openai-client.ts";
import { RoundRobinGroupChat } from "../teams/round-robin-group-chat.ts";
import { SelectorGroupChat } from "../teams/selector-group-chat.ts";
import { MaxMessageTermination, OrTermination, TextMentionTermination } from "../teams/termination.ts";
import { startMockAnthropicServer, type MockAnthropicServer } from "../testing/mock-anthropic-server.ts";
import { startMockOpenAIServer, type MockOpenAIServer } from "../testing/mock-openai-server.ts";
import { ScriptedModelClient, type ScriptedReply } from "../testing/scripted-model-client.ts";
import { defineTool } from "../tools/define-tool.ts";
import { loadComponent } from "./load-component.ts";

interface Component {
  readonly provider: string;
  readonly label?: string;
  readonly config: Record<string, unknown>;
}

const fixture = (name: string): Component =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as Component;
const gallery = JSON.parse(
  readFileSync(new URL("./fixtures/studio-default-gallery.json", import.meta.url), "utf8"),
) as { components: Record<string, Component[]> };
const fromGallery = (kind: string, label: string): Component => {
  const found = gallery.components[kind]?.find((component) => component.label === label);
  assert.ok(found !== undefined, `the gallery has ${kind} "${label}"`);
  return found;
};

/** A scripted model that answers every call with `respond` (up to `calls` of them). */
const playing = (respond: (request: ModelRequest) => ScriptedReply, calls = 40) =>
  new ScriptedModelClient({ replies: Array.from({ length: calls }, () => respond) });
const systemOf = (request: ModelRequest) => {
  const first = request.messages[0];
  return first?.role === "system" ? first.content : "";
};
/** The conversation a selector's prompt shows, after its list of roles. */
const historyOf = (request: ModelRequest) => systemOf(request).split("Read the following conversation.")[1] ?? "";
const said = (result: TaskResult) =>
  result.messages.map((message: AgentMessage) => `${message.source}:${message.type}`);
const textOf = (message: AgentMessage | undefined) =>
  message !== undefined && "content" in message && typeof message.content === "string" ? message.content : "";

const calculator = defineTool({
  name: "calculator",
  description: "Adds, subtracts, multiplies or divides two numbers.",
  parameters: {
    type: "object",
    properties: { a: { type: "number" }, b: { type: "number" }, operator: { type: "string" } },
    required: ["a", "b", "operator"],
  },
  execute: ({ a, b, operator }) => {
    const [x, y] = [Number(a), Number(b)];
    return String(operator === "+" ? x + y : operator === "-" ? x - y : operator === "*" ? x * y : x / y);
  },
});

/** Calls the calculator on the task, then answers from its result. */
const calculating = (request: ModelRequest): ScriptedReply =>
  request.messages.at(-1)?.role === "tool"
    ? "2 + 3 is 5. TERMINATE"
    : { toolCalls: [{ name: "calculator", arguments: { a: 2, b: 3, operator: "+" } }] };

describe("AutoGen Studio's notebook teams", () => {
  test("team.json: the agent calls the supplied calculator and the team stops on TERMINATE", async () => {
    const model = playing(calculating);
    const team = loadComponent(fixture("studio-notebook-team.json"), {
      componentType: "team",
      tools: { calculator },
      modelClients: { "gpt-4o-mini": model },
    });
    assert.ok(team instanceof RoundRobinGroupChat);
    const result = await team.run({ task: "What is 2 + 3?" });
    assert.deepEqual(said(result), [
      "user:text",
      "assistant_agent:tool-call-request",
      "assistant_agent:tool-call-execution",
      "assistant_agent:tool-call-summary",
      "assistant_agent:text",
    ]);
    assert.equal(textOf(result.messages[3]), "5");
    assert.equal(result.stopReason, "Text 'TERMINATE' mentioned");
    const first = model.requests[0];
    assert.equal(
      systemOf(first as ModelRequest),
      "You are a helpful assistant. Solve tasks carefully. When done, say TERMINATE.",
    );
    assert.deepEqual(
      first?.tools?.map((tool) => [tool.name, tool.description]),
      [["calculator", calculator.description]],
    );
  });

  test("travel_team.json: four agents of component_version 1 speak in turn", async () => {
    const model = playing((request) => {
      const system = systemOf(request);
      if (system.includes("suggest a travel plan")) return "Three days in Nepal: Kathmandu, Pokhara, Chitwan.";
      if (system.includes("local activities")) return "Try momos in Thamel.";
      if (system.includes("language")) return "Learn a few words of Nepali.";
      return "The complete plan. TERMINATE";
    });
    const models: string[] = [];
    const team = loadComponent(fixture("studio-notebook-travel-team.json"), {
      componentType: "team",
      modelClients: ({ model: name }) => {
        models.push(String(name));
        return model;
      },
    });
    const result = await team.run({ task: "Plan a 3 day trip to Nepal." });
    assert.deepEqual(said(result), [
      "user:text",
      "planner_agent:text",
      "local_agent:text",
      "language_agent:text",
      "travel_summary_agent:text",
    ]);
    assert.equal(result.stopReason, "Text 'TERMINATE' mentioned");
    assert.deepEqual(models, ["gpt-4", "gpt-4", "gpt-4", "gpt-4"]);
  });
});

describe("the serialize-components notebook's outputs", () => {
  test("the round-robin team: the agent is offered its two handoffs, and MaxMessageTermination(2) stops it", async () => {
    const model = playing(() => "I can help with refunds.");
    const team = loadComponent(fixture("docs-serialize-round-robin-team.json"), {
      componentType: "team",
      modelClients: () => model,
    });
    const result = await team.run({ task: "I want a refund." });
    assert.deepEqual(said(result), ["user:text", "assistant:text"]);
    assert.equal(result.stopReason, "Maximum number of messages 2 reached, current message count: 2");
    assert.equal(systemOf(model.requests[0] as ModelRequest), "Use tools to solve tasks.");
    assert.deepEqual(
      model.requests[0]?.tools?.map((tool) => [tool.name, tool.description]),
      [
        ["transfer_to_flights_refunder", "Handoff to flights_refunder."],
        ["transfer_to_user", "Handoff to user."],
      ],
    );
  });

  test("the agent with handoffs hands the conversation to the user", async () => {
    const model = playing(() => ({ toolCalls: [{ name: "transfer_to_user", arguments: {} }] }));
    const agent = loadComponent(fixture("docs-serialize-assistant-handoffs.json"), {
      componentType: "agent",
      modelClients: () => model,
    });
    assert.ok(agent instanceof AssistantAgent);
    const result = await agent.run({ task: "Refund my flight." });
    const last = result.messages.at(-1);
    assert.equal(last?.type, "handoff");
    assert.equal(last?.type === "handoff" ? last.target : "", "user");
    assert.equal(textOf(last), "Transferred to user, adopting the role of user immediately.");
  });

  test("the user proxy asks the app's input function", async () => {
    const agent = loadComponent(fixture("docs-serialize-user-proxy.json"), {
      componentType: "agent",
      inputFunc: (prompt) => `yes (asked: ${prompt.trim()})`,
    });
    assert.ok(agent instanceof UserProxyAgent);
    assert.equal(agent.description, "A human user");
    const result = await agent.run({ task: "Shall I book it?" });
    assert.equal(textOf(result.messages.at(-1)), "yes (asked: Enter your response:)");
  });

  test("MaxMessageTermination(5) | StopMessageTermination() fires on either", async () => {
    const condition = loadComponent(fixture("docs-serialize-or-termination.json"), { componentType: "termination" });
    assert.ok(condition instanceof OrTermination);
    const text = (content: string): AgentMessage => ({
      id: content,
      type: "text",
      source: "a",
      content,
      createdAt: "2026-01-01T00:00:00.000Z",
    });
    const counting = condition.start({ sessionId: "s" });
    assert.equal(await counting.check([1, 2, 3, 4].map((n) => text(String(n)))), null);
    assert.equal((await counting.check([text("5")]))?.source, "MaxMessageTermination");
    const stopping = condition.start({ sessionId: "t" });
    const stop: AgentMessage = {
      id: "x",
      type: "stop",
      source: "a",
      content: "done",
      createdAt: "2026-01-01T00:00:00.000Z",
    };
    assert.equal((await stopping.check([stop]))?.source, "StopMessageTermination");
  });
});

test("AutoGen Studio's usage guide team runs until TERMINATE", async () => {
  const model = playing(() => "It is sunny in Paris. TERMINATE");
  const team = loadComponent(fixture("docs-studio-usage-team.json"), {
    componentType: "team",
    modelClients: { "gpt-4o-mini": model },
  });
  const result = await team.run({ task: "What is the weather in Paris?" });
  assert.deepEqual(said(result), ["user:text", "weather_agent:text"]);
  assert.equal(result.stopReason, "Text 'TERMINATE' mentioned");
  assert.match(systemOf(model.requests[0] as ModelRequest), /^You are a helpful AI assistant\. Solve tasks/);
});

describe("AutoGen Studio's default gallery", () => {
  const pools = new ConnectionPools();
  let openai: MockOpenAIServer;
  let anthropic: MockAnthropicServer;
  before(async () => {
    openai = await startMockOpenAIServer({ respond: () => ({ content: "Hello from the mock." }) });
    anthropic = await startMockAnthropicServer({ respond: () => ({ content: "Hello from the mock Claude." }) });
    // What AutoGen's clients read too when the JSON names no URL or key.
    process.env.OPENAI_BASE_URL = openai.url;
    process.env.OPENAI_API_KEY = "sk-from-the-environment";
    process.env.ANTHROPIC_BASE_URL = anthropic.url;
    process.env.ANTHROPIC_API_KEY = "sk-ant-from-the-environment";
    process.env.AZURE_OPENAI_API_KEY = "azure-key-from-the-environment";
  });
  after(async () => {
    pools.close();
    await openai.close();
    await anthropic.close();
  });
  const hello = { messages: [{ role: "user" as const, content: "Hello" }] };
  const withConfig = (component: Component, config: Record<string, unknown>): Component => ({
    ...component,
    config: { ...component.config, ...config },
  });

  test("its OpenAI model reads the environment's URL and key, as AutoGen's does", async () => {
    const client = loadComponent(fromGallery("models", "OpenAI GPT-4o Mini"), {
      componentType: "model",
      connectionPools: pools,
    });
    assert.ok(client instanceof OpenAIChatCompletionClient);
    const response = await client.create(hello);
    assert.equal(response.content, "Hello from the mock.");
    const sent = openai.requests.at(-1);
    assert.equal(sent?.body?.model, "gpt-4o-mini");
    assert.equal(sent?.headers.authorization, "Bearer sk-from-the-environment");
  });

  test("its local model keeps its model_info, and runs against its base_url", async () => {
    const component = fromGallery("models", "Mistral-7B Local");
    const client = loadComponent(component, { componentType: "model", connectionPools: pools });
    assert.ok(client instanceof OpenAIChatCompletionClient);
    assert.equal(client.origin, "http://localhost:1234");
    assert.deepEqual(client.modelInfo, {
      vision: false,
      functionCalling: true,
      jsonOutput: false,
      family: "unknown",
      structuredOutput: false,
    });
    // The same JSON pointed at the mock (nothing listens on port 1234 here).
    const moved = loadComponent(withConfig(component, { base_url: openai.url }), {
      componentType: "model",
      connectionPools: pools,
    });
    assert.equal((await moved.create(hello)).content, "Hello from the mock.");
    assert.equal(openai.requests.at(-1)?.body?.model, "TheBloke/Mistral-7B-Instruct-v0.2-GGUF");
  });

  test("its Anthropic model sends its max_tokens and temperature", async () => {
    const client = loadComponent(fromGallery("models", "Anthropic Claude-3-7"), {
      componentType: "model",
      connectionPools: pools,
    });
    assert.ok(client instanceof AnthropicChatCompletionClient);
    assert.equal((await client.create(hello)).content, "Hello from the mock Claude.");
    const sent = anthropic.requests.at(-1);
    assert.equal(sent?.body?.model, "claude-3-7-sonnet-20250219");
    assert.equal(sent?.body?.max_tokens, 4096);
    assert.equal(sent?.body?.temperature, 1);
    assert.equal(sent?.headers["x-api-key"], "sk-ant-from-the-environment");
  });

  test("its Azure model's masked key is no key: the environment's is sent", async () => {
    const component = fromGallery("models", "AzureOpenAI GPT-4o-mini");
    assert.equal(component.config.api_key, "**********");
    const client = loadComponent(withConfig(component, { azure_endpoint: openai.url.replace(/\/v1$/, "") }), {
      componentType: "model",
      connectionPools: pools,
    });
    assert.ok(client instanceof AzureOpenAIChatCompletionClient);
    assert.equal((await client.create(hello)).content, "Hello from the mock.");
    const sent = openai.requests.at(-1);
    assert.equal(sent?.headers["api-key"], "azure-key-from-the-environment");
    assert.match(
      String(sent?.path),
      /^\/openai\/deployments\/%7Byour-azure-deployment%7D\/chat\/completions\?api-version=2024-06-01$/,
    );
  });

  test("its agents load: the assistant runs with the supplied calculator, the web surfer is refused", async () => {
    const model = playing(calculating);
    const assistant = loadComponent(fromGallery("agents", "AssistantAgent"), {
      componentType: "agent",
      tools: { calculator },
      modelClients: () => model,
    });
    const result = await assistant.run({ task: "What is 2 + 3?" });
    assert.equal(textOf(result.messages.at(-1)), "5");
    const verifier = loadComponent(fromGallery("agents", "Verification Assistant"), {
      componentType: "agent",
      modelClients: () => playing(() => "keep going"),
    });
    assert.equal(textOf((await verifier.run({ task: "Check this." })).messages.at(-1)), "keep going");
    const person = loadComponent(fromGallery("agents", "UserProxyAgent"), { inputFunc: () => "Fine." });
    assert.equal(textOf((await (person as ChatAgent).run({ task: "OK?" })).messages.at(-1)), "Fine.");
    assert.throws(
      () => loadComponent(fromGallery("agents", "Web Surfer Agent")),
      (error: unknown) =>
        HearthError.is(error, "HEARTH_CONFIG_INVALID") &&
        error.message.includes(
          'provider "autogen_ext.agents.web_surfer.MultimodalWebSurfer" is not supported by hearth',
        ),
    );
  });

  test("its terminations load", () => {
    const conditions = (gallery.components.terminations ?? []).map((component) =>
      loadComponent(component, { componentType: "termination" }),
    );
    assert.deepEqual(
      conditions.map((condition: TerminationCondition) => condition.constructor),
      [TextMentionTermination, MaxMessageTermination, OrTermination],
    );
  });

  test("its round-robin and selector teams run", async () => {
    const roundRobin = loadComponent(fromGallery("teams", "RoundRobin Team"), {
      componentType: "team",
      tools: { calculator },
      modelClients: () => playing(calculating),
    });
    assert.equal((await roundRobin.run({ task: "What is 2 + 3?" })).stopReason, "Text 'TERMINATE' mentioned");

    const selectorModel = playing((request) => {
      const system = systemOf(request);
      if (system.startsWith("You are in a role play game"))
        return historyOf(request).includes("assistant_agent:") ? "critic_agent" : "assistant_agent";
      if (system.startsWith("You are a helpful assistant. Critique")) return "Good enough. TERMINATE";
      return calculating(request);
    });
    const selector = loadComponent(fromGallery("teams", "Selector Team"), {
      componentType: "team",
      tools: { calculator },
      modelClients: () => selectorModel,
    });
    assert.ok(selector instanceof SelectorGroupChat);
    const result = await selector.run({ task: "What is 2 + 3?" });
    assert.deepEqual(said(result), [
      "user:text",
      "assistant_agent:tool-call-request",
      "assistant_agent:tool-call-execution",
      "assistant_agent:tool-call-summary",
      "critic_agent:text",
    ]);
  });

  test("its web agent team is refused at the web surfer, naming where it is", () => {
    assert.throws(
      () => loadComponent(fromGallery("teams", "Web Agent Team (Operator)"), { componentType: "team" }),
      (error: unknown) =>
        HearthError.is(error) &&
        error.field === "config.participants[0]" &&
        error.message.startsWith(
          'Component JSON at config.participants[0]: provider "autogen_ext.agents.web_surfer.MultimodalWebSurfer"',
        ),
    );
  });

  test("its deep research team needs its two tools, then runs", async () => {
    const deepResearch = fromGallery("teams", "Deep Research Team");
    assert.throws(
      () => loadComponent(deepResearch, { componentType: "team" }),
      (error: unknown) =>
        HearthError.is(error) &&
        error.toolName === "google_search" &&
        error.field === "config.participants[0].config.workbench[0].config.tools[0]",
    );
    const search = (name: string) =>
      defineTool({
        name,
        description: `${name} for the test`,
        parameters: { type: "object", properties: { query: { type: "string" } } },
        execute: () => [{ title: "Mount Everest", snippet: "8,849 m" }],
      });
    const model = playing((request) => {
      const system = systemOf(request);
      if (system.startsWith("You are coordinating a research team"))
        return historyOf(request).includes("research_assistant:") ? "summary_agent" : "research_assistant";
      if (system.startsWith("You are a research assistant"))
        return request.messages.at(-1)?.role === "tool"
          ? "Everest is 8,849 m."
          : { toolCalls: [{ name: "google_search", arguments: { query: "height of Everest" } }] };
      return "# Everest\n8,849 m. TERMINATE";
    });
    const team = loadComponent(deepResearch, {
      componentType: "team",
      tools: { google_search: search("google_search"), fetch_webpage: search("fetch_webpage") },
      modelClients: () => model,
    });
    const result = await team.run({ task: "How high is Everest?" });
    assert.deepEqual(said(result), [
      "user:text",
      "research_assistant:tool-call-request",
      "research_assistant:tool-call-execution",
      "research_assistant:tool-call-summary",
      "summary_agent:text",
    ]);
    assert.equal(result.stopReason, "Text 'TERMINATE' mentioned");
  });

  test("its tools and workbenches are parts, not what loadComponent returns", () => {
    for (const component of [...(gallery.components.tools ?? []), ...(gallery.components.workbenches ?? [])]) {
      assert.throws(
        () => loadComponent(component),
        (error: unknown) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === "component",
        component.label,
      );
    }
  });

  test("its MCP workbenches are the app's: refused until supplied, then offered to the model", async () => {
    const agentJSON = fromGallery("agents", "AssistantAgent");
    const mcp = fromGallery("workbenches", "Web Content Fetch Workbench");
    const withMcp = withConfig(agentJSON, { workbench: [...(agentJSON.config.workbench as unknown[]), mcp] });
    assert.throws(
      () => loadComponent(withMcp, { tools: { calculator }, modelClients: () => playing(calculating) }),
      (error: unknown) =>
        HearthError.is(error) &&
        error.field === "config.workbench[1]" &&
        error.message.includes('options.workbenches under "Web Content Fetch Workbench"'),
    );
    const fetchTool = defineTool({
      name: "fetch",
      description: "Fetches a URL.",
      parameters: { type: "object", properties: { url: { type: "string" } } },
      execute: () => "page",
    });
    const workbench: Workbench = { tools: () => [fetchTool], toolsVersion: 1 };
    for (const key of ["Web Content Fetch Workbench", "config.workbench[1]"]) {
      const model = playing(() => "done");
      const agent = loadComponent(withMcp, {
        componentType: "agent",
        tools: { calculator },
        workbenches: { [key]: workbench },
        modelClients: () => model,
      });
      assert.ok(agent instanceof AssistantAgent);
      assert.deepEqual(agent.workbenches, [workbench]);
      await agent.run({ task: "Read example.com" });
      assert.deepEqual(
        model.requests[0]?.tools?.map((tool) => tool.name),
        ["calculator", "fetch"],
      );
    }
  });
});

// Checks the types a caller gets: a team where a team is asked for.
const _typed: (json: unknown, model: ModelClient) => Team = (json, model) =>
  loadComponent(json, { componentType: "team", modelClients: () => model });
void _typed;
