// hearth's public API, each export by name, grouped as the docs are. A test (test/exports.test.ts)
// keeps the list of every entry point's exports, so nothing is published, or withdrawn, by accident.

// Agents and their runs.
export type { AgentResponse, AgentTurn, ChatAgent, Emit, RunOptions, RunStreamItem } from "./core/agent.ts";
export { syntheticRun, type RequestContext, type RunContext } from "./core/run-context.ts";
export {
  AssistantAgent,
  defaultSystemMessage,
  type AssistantAgentOptions,
  type SystemMessage,
} from "./agents/assistant-agent.ts";
export { BaseChatAgent, type AgentStateJSON } from "./agents/base-chat-agent.ts";
export { UserProxyAgent, type InputFunction, type UserProxyAgentOptions } from "./agents/user-proxy-agent.ts";
export {
  defaultSocietyOfMindInstruction,
  defaultSocietyOfMindResponsePrompt,
  SocietyOfMindAgent,
  type SocietyOfMindAgentOptions,
} from "./agents/society-of-mind-agent.ts";
export { turnFromStream } from "./agents/turn-runner.ts";
export type { HandoffOptions } from "./agents/handoff.ts";
export {
  approximateTokenCount,
  bufferedContext,
  headAndTailContext,
  tokenLimitedContext,
  unboundedContext,
  type ModelContext,
} from "./agents/model-context.ts";

// Messages, events and results.
export type {
  AgentEvent,
  AgentMessage,
  ChatMessage,
  ForeignMessage,
  HandoffMessage,
  MessageDeltaEvent,
  MultiModalMessage,
  StopMessage,
  StructuredMessage,
  TaskResult,
  TextMessage,
  ThoughtEvent,
  ToolCall,
  ToolCallExecutionEvent,
  ToolCallRequestEvent,
  ToolCallSummaryMessage,
  ToolResult,
  Usage,
  UserInputRequestedEvent,
  ToolApprovalRequestEvent,
  ToolCallOrigin,
  WaitingToolCall,
  MemoryQueryEvent,
} from "./core/messages.ts";
export { chatMessageText, isChatMessage } from "./core/messages.ts";
export type { ImageContent, ImageLimits, MultiModalContent, Task } from "./core/images.ts";

// Teams and termination.
export type { Team, TerminationCheck, TerminationCondition, TerminationContext } from "./core/team.ts";
export { BaseGroupChat, type GroupChatOptions, type TeamStateJSON } from "./teams/base-group-chat.ts";
export type { TeamParticipant } from "./teams/team-member.ts";
export { RoundRobinGroupChat } from "./teams/round-robin-group-chat.ts";
export {
  defaultSelectorPrompt,
  SelectorGroupChat,
  type SelectorGroupChatOptions,
} from "./teams/selector-group-chat.ts";
export { Swarm } from "./teams/swarm.ts";
export { GraphFlow, graphCompleteReason, type GraphFlowOptions } from "./teams/graph-flow.ts";
export { DiGraphBuilder, type EdgeOptions } from "./teams/digraph-builder.ts";
export type { Activation, DiGraph, DiGraphEdge, DiGraphNode, EdgeCondition } from "./teams/digraph.ts";
export {
  AndTermination,
  BaseTermination,
  ExternalTermination,
  FunctionCallTermination,
  HandoffTermination,
  MaxMessageTermination,
  OrTermination,
  FunctionalTermination,
  type ImmediateTerminationCheck,
  SourceMatchTermination,
  StopMessageTermination,
  type TerminationFunction,
  TextMentionTermination,
  TextMessageTermination,
  TimeoutTermination,
  TokenUsageTermination,
} from "./teams/termination.ts";

// Model clients.
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
export { OpenAIChatCompletionClient, type OpenAIChatCompletionClientOptions } from "./models/openai/openai-client.ts";
export {
  AzureOpenAIChatCompletionClient,
  type AzureOpenAIChatCompletionClientOptions,
} from "./models/openai/azure-client.ts";
export type { AzureAdToken, AzureAdTokenProvider } from "./models/openai/azure-ad-token.ts";
export type { SamplingOptions } from "./models/openai/wire-request.ts";
export {
  AnthropicChatCompletionClient,
  type AnthropicChatCompletionClientOptions,
} from "./models/anthropic/anthropic-client.ts";
export type { AnthropicSamplingOptions } from "./models/anthropic/wire-request.ts";
export { ConnectionPools, type ConnectionPoolOptions } from "./models/connection-pools.ts";
export { modelInfoFor } from "./models/model-info.ts";

