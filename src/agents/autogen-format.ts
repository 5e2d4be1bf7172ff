// Reads the JSON that AutoGen AgentChat writes with save_state() (0.4 to 0.7), so saved
// conversations can move to hearth. Pure functions over plain data; what cannot be read is an
// invalid session. hearth reads this format and writes none of it: a message of a kind hearth does
// not know is kept in the session as it came (a `foreign` message), so nothing read is lost.
import { imageUrl, type ImageContent } from "../core/images.ts";
import { newId, type AgentMessage, type ToolCall, type ToolResult, type Usage } from "../core/messages.ts";
import type { ImagePart, ModelMessage, TextPart } from "../core/model-client.ts";
import { invalidSession } from "../core/session.ts";
import { isoNow } from "../internal/clock.ts";

type Json = Record<string, unknown>;

export interface AutoGenReadOptions {
  /**
   * Whether the model that will read the context takes images. Default true. When false, a user
   * message's images become the text "<image>", as AutoGen's AssistantAgent sends them to such a
   * model (its `remove_images`).
   */
  readonly vision?: boolean;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
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

/** AutoGen's Image, saved as `{"data": <base64>}`. */
function imageOf(value: unknown, where: string): ImageContent {
  if (!isObject(value) || typeof value.data !== "string" || value.data === "")
    throw invalidSession(`AutoGen ${where} is neither text nor an image ({"data": <base64>})`);
  return { type: "image", data: value.data, mimeType: mimeTypeOf(value.data, where) };
}

/** The image's type from its first bytes, as AutoGen tells it when it sends one (JPEG when unknown). */
function mimeTypeOf(data: string, where: string): string {
  let head: string;
  try {
    head = atob(data.slice(0, 16));
  } catch (cause) {
    throw invalidSession(`AutoGen ${where} is not base64`, cause);
  }
  if (head.startsWith("\x89PNG\r\n\x1a\n")) return "image/png";
  if (head.startsWith("\xff\xd8\xff")) return "image/jpeg";
  if (head.startsWith("GIF87a") || head.startsWith("GIF89a")) return "image/gif";
  if (head.startsWith("RIFF") && head.slice(8, 12) === "WEBP") return "image/webp";
  return "image/jpeg";
}

/** A UserMessage's content: text, or text and images (each as a part, or as "<image>" for a model without vision). */
function userContent(content: unknown, where: string, vision: boolean): string | (TextPart | ImagePart)[] {
  if (!Array.isArray(content)) return text(content);
  const parts = content.map((part, index) => (typeof part === "string" ? part : imageOf(part, `${where}[${index}]`)));
  if (!vision) return parts.map((part) => (typeof part === "string" ? part : "<image>")).join("\n");
  return parts.map((part) =>
    typeof part === "string" ? { type: "text", text: part } : { type: "image", url: imageUrl(part) },
  );
}

/**
 * AutoGen's LLM messages (an `llm_context`'s messages) as hearth's model context: what AutoGen's
 * AssistantAgent sends its model after its own system message. A SystemMessage among them (what a
 * memory added) stays, as AutoGen sends it too; an assistant message's `thought` beside tool calls
 * becomes its text, as AutoGen's OpenAI client sends it.
 */
export function modelMessagesFromAutoGen(
  messages: unknown,
  options: AutoGenReadOptions = {},
  where = "llm_context.messages",
): ModelMessage[] {
  if (!Array.isArray(messages)) throw invalidSession(`AutoGen ${where} must be an array`);
  const vision = options.vision !== false;
  return messages.map((message: unknown, index): ModelMessage => {
    const at = `${where}[${index}]`;
    if (!isObject(message)) throw invalidSession(`AutoGen ${at} is not an object`);
    const source = typeof message.source === "string" ? { source: message.source } : {};
    const thought = typeof message.thought === "string" ? message.thought : undefined;
    switch (message.type) {
      case "SystemMessage":
        return { role: "system", content: text(message.content) };
      case "UserMessage":
        return { role: "user", content: userContent(message.content, `${at}.content`, vision), ...source };
      case "AssistantMessage":
        if (Array.isArray(message.content))
          return { role: "assistant", content: thought ?? "", toolCalls: functionCalls(message.content), ...source };
        return {
          role: "assistant",
          content: text(message.content),
          ...source,
          ...(thought === undefined ? {} : { thought }),
        };
      case "FunctionExecutionResultMessage":
        return { role: "tool", results: functionResults(message.content) };
      default:
        throw invalidSession(`AutoGen ${at} has an unknown type ${JSON.stringify(message.type)}`);
    }
  });
}

/**
 * The model context of a saved AssistantAgentState: its `llm_context.messages`, or its
 * `llm_messages`, as AutoGen 0.4's previews wrote it (the shape AutoGen's own state tutorial prints).
 * A state with neither (a stateless agent's `BaseState`) has an empty context.
 */
export function agentContextFromAutoGen(
  agentState: Readonly<Json>,
  options: AutoGenReadOptions = {},
  where = "",
): ModelMessage[] {
  const llmContext = agentState.llm_context;
  if (isObject(llmContext) && llmContext.messages !== undefined)
    return modelMessagesFromAutoGen(llmContext.messages, options, `${where}llm_context.messages`);
  if (agentState.llm_messages !== undefined)
    return modelMessagesFromAutoGen(agentState.llm_messages, options, `${where}llm_messages`);
  return [];
}

function usageOf(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined;
  return { promptTokens: Number(value.prompt_tokens ?? 0), completionTokens: Number(value.completion_tokens ?? 0) };
}

/** `metadata` (AutoGen's are strings; a value of another kind, which AutoGen's own types refuse, is kept as its JSON text). */
function metadataOf(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  const entries = Object.entries(value);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(
    entries.map(([key, entry]) => [key, typeof entry === "string" ? entry : JSON.stringify(entry)]),
  );
}

/** `created_at` as ISO 8601 UTC; a time written without a zone is UTC, as AutoGen writes its times. */
function timeOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const zoned = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value}Z`;
  const ms = Number.isNaN(Date.parse(zoned)) ? Date.parse(value) : Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * The times of messages some of which have none (AutoGen before 0.4.9 wrote no `created_at`): a
 * message without one takes the time of the message before it, those before the first dated
 * message take its time, and when none has a time, all take the time of loading.
 */
function fillTimes(times: readonly (string | undefined)[]): string[] {
  let last = times.find((time) => time !== undefined) ?? isoNow();
  return times.map((time) => {
    last = time ?? last;
    return last;
  });
}

type Body<M> = M extends AgentMessage ? Omit<M, "id" | "source" | "createdAt" | "usage" | "metadata"> : never;

/** One of AutoGen's serialised messages as what a hearth message says beyond its id, source and time. */
function bodyOf(message: Json, where: string): Body<AgentMessage> | undefined {
  const type = message.type as string;
  switch (type) {
    case "TextMessage":
      return { type: "text", content: text(message.content) };
    case "MultiModalMessage":
      if (!Array.isArray(message.content)) throw invalidSession(`AutoGen ${where}.content must be an array`);
      return {
        type: "multi-modal",
        content: message.content.map((part: unknown, index) =>
          typeof part === "string" ? part : imageOf(part, `${where}.content[${index}]`),
        ),
      };
    case "StopMessage":
      return { type: "stop", content: text(message.content) };
    case "HandoffMessage": {
      const context = modelMessagesFromAutoGen(message.context ?? [], {}, `${where}.context`);
      return {
        type: "handoff",
        target: String(message.target ?? ""),
        content: text(message.content),
        ...(context.length === 0 ? {} : { context }),
      };
    }
    case "ToolCallSummaryMessage":
      return {
        type: "tool-call-summary",
        content: text(message.content),
        toolCalls: functionCalls(message.tool_calls),
        results: functionResults(message.results),
      };
    case "ToolCallRequestEvent":
      return { type: "tool-call-request", toolCalls: functionCalls(message.content) };
    case "ToolCallExecutionEvent":
      return { type: "tool-call-execution", results: functionResults(message.content) };
    case "ThoughtEvent":
      return { type: "thought", content: text(message.content) };
    case "UserInputRequestedEvent":
      return { type: "user-input-requested", content: text(message.content) };
    case "ModelClientStreamingChunkEvent":
      // A piece of a reply whose whole message follows: a session keeps no stream deltas.
      return undefined;
    default:
      // StructuredMessage's type is its class name, "StructuredMessage[Content]".
      if (type.startsWith("StructuredMessage")) return { type: "structured", content: message.content };
      return { type: "foreign", format: "autogen", foreignType: type, data: structuredClone(message) };
  }
}

/**
 * AutoGen's serialised chat messages and events (a team's `message_thread`, a member's
 * `message_buffer`) as hearth messages. Ids, usage and metadata are kept; times as `fillTimes`
 * says. A message of a type hearth does not know (`CodeExecutionEvent`, `MemoryQueryEvent`,
 * `SelectSpeakerEvent`, one of the application's own) becomes a `foreign` message holding it
 * unchanged; stream chunks are left out.
 */
export function agentMessagesFromAutoGen(messages: unknown, where = "message_thread"): AgentMessage[] {
  if (!Array.isArray(messages)) throw invalidSession(`AutoGen ${where} must be an array`);
  const read: { readonly message: Omit<AgentMessage, "createdAt">; readonly time: string | undefined }[] = [];
  messages.forEach((message: unknown, index) => {
    const at = `${where}[${index}]`;
    if (!isObject(message) || typeof message.type !== "string") throw invalidSession(`AutoGen ${at} has no type`);
    const body = bodyOf(message, at);
    if (body === undefined) return;
    const usage = usageOf(message.models_usage);
    const metadata = metadataOf(message.metadata);
    read.push({
      message: {
        id: typeof message.id === "string" ? message.id : newId("msg"),
        source: String(message.source ?? "user"),
        ...(usage === undefined ? {} : { usage }),
        ...(metadata === undefined ? {} : { metadata }),
        ...body,
      } as Omit<AgentMessage, "createdAt">,
      time: timeOf(message.created_at),
    });
  });
  const times = fillTimes(read.map((entry) => entry.time));
  return read.map((entry, index) => ({ ...entry.message, createdAt: times[index] }) as AgentMessage);
}
