// AutoGen's option names, camel-cased, as a porter types them: each team, agent, termination
// condition and model client built with them (as docs/autogen.md lists them) and run, to show the
// alias took effect; AutoGen's options hearth does not have are refused with the reason; and the
// porting tables in docs/autogen.md agree with what each constructor accepts, aliases and refuses.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import {
  AgentTool,
  AnthropicChatCompletionClient,
  AssistantAgent,
  AzureOpenAIChatCompletionClient,
  ConnectionPools,
  DiGraphBuilder,
  defineApp,
  defineTool,
  GraphFlow,
  HandoffTermination,
  HearthError,
  MaxMessageTermination,
  OpenAIChatCompletionClient,
  RoundRobinGroupChat,
  SelectorGroupChat,
  SocietyOfMindAgent,
  Swarm,
  TeamTool,
  TextMentionTermination,
  TokenUsageTermination,
  UserProxyAgent,
  bufferedContext,
  type AgentMessage,
  type TaskResult,
} from "hearth";
import {
  ScriptedModelClient,
  startMockAnthropicServer,
  startMockOpenAIServer,
  type MockAnthropicServer,
  type MockOpenAIServer,
} from "hearth/testing";
import {
  assistantAgentOptionNames,
  societyOfMindAgentOptionNames,
  userProxyAgentOptionNames,
} from "../src/agents/option-names.ts";
import type { OptionNames } from "../src/core/known-options.ts";
import { listMemoryOptionNames } from "../src/memory/option-names.ts";
import {
  anthropicClientOptionNames,
  azureClientOptionNames,
  openAIClientOptionNames,
} from "../src/models/option-names.ts";
import {
  maxMessageTerminationOptionNames,
  roundRobinGroupChatOptionNames,
  selectorGroupChatOptionNames,
  swarmOptionNames,
  textMentionTerminationOptionNames,
  tokenUsageTerminationOptionNames,
} from "../src/teams/option-names.ts";
import { scriptedModelClientOptionNames } from "../src/testing/option-names.ts";
import { taskRunnerToolOptionNames } from "../src/tools/option-names.ts";

const lastText = (result: TaskResult): string => {
  const last = result.messages.at(-1);
  return last !== undefined && "content" in last && typeof last.content === "string" ? last.content : "";
};
const sources = (messages: readonly AgentMessage[]) => messages.map((message) => message.source);

function refusal(build: () => unknown, field: string, pattern: RegExp): void {
  assert.throws(build, (error: unknown) => {
    assert.ok(HearthError.is(error, "HEARTH_CONFIG_INVALID"), String(error));
    assert.equal(error.field, field);
    assert.match(error.message, pattern);
    return true;
  });
}

