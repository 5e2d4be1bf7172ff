// Reads the JSON that AutoGen AgentChat 0.7 writes with save_state(), so saved conversations can
// move to hearth. Pure functions over plain data; what cannot be read is an invalid session.
import { newId, type AgentMessage, type ToolCall, type ToolResult, type Usage } from "../core/messages.ts";
import type { ModelMessage } from "../core/model-client.ts";
import { invalidSession } from "../core/session.ts";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map((part) => (typeof part === "string" ? part : "[image]")).join("\n");
  return value === undefined || value === null ? "" : JSON.stringify(value);
}

function functionCalls(value: unknown): ToolCall[] {
  return (Array.isArray(value) ? value : []).filter(isObject).map((call, index) => ({
    id: typeof call.id === "string" ? call.id : `call_${index}`,
    name: String(call.name ?? ""),
    arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments ?? {}),
  }));
}

function functionResults(value: unknown): ToolResult[] {
  return (Array.isArray(value) ? value : []).filter(isObject).map((result) => ({
    callId: String(result.call_id ?? ""),
    name: String(result.name ?? ""),
    content: text(result.content),
    isError: result.is_error === true,
  }));
}

/** AutoGen's LLM messages (`llm_context.messages`) as hearth's model context. System messages are
 * dropped: in hearth the system message belongs to the agent definition, not the conversation. */
export function modelMessagesFromAutoGen(messages: unknown): ModelMessage[] {
  if (!Array.isArray(messages)) throw invalidSession("AutoGen llm_context.messages must be an array");
  const context: ModelMessage[] = [];
  messages.forEach((message: unknown, index) => {
    if (!isObject(message)) throw invalidSession(`AutoGen llm_context.messages[${index}] is not an object`);
    const source = typeof message.source === "string" ? { source: message.source } : {};
    switch (message.type) {
      case "SystemMessage":
        return;
      case "UserMessage":
        context.push({ role: "user", content: text(message.content), ...source });
        return;
      case "AssistantMessage":
        if (Array.isArray(message.content))
          context.push({ role: "assistant", content: "", toolCalls: functionCalls(message.content), ...source });
        else
          context.push({
            role: "assistant",
            content: text(message.content),
            ...source,
            ...(typeof message.thought === "string" ? { thought: message.thought } : {}),
          });
        return;
      case "FunctionExecutionResultMessage":
        context.push({ role: "tool", results: functionResults(message.content) });
        return;
      default:
        throw invalidSession(
          `AutoGen llm_context.messages[${index}] has an unknown type ${JSON.stringify(message.type)}`,
        );
    }
  });
  return context;
}

function usageOf(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined;
  return { promptTokens: Number(value.prompt_tokens ?? 0), completionTokens: Number(value.completion_tokens ?? 0) };
}

/** AutoGen's serialised chat messages and events (a team's `message_thread`) as hearth messages;
 * stream chunks and selector bookkeeping events are skipped, as hearth does not store them. */
export function agentMessagesFromAutoGen(messages: unknown): AgentMessage[] {
  if (!Array.isArray(messages)) throw invalidSession("AutoGen message_thread must be an array");
  const converted: AgentMessage[] = [];
  messages.forEach((message: unknown, index) => {
    if (!isObject(message) || typeof message.type !== "string")
      throw invalidSession(`AutoGen message_thread[${index}] has no type`);
    const usage = usageOf(message.models_usage);
    const base = {
      id: typeof message.id === "string" ? message.id : newId("msg"),
      source: String(message.source ?? "user"),
      createdAt:
        typeof message.created_at === "string" && !Number.isNaN(Date.parse(message.created_at))
          ? new Date(message.created_at).toISOString()
          : new Date(0).toISOString(),
      ...(usage === undefined ? {} : { usage }),
    };
    const type = message.type;
    if (type === "TextMessage" || type === "MultiModalMessage")
      converted.push({ ...base, type: "text", content: text(message.content) });
    else if (type === "StopMessage") converted.push({ ...base, type: "stop", content: text(message.content) });
    else if (type === "HandoffMessage")
      converted.push({
        ...base,
        type: "handoff",
        target: String(message.target ?? ""),
        content: text(message.content),
      });
    else if (type === "ToolCallSummaryMessage") {
      converted.push({
        ...base,
        type: "tool-call-summary",
        content: text(message.content),
        toolCalls: functionCalls(message.tool_calls),
        results: functionResults(message.results),
      });
    } else if (type.startsWith("StructuredMessage"))
      converted.push({ ...base, type: "structured", content: message.content });
    else if (type === "ToolCallRequestEvent")
      converted.push({ ...base, type: "tool-call-request", toolCalls: functionCalls(message.content) });
    else if (type === "ToolCallExecutionEvent")
      converted.push({ ...base, type: "tool-call-execution", results: functionResults(message.content) });
    else if (type === "ThoughtEvent") converted.push({ ...base, type: "thought", content: text(message.content) });
    else if (type === "UserInputRequestedEvent")
      converted.push({ ...base, type: "user-input-requested", content: text(message.content) });
    else if (
      type === "ModelClientStreamingChunkEvent" ||
      type === "SelectSpeakerEvent" ||
      type === "SelectorEvent" ||
      type === "MemoryQueryEvent"
    )
      return;
    else throw invalidSession(`AutoGen message_thread[${index}] has an unknown type ${JSON.stringify(type)}`);
  });
  return converted;
}
