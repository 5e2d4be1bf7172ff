// The public API of hearth, each export by name.
export type { ChatAgent, RunOptions, RunStreamItem } from "./core/agent.ts";
export { errorCatalogue, httpStatusOf, type ErrorCode } from "./core/error-codes.ts";
export { HearthError, UserError, type HearthErrorFields } from "./core/errors.ts";
export type { JsonSchema, JsonValue } from "./core/json-schema.ts";
export type {
  AgentEvent,
  AgentMessage,
  ChatMessage,
  HandoffMessage,
  MessageDeltaEvent,
  StopMessage,
  TaskResult,
  TextMessage,
  ThoughtEvent,
  ToolCall,
  ToolCallExecutionEvent,
  ToolCallRequestEvent,
  ToolCallSummaryMessage,
  ToolResult,
  Usage,
} from "./core/messages.ts";
export type {
  CallOptions,
  FinishReason,
  ImagePart,
  ModelClient,
  ModelInfo,
  ModelMessage,
  ModelRequest,
  ModelResponse,
  ModelStreamChunk,
  ResponseFormat,
  TextPart,
  ToolChoice,
  ToolSchema,
} from "./core/model-client.ts";
export { Session, sessionFormatVersion, type SessionInit, type SessionJSON } from "./core/session.ts";
export type { StandardSchemaV1 } from "./core/standard-schema.ts";
export type { AnyTool, ArgumentCheck, Tool, ToolContext } from "./core/tool.ts";
export { ConnectionPools, sharedConnectionPools, type ConnectionPoolOptions } from "./models/connection-pools.ts";
export { modelInfoFor } from "./models/model-info.ts";
export { AzureOpenAIChatCompletionClient, type AzureOpenAIChatCompletionClientOptions } from "./models/openai/azure-client.ts";
export { OpenAIChatCompletionClient, type OpenAIChatCompletionClientOptions } from "./models/openai/openai-client.ts";
export type { SamplingOptions } from "./models/openai/wire-request.ts";
export { defineTool, type ToolArguments, type ToolDefinition } from "./tools/define-tool.ts";
export { executeToolCalls } from "./tools/execute-tool-calls.ts";
export { AssistantAgent, defaultSystemMessage, type AssistantAgentOptions } from "./agents/assistant-agent.ts";