describe("agents built with AutoGen's names", () => {
  test("AssistantAgent: outputContentType is the output schema, validated and returned as output", async () => {
    const modelClient = new ScriptedModelClient({ replies: ['{"city":"Paris"}'] });
    const agent = new AssistantAgent({
      name: "assistant",
      modelClient,
      description: "Answers with a city.",
      systemMessage: "Name the capital.",
      modelContext: bufferedContext(10),
      modelClientStream: false,
      outputContentType: {
        type: "object",
        properties: { city: { type: "string" } },
        required: ["city"],
        additionalProperties: false,
      },
    });
    const result = await agent.run({ task: "France?" });
    assert.deepEqual(result.output, { city: "Paris" });
    assert.equal(result.messages.at(-1)?.type, "structured");
    assert.equal(modelClient.requests[0]?.responseFormat?.type, "json_schema");
    assert.deepEqual(modelClient.requests[0]?.messages[0], { role: "system", content: "Name the capital." });
  });

  test("AssistantAgent: tools, reflectOnToolUse, maxToolIterations, toolCallSummaryFormat, modelClientStream", async () => {
    const lookup = defineTool({
      name: "lookup",
      description: "The answer.",
      parameters: { type: "object", properties: {} },
      execute: () => "42",
    });
    const modelClient = new ScriptedModelClient({ replies: [{ toolCalls: [{ name: "lookup", arguments: {} }] }] });
    const agent = new AssistantAgent({
      name: "assistant",
      modelClient,
      tools: [lookup],
      reflectOnToolUse: false,
      maxToolIterations: 1,
      toolCallSummaryFormat: "{tool_name} said {result}",
      modelClientStream: true,
      parallelToolCalls: false,
    });
    const result = await agent.run({ task: "What is the answer?" });
    assert.equal(result.messages.at(-1)?.type, "tool-call-summary");
    assert.equal(lastText(result), "lookup said 42");
    assert.equal(modelClient.requests[0]?.parallelToolCalls, false);
  });

  test("AssistantAgent: AutoGen's options hearth does not have are refused with the reason", () => {
    const modelClient = new ScriptedModelClient();
    refusal(
      () => new AssistantAgent({ name: "a", modelClient, metadata: { team: "x" } } as never),
      "metadata",
      /AssistantAgent "a": AutoGen's option "metadata" is not supported\. hearth's agents carry no metadata/,
    );
    refusal(
      () => new AssistantAgent({ name: "a", modelClient, toolCallSummaryFormatter: () => "" } as never),
      "toolCallSummaryFormatter",
      /Give `toolCallSummaryFormat`/,
    );
    refusal(
      () => new AssistantAgent({ name: "a", modelClient, systemMesage: "hi" } as never),
      "systemMesage",
      /AssistantAgent "a" has no option "systemMesage"\. Did you mean "systemMessage"\?/,
    );
    refusal(
      () => new AssistantAgent({ name: "a", modelClient, outputSchema: {}, outputContentType: {} }),
      "outputContentType",
      /give "outputSchema" or AutoGen's name for it, "outputContentType", not both/,
    );
  });

  test("UserProxyAgent: name, description and inputFunc as AutoGen names them", async () => {
    const agent = new UserProxyAgent({ name: "user", description: "A person.", inputFunc: () => "yes" });
    const result = await agent.run({ task: "Ship it?" });
    assert.equal(lastText(result), "yes");
    refusal(
      () => new UserProxyAgent({ name: "user", inputFunction: () => "" } as never),
      "inputFunction",
      /"inputFunc"/,
    );
  });
});

