// What each entry point publishes, by name: adding or removing an export is a change to the public
// API, made here on purpose, never by a helper exported for a test.
import assert from "node:assert/strict";
import { test } from "node:test";

const published: Readonly<Record<string, readonly string[]>> = {
  hearth: [
    "AgentTool",
    "AndTermination",
    "AssistantAgent",
    "AzureOpenAIChatCompletionClient",
    "BaseChatAgent",
    "BaseGroupChat",
    "BaseTermination",
    "ConnectionPools",
    "ExternalTermination",
    "FunctionCallTermination",
    "HandoffTermination",
    "HearthError",
    "HttpApp",
    "MaxMessageTermination",
    "MemorySessionStore",
    "OpenAIChatCompletionClient",
    "OrTermination",
    "RedisSessionStore",
    "RoundRobinGroupChat",
    "Runtime",
    "SelectorGroupChat",
    "Session",
    "SourceMatchTermination",
    "SqliteSessionStore",
    "StopMessageTermination",
    "Swarm",
    "TeamTool",
    "TextMentionTermination",
    "TimeoutTermination",
    "TokenUsageTermination",
    "UserError",
    "UserProxyAgent",
    "addSecrets",
    "approximateTokenCount",
    "asset",
    "bufferedContext",
    "chatMessageText",
    "createRuntime",
    "defaultSelectorPrompt",
    "defaultSystemMessage",
    "defineApp",
    "defineTool",
    "headAndTailContext",
    "inFactory",
    "isChatMessage",
    "isWorkbench",
    "modelInfoFor",
    "redact",
    "resource",
    "sessionFormatVersion",
    "sqliteSchemaVersion",
    "syntheticRun",
    "tokenLimitedContext",
    "turnFromStream",
    "unboundedContext",
  ],
  "hearth/testing": [
    "ScriptedModelClient",
    "echoResponder",
    "hasRedisServer",
    "redisSkipReason",
    "startMockOpenAIServer",
    "startRedisServer",
  ],
  "hearth/node": ["createNodeHandler", "createNodeListener", "serve"],
  "hearth/fetch": ["createFetchHandler", "toHttpRequest", "toResponse"],
  "hearth/lambda": ["createLambdaHandler", "createStreamingLambdaHandler", "isKeepWarmPing"],
  "hearth/cli": ["closeOnSignals", "loadApp", "serveCommand"],
  "hearth/mcp": ["McpWorkbench", "mcpServer", "providerToolNames", "resultText"],
};

for (const [entry, names] of Object.entries(published)) {
  test(`${entry} exports exactly its public API`, async () => {
    const module = (await import(entry)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(module).sort(), [...names].sort());
  });
}
