/**
 * Messages and events that agents and teams exchange: AutoGen AgentChat's set, as plain JSON-safe
 * objects with a `type` discriminator. Every field is a string, number, boolean, array or object,
 * so a message survives `JSON.parse(JSON.stringify(message))` unchanged.
 */

import { type MultiModalContent, multiModalText } from "./images.ts";
import type { MemoryContent } from "./memory.ts";
import type { ModelMessage } from "./model-client.ts";

export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Of the prompt tokens, those read from the provider's prompt cache (billed lower), when it says. */
  readonly cachedPromptTokens?: number;
  /** Prompt tokens written to the provider's prompt cache (Anthropic's cache_creation_input_tokens), when it says. */
  readonly cacheWritePromptTokens?: number;
  /** Of the completion tokens, those spent on reasoning the reply does not show, when the provider says. */
  readonly reasoningTokens?: number;
}

export const zeroUsage: Usage = Object.freeze({ promptTokens: 0, completionTokens: 0 });

const usageDetails = ["cachedPromptTokens", "cacheWritePromptTokens", "reasoningTokens"] as const;

export function addUsage(a: Usage, b: Usage | undefined): Usage {
  if (b === undefined) return a;
  const sum: { -readonly [K in keyof Usage]: Usage[K] } = {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
  };
  // A detail is carried only when either side reports it: a provider that never does adds no fields.
  for (const key of usageDetails)
    if (a[key] !== undefined || b[key] !== undefined) sum[key] = (a[key] ?? 0) + (b[key] ?? 0);
  return sum;
}

/** A function call the model asked for. `arguments` is the raw JSON text the model produced. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

/** The outcome of one tool call; `isError` results are shown to the model like any other. */
export interface ToolResult {
  readonly callId: string;
  readonly name: string;
  readonly content: string;
  readonly isError: boolean;
  /** Set on error results: one of the HEARTH_TOOL_* codes in docs/errors.md. */
  readonly errorCode?: string;
}