describe("teams built with AutoGen's names", () => {
  const agent = (name: string, replies: string[]) =>
    new AssistantAgent({ name, modelClient: new ScriptedModelClient({ replies }) });

  test("RoundRobinGroupChat: terminationCondition stops the run", async () => {
    const team = new RoundRobinGroupChat({
      participants: [agent("writer", ["A draft."]), agent("critic", ["APPROVE"])],
      name: "review",
      description: "A writer and a critic.",
      terminationCondition: new TextMentionTermination("APPROVE"),
      maxTurns: 6,
    });
    const result = await team.run({ task: "Write a line." });
    assert.equal(result.stopReason, "Text 'APPROVE' mentioned");
    assert.deepEqual(sources(result.messages), ["user", "writer", "critic"]);
    assert.equal(team.termination?.description, '"APPROVE" mentioned');
  });

  test("SelectorGroupChat: terminationCondition, selectorPrompt, selectorFunc, candidateFunc and the rest", async () => {
    const selector = new ScriptedModelClient({ replies: ["critic"] });
    const team = new SelectorGroupChat({
      participants: [agent("writer", ["A draft."]), agent("critic", ["APPROVE"]), agent("editor", [])],
      modelClient: selector,
      name: "selected",
      description: "Chosen by a model.",
      terminationCondition: new TextMentionTermination("APPROVE"),
      maxTurns: 6,
      selectorPrompt: "Roles: {roles}. Pick one of {participants}.\n{history}",
      allowRepeatedSpeaker: false,
      maxSelectorAttempts: 2,
      selectorFunc: (thread) => (thread.length === 1 ? "writer" : null),
      candidateFunc: () => ["critic", "editor"],
    });
    const result = await team.run({ task: "Write a line." });
    assert.equal(result.stopReason, "Text 'APPROVE' mentioned");
    assert.deepEqual(sources(result.messages), ["user", "writer", "critic"]);
    const prompt = selector.requests[0]?.messages[0];
    assert.match(prompt?.role === "system" ? prompt.content : "", /^Roles: critic: /);
  });

  test("Swarm: terminationCondition stops on the handoff to the user", async () => {
    const modelClient = new ScriptedModelClient({
      replies: [{ toolCalls: [{ name: "transfer_to_user", arguments: {} }] }],
    });
    const triage = new AssistantAgent({ name: "triage", modelClient, handoffs: ["user"] });
    const team = new Swarm({
      participants: [triage],
      name: "desk",
      description: "A help desk.",
      terminationCondition: new HandoffTermination("user"),
      maxTurns: 4,
    });
    const result = await team.run({ task: "Help." });
    assert.match(result.stopReason, /^Handoff to user from triage detected/);
  });

  test("GraphFlow: terminationCondition stops the flow before its graph is done", async () => {
    const builder = new DiGraphBuilder()
      .addNode(agent("writer", ["A draft. STOP"]))
      .addNode(agent("publisher", ["Published."]));
    builder.addEdge("writer", "publisher");
    const flow = new GraphFlow({
      participants: builder.getParticipants(),
      graph: builder.build(),
      name: "pipeline",
      description: "Write, then publish.",
      terminationCondition: new TextMentionTermination("STOP"),
      maxTurns: 4,
    });
    const result = await flow.run({ task: "Go." });
    assert.equal(result.stopReason, "Text 'STOP' mentioned");
    assert.deepEqual(sources(result.messages), ["user", "writer"]);
    refusal(
      () => new GraphFlow({ participants: builder.getParticipants(), graph: builder.build(), runtime: {} } as never),
      "runtime",
      /GraphFlow: AutoGen's option "runtime" is not supported/,
    );
  });

  test("SocietyOfMindAgent: AutoGen's options, camel-cased", async () => {
    const inner = new RoundRobinGroupChat({ participants: [agent("writer", ["A story."])], maxTurns: 1 });
    const modelClient = new ScriptedModelClient({ replies: ["The story."] });
    const society = new SocietyOfMindAgent({
      name: "society",
      team: inner,
      modelClient,
      description: "Writes through its team.",
      instruction: "Here is what your team said:",
      responsePrompt: "Answer in one line.",
      modelContext: bufferedContext(4),
    });
    const result = await society.run({ task: "Write." });
    assert.equal(lastText(result), "The story.");
    const sent = modelClient.requests[0]?.messages.map((message) =>
      message.role !== "tool" && typeof message.content === "string" ? message.content : "",
    );
    assert.ok(sent?.includes("Here is what your team said:"));
    assert.equal(sent?.at(-1), "Answer in one line.");
  });

  test("every team refuses runtime, customMessageTypes and emitTeamEvents, and both names for one option", () => {
    const participants = [agent("writer", [])];
    const termination = new MaxMessageTermination(2);
    refusal(
      () => new RoundRobinGroupChat({ participants, maxTurns: 1, runtime: {} } as never),
      "runtime",
      /RoundRobinGroupChat: AutoGen's option "runtime" is not supported\. A hearth team runs in the process/,
    );
    refusal(
      () => new Swarm({ participants, maxTurns: 1, customMessageTypes: [] } as never),
      "customMessageTypes",
      /fixed set of JSON types/,
    );
    refusal(
      () =>
        new SelectorGroupChat({
          participants: [agent("a", []), agent("b", [])],
          modelClient: new ScriptedModelClient(),
          maxTurns: 1,
          emitTeamEvents: true,
        } as never),
      "emitTeamEvents",
      /stream carries its agents' messages/,
    );
    refusal(
      () => new RoundRobinGroupChat({ participants, termination, terminationCondition: termination }),
      "terminationCondition",
      /give "termination" or AutoGen's name for it, "terminationCondition", not both/,
    );
    refusal(
      () => new RoundRobinGroupChat({ participants, maxTurn: 3 } as never),
      "maxTurn",
      /Did you mean "maxTurns"\?/,
    );
  });
});