// Tools.
export type {
  AnyTool,
  ApprovalContext,
  ArgumentCheck,
  NeedsApproval,
  ResumableTool,
  Tool,
  ToolContext,
  ToolOutcome,
} from "./core/tool.ts";
export type { PendingApproval, SuspendedToolCall, ToolApproval, ToolSuspension } from "./core/tool-approval.ts";
export { isWorkbench, type Workbench } from "./core/workbench.ts";
export type { ModelCallEvent, ToolCallEvent } from "./core/diagnostics.ts";
export type { Operation, OperationEnd } from "./core/operations.ts";
export type { JsonSchema, JsonValue } from "./core/json-schema.ts";
export type { StandardSchemaV1 } from "./core/standard-schema.ts";
export { defineTool, type ToolArguments, type ToolDefinition } from "./tools/define-tool.ts";
export { AgentTool, TeamTool, type TaskRunner, type TaskRunnerToolOptions } from "./tools/task-runner-tool.ts";

// Memory.
export type {
  Memory,
  MemoryContent,
  MemoryOptions,
  MemoryQueryResult,
  UpdateContextInput,
  UpdateContextResult,
} from "./core/memory.ts";
export { ListMemory, type ListMemoryJSON, type ListMemoryOptions } from "./memory/list-memory.ts";

// Sessions and where they are stored.
export {
  Session,
  sessionFormatVersion,
  type SessionChange,
  type SessionInit,
  type GraphProgress,
  type SessionJSON,
  type TeamState,
} from "./core/session.ts";
export type { PutOptions, SessionStore, StoredSession } from "./core/session-store.ts";
export { MemorySessionStore } from "./state/memory-session-store.ts";
export {
  SqliteSessionStore,
  sqliteSchemaVersion,
  type SqliteSessionStoreOptions,
} from "./state/sqlite-session-store.ts";
export { RedisSessionStore, type RedisSessionStoreOptions } from "./state/redis-session-store.ts";

// Apps and the runtime.
export {
  defineApp,
  type AnyApp,
  type App,
  type AppDefinition,
  type AssetValues,
  type AuthOptions,
  type ModelPrice,
  type ResourceValues,
  type WarmupOptions,
} from "./runtime/app.ts";
export { asset, type Asset } from "./runtime/asset.ts";
export type { RequestContextInput, RequestContextOptions } from "./runtime/request-context.ts";
export type { KeepWarmOptions } from "./runtime/keep-warm.ts";
export { resource, type Resource, type ResourceContext, type ResourceDefinition } from "./runtime/resource.ts";
export { inFactory } from "./runtime/construction-guard.ts";
export type { LogEntry, Logger, LogLevel } from "./internal/log.ts";
export type { DefinitionKind } from "./core/construction.ts";
export {
  createRuntime,
  Runtime,
  type AnyRuntime,
  type HealthReport,
  type RuntimeOptions,
  type RuntimeState,
} from "./runtime/runtime.ts";
export type { ContextForTurn, SessionTurnOptions, SessionTurnResult } from "./runtime/session-turn.ts";
export type { HistoryMessage } from "./runtime/session-history.ts";
export type { PhaseName, StartupTraceJSON, StepKind, TracePhase, TraceStep } from "./runtime/startup-trace.ts";
export type {
  TenantBuildContext,
  TenantCache,
  TenantCacheStats,
  TenantStack,
  TenantsOptions,
} from "./tenancy/tenant-cache.ts";

// The HTTP app every adapter (hearth/node, hearth/fetch, hearth/lambda) serves.
export { HttpApp, type HttpAppOptions } from "./server/http-app.ts";
export type { TenantLimits, TenantLimitsOptions } from "./server/tenant-limits.ts";
export type { AdmissionOptions } from "./server/admission.ts";
export type { RouteContext, RouteHandler } from "./server/routes.ts";
export type { HttpRequest, HttpResponse } from "./server/http-types.ts";

// Errors and secrets.
export { HearthError, UserError, type HearthErrorFields } from "./core/errors.ts";
export type { ErrorCode } from "./core/error-codes.ts";
export { addSecrets, redact } from "./internal/redact.ts";