interface MessageBase {
  readonly id: string;
  /** The name of the agent (or "user") that produced it. */
  readonly source: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** Tokens used by the model call that produced this message, when one did. */
  readonly usage?: Usage;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface TextMessage extends MessageBase {
  readonly type: "text";
  readonly content: string;
}

/**
 * Text and images (AutoGen's MultiModalMessage): a task that shows the model pictures. Each image
 * is kept as given, by reference (its URL) or inline (its base64 data), in the session too.
 */
export interface MultiModalMessage extends MessageBase {
  readonly type: "multi-modal";
  readonly content: MultiModalContent;
}

/** A handoff to another agent (or to the user), as the Swarm team uses. */
export interface HandoffMessage extends MessageBase {
  readonly type: "handoff";
  readonly target: string;
  readonly content: string;
  /**
   * What the sender's model did before handing off (AutoGen's `HandoffMessage.context`, as a loaded
   * AutoGen state holds it): the receiver's model reads it just before the handoff itself.
   */
  readonly context?: readonly ModelMessage[];
}

export interface StopMessage extends MessageBase {
  readonly type: "stop";
  readonly content: string;
}

/** What an agent returns instead of a reflection when it does not reflect on its tool use. */
export interface ToolCallSummaryMessage extends MessageBase {
  readonly type: "tool-call-summary";
  readonly content: string;
  readonly toolCalls: readonly ToolCall[];
  readonly results: readonly ToolResult[];
}

/** A reply that follows an output schema: `content` is the parsed JSON, already validated. */
export interface StructuredMessage extends MessageBase {
  readonly type: "structured";
  readonly content: unknown;
}

/** Messages that agents send to each other: they make up a team's shared thread. */
export type ChatMessage =
  | TextMessage
  | MultiModalMessage
  | HandoffMessage
  | StopMessage
  | ToolCallSummaryMessage
  | StructuredMessage;

const chatMessageTypes: ReadonlySet<string> = new Set([
  "text",
  "multi-modal",
  "handoff",
  "stop",
  "tool-call-summary",
  "structured",
]);

export function isChatMessage(message: AgentMessage): message is ChatMessage {
  return chatMessageTypes.has(message.type);
}

/** The text a model (or a person) reads for a chat message; a multimodal message's images as `[image]`. */
export function chatMessageText(message: ChatMessage): string {
  if (message.type === "structured") return JSON.stringify(message.content);
  return message.type === "multi-modal" ? multiModalText(message.content) : message.content;
}

export interface ToolCallRequestEvent extends MessageBase {
  readonly type: "tool-call-request";
  readonly toolCalls: readonly ToolCall[];
}

export interface ToolCallExecutionEvent extends MessageBase {
  readonly type: "tool-call-execution";
  readonly results: readonly ToolResult[];
}

/** Reasoning the model exposed (o-series `reasoning_content`, `<think>` blocks). */
export interface ThoughtEvent extends MessageBase {
  readonly type: "thought";
  readonly content: string;
}

/** A piece of a streamed reply. Streams carry these; a TaskResult never does. */
export interface MessageDeltaEvent extends MessageBase {
  readonly type: "message-delta";
  readonly content: string;
}

/** A UserProxyAgent is waiting for a person's input. */
export interface UserInputRequestedEvent extends MessageBase {
  readonly type: "user-input-requested";
  readonly content: string;
}

/** One call an agent or team used as a tool (AgentTool, TeamTool) ran inside: see WaitingToolCall. */
export interface ToolCallOrigin {
  /** The id of the call to the AgentTool or TeamTool. */
  readonly callId: string;
  /** That tool's name. */
  readonly tool: string;
  /** The agent that made the next call inside that run (in a team, the member whose turn waits). */
  readonly agent: string;
}

/** A call waiting for a person's approval, as a `tool-approval-request` event names it and `approvals` answer it. */
export interface WaitingToolCall extends ToolCall {
  /**
   * Set when the call was made inside an agent or team used as a tool: the calls it runs inside,
   * outermost first. Its `id` is then theirs and its own joined by "/" (`"call_7/call_2"`), so calls
   * of different inner runs never share an id.
   */
  readonly within?: readonly ToolCallOrigin[];
}

/**
 * The turn stopped before tool calls that wait for a person's approval (a tool's `needsApproval`):
 * the run's stop reason is "tool-approval-request", and the next run answers each call with
 * `approvals`. The calls of the same step that needed no approval have run already.
 */
export interface ToolApprovalRequestEvent extends MessageBase {
  readonly type: "tool-approval-request";
  /** The calls that wait: the agent's own, and those made inside an agent or team it called as a tool. */
  readonly toolCalls: readonly WaitingToolCall[];
  /** The results of the step's other calls, which ran at once; the step's `tool-call-execution` repeats them once it is whole. */
  readonly results: readonly ToolResult[];
}

/**
 * What an agent's memory added to its model requests for a turn (AutoGen's MemoryQueryEvent): one
 * for each memory that found something. Stored in the transcript; the memory's messages never are.
 */
export interface MemoryQueryEvent extends MessageBase {
  readonly type: "memory-query";
  /** The memory's name. */
  readonly memory: string;
  readonly content: readonly MemoryContent[];
}

/** Events describe what happened inside an agent's turn; other agents do not receive them. */
export type AgentEvent =
  | ToolCallRequestEvent
  | ToolCallExecutionEvent
  | ThoughtEvent
  | MessageDeltaEvent
  | UserInputRequestedEvent
  | ToolApprovalRequestEvent
  | MemoryQueryEvent;

/**
 * A message of a kind hearth does not know (an AutoGen `CodeExecutionEvent` in a loaded AutoGen
 * state), kept as it came: no model is shown it, no team member receives it, and the session
 * carries it unchanged.
 */
export interface ForeignMessage extends MessageBase {
  readonly type: "foreign";
  /** The format it was read from: "autogen". */
  readonly format: string;
  /** Its type in that format, such as "CodeExecutionEvent". */
  readonly foreignType: string;
  /** The message as it came, every field kept. */
  readonly data: Readonly<Record<string, unknown>>;
}

export type AgentMessage = ChatMessage | AgentEvent | ForeignMessage;

/** What `run()` resolves to and what `runStream()` yields last. */
export interface TaskResult {
  readonly type: "task-result";
  /** The task message, then every message and event of the run except stream deltas. */
  readonly messages: readonly AgentMessage[];
  /** Why the run ended; see docs for each value. */
  readonly stopReason: string;
  readonly usage: Usage;
  /** The validated value of a structured reply, when the agent has an output schema. */
  readonly output?: unknown;
}

let counter = 0;
const processTag = Math.random().toString(36).slice(2, 8);
let idMs = Number.NaN;
let idTime = "";

/** Unique ids without `node:crypto`; unique within a process and unlikely to collide across them. */
export function newId(prefix: string): string {
  counter += 1;
  // The time in base 36 is made once per millisecond: several ids are made in each.
  const now = Date.now();
  if (now !== idMs) {
    idMs = now;
    idTime = now.toString(36);
  }
  return `${prefix}_${idTime}${processTag}${counter.toString(36)}`;
}