describe("termination conditions built with AutoGen's names", () => {
  const team = (terminationCondition: ConstructorParameters<typeof RoundRobinGroupChat>[0]["terminationCondition"]) =>
    new RoundRobinGroupChat({
      participants: [
        new AssistantAgent({ name: "a", modelClient: new ScriptedModelClient({ replies: ["one", "three"] }) }),
        new AssistantAgent({ name: "b", modelClient: new ScriptedModelClient({ replies: ["two DONE", "four"] }) }),
      ],
      ...(terminationCondition === undefined ? {} : { terminationCondition }),
      maxTurns: 4,
    });

  test("TokenUsageTermination: maxTotalToken (AutoGen's singular) is maxTotalTokens", async () => {
    const condition = new TokenUsageTermination({ maxTotalToken: 20 });
    assert.equal(condition.maxTotalTokens, 20);
    // Each scripted reply uses 15 tokens: the second reaches 20.
    const result = await team(condition).run({ task: "Count." });
    assert.match(result.stopReason, /^Token usage limit reached, total token count: 30/);
    refusal(() => new TokenUsageTermination({ maxTotalToken: 1, maxTotalTokens: 1 }), "maxTotalToken", /not both/);
  });

  test("MaxMessageTermination's includeAgentEvent and TextMentionTermination's sources", async () => {
    const counted = await team(new MaxMessageTermination(2, { includeAgentEvent: true })).run({ task: "Count." });
    assert.equal(counted.stopReason, "Maximum number of messages 2 reached, current message count: 2");
    const fromB = await team(new TextMentionTermination("DONE", { sources: ["b"] })).run({ task: "Count." });
    assert.equal(fromB.stopReason, "Text 'DONE' mentioned");
    refusal(
      () => new MaxMessageTermination(2, { includeAgentEvents: true } as never),
      "includeAgentEvents",
      /"includeAgentEvent"/,
    );
    refusal(() => new TextMentionTermination("x", { source: ["b"] } as never), "source", /Did you mean "sources"\?/);
  });
});

describe("model clients built with AutoGen's names", () => {
  let openai: MockOpenAIServer;
  let anthropic: MockAnthropicServer;
  const pools = new ConnectionPools();
  before(async () => {
    delete process.env.OPENAI_BASE_URL;
    delete process.env.ANTHROPIC_BASE_URL;
    openai = await startMockOpenAIServer();
    anthropic = await startMockAnthropicServer();
  });
  after(async () => {
    pools.close();
    await openai.close();
    await anthropic.close();
  });

  const ask = (modelClient: OpenAIChatCompletionClient | AnthropicChatCompletionClient) =>
    new AssistantAgent({ name: "assistant", modelClient }).run({ task: "Hello" });

  test("OpenAIChatCompletionClient: baseUrl and defaultHeaders reach the provider", async () => {
    openai.requests.length = 0;
    const modelClient = new OpenAIChatCompletionClient({
      model: "gpt-4o",
      apiKey: "sk-porting",
      baseUrl: openai.url,
      defaultHeaders: { "x-ported-from": "autogen" },
      maxRetries: 1,
      modelInfo: { vision: false },
      parallelToolCalls: true,
      temperature: 0.2,
      connectionPools: pools,
    });
    assert.equal(lastText(await ask(modelClient)), "You said: Hello");
    const request = openai.requests[0];
    assert.equal(request?.headers["x-ported-from"], "autogen");
    assert.equal(request?.headers.authorization, "Bearer sk-porting");
    assert.equal(request?.body?.temperature, 0.2);
  });

  test("AzureOpenAIChatCompletionClient: defaultHeaders beside Azure's own names", async () => {
    openai.requests.length = 0;
    const modelClient = new AzureOpenAIChatCompletionClient({
      model: "gpt-4o",
      azureEndpoint: openai.url,
      azureDeployment: "gpt-4o-prod",
      apiVersion: "2024-10-21",
      apiKey: "azure-porting",
      defaultHeaders: { "x-ported-from": "autogen" },
      connectionPools: pools,
    });
    assert.equal(lastText(await ask(modelClient)), "You said: Hello");
    const request = openai.requests[0];
    assert.match(request?.path ?? "", /\/openai\/deployments\/gpt-4o-prod\/chat\/completions/);
    assert.equal(request?.headers["api-key"], "azure-porting");
    assert.equal(request?.headers["x-ported-from"], "autogen");
  });

  test("AnthropicChatCompletionClient: baseUrl and defaultHeaders reach the provider", async () => {
    anthropic.requests.length = 0;
    const modelClient = new AnthropicChatCompletionClient({
      model: "claude-haiku-4-5",
      apiKey: "sk-ant-porting",
      baseUrl: anthropic.url,
      defaultHeaders: { "x-ported-from": "autogen" },
      maxTokens: 256,
      connectionPools: pools,
    });
    assert.equal(lastText(await ask(modelClient)), "You said: Hello");
    const request = anthropic.requests[0];
    assert.equal(request?.headers["x-ported-from"], "autogen");
    assert.equal(request?.headers["x-api-key"], "sk-ant-porting");
    assert.equal(request?.body?.max_tokens, 256);
  });

  test("a client refuses AutoGen's seconds-based timeout, and both names for one option", () => {
    refusal(
      () => new OpenAIChatCompletionClient({ model: "m", baseURL: openai.url, timeout: 30 } as never),
      "timeout",
      /AutoGen's `timeout` is in seconds; hearth's `timeoutMs` is in milliseconds/,
    );
    refusal(
      () => new AnthropicChatCompletionClient({ model: "m", baseURL: anthropic.url, baseUrl: anthropic.url }),
      "baseUrl",
      /give "baseURL" or AutoGen's name for it, "baseUrl", not both/,
    );
    refusal(
      () =>
        new AzureOpenAIChatCompletionClient({
          model: "m",
          azureEndpoint: openai.url,
          azureDeployment: "d",
          apiVersion: "v",
          n: 2,
        } as never),
      "n",
      /hearth asks for one choice per call/,
    );
  });
});

