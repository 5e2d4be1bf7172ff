import { assistantAgent, societyOfMindAgent, userProxyAgent } from "./agents.ts";
import { graphFlow } from "./graph-flow.ts";
import { listMemory } from "./memory.ts";
import type { ComponentKind, ProviderEntry } from "./loader.ts";
import { modelContextBuilders } from "./model-contexts.ts";
import { anthropicClient, azureOpenAIClient, openAIClient } from "./model-clients.ts";
import { roundRobinGroupChat, selectorGroupChat, swarm } from "./teams.ts";
import { combinedTermination, terminationBuilders } from "./terminations.ts";

/** Every AutoGen provider hearth builds, under the name AutoGen's `dump_component()` writes. */
export const providers: ReadonlyMap<string, ProviderEntry> = new Map<string, ProviderEntry>([
  ["autogen_agentchat.agents.AssistantAgent", { kind: "agent", maxVersion: 2, build: assistantAgent }],
  ["autogen_agentchat.agents.UserProxyAgent", { kind: "agent", maxVersion: 1, build: userProxyAgent }],
  ["autogen_agentchat.agents.SocietyOfMindAgent", { kind: "agent", maxVersion: 1, build: societyOfMindAgent }],
  ["autogen_agentchat.teams.RoundRobinGroupChat", { kind: "team", maxVersion: 1, build: roundRobinGroupChat }],
  ["autogen_agentchat.teams.SelectorGroupChat", { kind: "team", maxVersion: 1, build: selectorGroupChat }],
  ["autogen_agentchat.teams.Swarm", { kind: "team", maxVersion: 1, build: swarm }],
  ["autogen_agentchat.teams.GraphFlow", { kind: "team", maxVersion: 1, build: graphFlow }],
  ["autogen_core.memory.ListMemory", { kind: "memory", maxVersion: 1, build: listMemory }],
  ["autogen_ext.models.openai.OpenAIChatCompletionClient", { kind: "model", maxVersion: 1, build: openAIClient }],
  [
    "autogen_ext.models.openai.AzureOpenAIChatCompletionClient",
    { kind: "model", maxVersion: 1, build: azureOpenAIClient },
  ],
  [
    "autogen_ext.models.anthropic.AnthropicChatCompletionClient",
    { kind: "model", maxVersion: 1, build: anthropicClient },
  ],
  [
    "autogen_agentchat.base.AndTerminationCondition",
    { kind: "termination", maxVersion: 1, build: combinedTermination("and") },
  ],
  [
    "autogen_agentchat.base.OrTerminationCondition",
    { kind: "termination", maxVersion: 1, build: combinedTermination("or") },
  ],
  ...Object.entries(terminationBuilders).map(([name, build]): [string, ProviderEntry] => [
    `autogen_agentchat.conditions.${name}`,
    { kind: "termination", maxVersion: 1, build },
  ]),
  ...Object.entries(modelContextBuilders).map(([name, build]): [string, ProviderEntry] => [
    `autogen_core.model_context.${name}`,
    { kind: "chat_completion_context", maxVersion: 1, build },
  ]),
  // Tools and workbenches are resolved by the loader (supplied by the app, or built from data).
  ["autogen_core.tools.FunctionTool", { kind: "tool", maxVersion: 1 }],
  ["autogen_agentchat.tools.AgentTool", { kind: "tool", maxVersion: 1 }],
  ["autogen_agentchat.tools.TeamTool", { kind: "tool", maxVersion: 1 }],
  ["autogen_core.tools.StaticWorkbench", { kind: "workbench", maxVersion: 1 }],
  ["autogen_core.tools.StaticStreamWorkbench", { kind: "workbench", maxVersion: 1 }],
  ["autogen_ext.tools.mcp.McpWorkbench", { kind: "workbench", maxVersion: 1 }],
]);

/** AutoGen components hearth does not build, with what to do instead. */
export const unsupportedProviders: ReadonlyMap<string, { readonly kind: ComponentKind; readonly hint: string }> =
  new Map<string, { readonly kind: ComponentKind; readonly hint: string }>([
    [
      "autogen_agentchat.agents.CodeExecutorAgent",
      { kind: "agent", hint: "hearth runs no code an agent writes; give an AssistantAgent a tool of the app's own." },
    ],
    ["autogen_agentchat.agents.MessageFilterAgent", { kind: "agent", hint: "hearth has no MessageFilterAgent." }],
    [
      "autogen_ext.agents.web_surfer.MultimodalWebSurfer",
      { kind: "agent", hint: "hearth drives no browser; give an AssistantAgent a fetch tool or an MCP server." },
    ],
    [
      "autogen_ext.agents.file_surfer.FileSurfer",
      { kind: "agent", hint: "give an AssistantAgent an MCP filesystem server." },
    ],
    [
      "autogen_agentchat.teams.MagenticOneGroupChat",
      { kind: "team", hint: "hearth has no MagenticOneGroupChat; SelectorGroupChat is the nearest." },
    ],
    [
      "autogen_ext.models.ollama.OllamaChatCompletionClient",
      {
        kind: "model",
        hint: 'use OpenAIChatCompletionClient with "base_url": "http://localhost:11434/v1" (Ollama\'s OpenAI-compatible API), or supply a client in options.modelClients.',
      },
    ],
    [
      "autogen_ext.models.anthropic.AnthropicBedrockChatCompletionClient",
      { kind: "model", hint: "hearth does not sign AWS requests; supply a client in options.modelClients." },
    ],
    [
      "autogen_ext.models.azure.AzureAIChatCompletionClient",
      { kind: "model", hint: "use AzureOpenAIChatCompletionClient, or supply a client in options.modelClients." },
    ],
    [
      "autogen_ext.models.replay.ReplayChatCompletionClient",
      {
        kind: "model",
        hint: "hearth/testing's ScriptedModelClient plays that part: supply it in options.modelClients.",
      },
    ],
    [
      "autogen_ext.memory.chromadb.ChromaDBVectorMemory",
      {
        kind: "memory",
        hint: "hearth has no vector memory; an app's own Memory can be given to an AssistantAgent in code.",
      },
    ],
    [
      "autogen_ext.memory.mem0.Mem0Memory",
      {
        kind: "memory",
        hint: "hearth has no Mem0 memory; an app's own Memory can be given to an AssistantAgent in code.",
      },
    ],
    [
      "autogen_agentchat.conditions.FunctionalTermination",
      { kind: "termination", hint: "AutoGen does not serialise its function either." },
    ],
  ]);