describe("tools, the scripted client and the app", () => {
  test("AgentTool and TeamTool as AutoGen makes them; returnValueAsLastMessage is refused", async () => {
    const expert = new AssistantAgent({ name: "expert", modelClient: new ScriptedModelClient({ replies: ["4"] }) });
    const panel = new RoundRobinGroupChat({
      participants: [
        new AssistantAgent({ name: "panelist", modelClient: new ScriptedModelClient({ replies: ["5"] }) }),
      ],
      maxTurns: 1,
    });
    const asker = new AssistantAgent({
      name: "asker",
      modelClient: new ScriptedModelClient({
        replies: [
          {
            toolCalls: [
              { name: "expert", arguments: { task: "2+2?" } },
              { name: "panel", arguments: { task: "2+3?" } },
            ],
          },
        ],
      }),
      tools: [new AgentTool(expert), new TeamTool(panel, { name: "panel", description: "Adds." })],
    });
    const result = await asker.run({ task: "Sums." });
    const execution = result.messages.find((message) => message.type === "tool-call-execution");
    assert.deepEqual(execution?.type === "tool-call-execution" ? execution.results.map((item) => item.content) : [], [
      "4",
      "5",
    ]);
    refusal(
      () => new AgentTool(expert, { returnValueAsLastMessage: true } as never),
      "returnValueAsLastMessage",
      /^AgentTool: AutoGen's option "returnValueAsLastMessage" is not supported\. hearth's AgentTool and TeamTool always answer/,
    );
  });

  test("ScriptedModelClient takes ReplayChatCompletionClient's chatCompletions", async () => {
    const modelClient = new ScriptedModelClient({ chatCompletions: ["replayed"] });
    const result = await new AssistantAgent({ name: "a", modelClient }).run({ task: "Hi" });
    assert.equal(lastText(result), "replayed");
  });

  test("defineApp names the option it does not know, and takes an app spread into a new definition", () => {
    refusal(
      () => defineApp({ name: "port", agent: {} } as never),
      "agent",
      /App "port" has no option "agent"\. Did you mean "agents"\?/,
    );
    const app = defineApp({ name: "port" });
    assert.equal(defineApp({ ...app, keepWarm: false }).keepWarm, false);
  });
});

// The porting tables of docs/autogen.md, read as data: each row's AutoGen option (snake_case, as
// AutoGen spells it) and the hearth option it maps to.
const sections: Readonly<Record<string, OptionNames>> = {
  AssistantAgent: assistantAgentOptionNames,
  UserProxyAgent: userProxyAgentOptionNames,
  SocietyOfMindAgent: societyOfMindAgentOptionNames,
  RoundRobinGroupChat: roundRobinGroupChatOptionNames,
  SelectorGroupChat: selectorGroupChatOptionNames,
  Swarm: swarmOptionNames,
  MaxMessageTermination: maxMessageTerminationOptionNames,
  TextMentionTermination: textMentionTerminationOptionNames,
  TokenUsageTermination: tokenUsageTerminationOptionNames,
  OpenAIChatCompletionClient: openAIClientOptionNames,
  AzureOpenAIChatCompletionClient: azureClientOptionNames,
  AnthropicChatCompletionClient: anthropicClientOptionNames,
  "AgentTool and TeamTool": taskRunnerToolOptionNames,
  ReplayChatCompletionClient: scriptedModelClientOptionNames,
  ListMemory: listMemoryOptionNames,
};

interface Row {
  readonly autogen: string | undefined;
  readonly hearth: string;
}

function tableAfter(document: string, heading: string): Row[] {
  const start = document.indexOf(`\n### ${heading}\n`);
  assert.notEqual(start, -1, `docs/autogen.md has no "### ${heading}" section`);
  const rest = document.slice(start + heading.length + 6);
  const body = rest.slice(0, rest.search(/\n#{2,3} /) === -1 ? undefined : rest.search(/\n#{2,3} /));
  const lines = body.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| AutoGen"));
  assert.ok(lines.length > 0, `"### ${heading}" has no table`);
  return lines.map((line) => {
    const [autogen = "", hearth = ""] = line.slice(2).split(" | ");
    return { autogen: /^`(\w+)`/.exec(autogen)?.[1], hearth: hearth.trim() };
  });
}

const camelCase = (name: string) => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

test("the porting tables of docs/autogen.md say what each constructor accepts, aliases and refuses", () => {
  const document = readFileSync(new URL("../docs/autogen.md", import.meta.url), "utf8");
  for (const [heading, names] of Object.entries(sections)) {
    const rows = tableAfter(document, heading);
    const listed = new Set<string>();
    const hearthListed = new Set<string>();
    for (const { autogen, hearth } of rows) {
      const where = `${heading}, row ${autogen ?? hearth}`;
      const target = /^`(\w+)`/.exec(hearth)?.[1];
      if (target !== undefined) hearthListed.add(target);
      if (autogen === undefined) {
        assert.ok(target !== undefined && names.accepted.includes(target), `${where}: hearth's own option is accepted`);
        continue;
      }
      const camel = camelCase(autogen);
      listed.add(camel);
      if (hearth.startsWith("not supported")) {
        assert.ok(names.refused?.[camel] !== undefined, `${where}: "${camel}" is refused with a reason`);
      } else if (/^(1st|2nd) argument/.test(hearth)) {
        assert.ok(!names.accepted.includes(camel), `${where}: an argument, not an option`);
      } else {
        assert.ok(target !== undefined, `${where}: names hearth's option`);
        if (camel === target) assert.ok(names.accepted.includes(target), `${where}: "${target}" is accepted`);
        else if (names.aliases?.[camel] !== undefined)
          assert.equal(names.aliases[camel], target, `${where}: "${camel}" is an alias of "${target}"`);
        else
          assert.ok(
            names.refused?.[camel]?.includes(`\`${target}\``),
            `${where}: "${camel}" is an alias of "${target}", or refused naming it`,
          );
      }
    }
    for (const name of names.accepted) assert.ok(hearthListed.has(name), `${heading}: "${name}" is in the table`);
    for (const name of [...Object.keys(names.aliases ?? {}), ...Object.keys(names.refused ?? {})])
      assert.ok(listed.has(name), `${heading}: AutoGen's "${name}" is in the table`);
  }
});
