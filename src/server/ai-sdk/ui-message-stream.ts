import { defaultImageLimits, type ImageLimits, multiModalText, type MultiModalContent } from "../../core/images.ts";
import {
  type AgentMessage,
  chatMessageText,
  isChatMessage,
  newId,
  type ToolCall,
  type ToolResult,
  type WaitingToolCall,
} from "../../core/messages.ts";
import type { HistoryMessage } from "../../runtime/session-history.ts";
import { isSessionId } from "../../runtime/session-turn.ts";
import {
  type ChatOutcome,
  type ChatRequest,
  hearthReplies,
  invalid,
  type ReplyFormat,
  runnerOf,
  sseData,
  taskOf,
} from "../chat.ts";
import type { HttpResponse } from "../http-types.ts";
import type { ToolApproval } from "../../core/tool-approval.ts";
import { uiMessageTask, uiMessageText } from "./ui-message-content.ts";

/**
 * Whether a `/v1/chat` body is the AI SDK's chat request (`useChat`'s default transport sends
 * `{ id, messages, trigger, messageId }` and the transport's own `body` fields) rather than hearth's
 * own (`message`): it is answered with the UI message stream.
 */
export function isUIChatRequest(body: unknown): boolean {
  return typeof body === "object" && body !== null && "messages" in body && !("message" in body);
}

const uiFields = new Set(["id", "messages", "trigger", "messageId", "agent", "team", "context", "metadata"]);

/**
 * The answers a page sends to tool calls that waited for approval: the tool parts of its last
 * assistant message that `addToolApprovalResponse` moved to "approval-responded". Undefined when
 * there are none (the request carries a new user message).
 */
function approvalsOf(messages: readonly unknown[]): ToolApproval[] | undefined {
  const last = messages.at(-1) as Record<string, unknown> | undefined;
  if (last?.role !== "assistant" || !Array.isArray(last.parts)) return undefined;
  const field = `messages[${messages.length - 1}].parts`;
  const approvals: ToolApproval[] = [];
  for (const [index, part] of (last.parts as unknown[]).entries()) {
    const { state, toolCallId, approval } = (part ?? {}) as Record<string, unknown>;
    if (state !== "approval-responded") continue;
    const { approved, reason } = (approval ?? {}) as Record<string, unknown>;
    if (typeof toolCallId !== "string" || typeof approved !== "boolean")
      throw invalid(`${field}[${index}]`, "must carry its toolCallId and approval.approved");
    approvals.push({ callId: toolCallId, approved, ...(typeof reason === "string" ? { reason } : {}) });
  }
  return approvals.length === 0 ? undefined : approvals;
}

/**
 * Reads the AI SDK's chat request. The chat's `id` is the hearth session's id: the first message of
 * a chat starts the session under it, the next ones continue it, so hearth holds the conversation
 * and only the last user message is the turn's task. The messages before it start a new session
 * (a chat whose session hearth no longer has); a stored session keeps its own. The task may hold
 * images (file parts), checked against `images`. `agent`, `team` and `context` come from the
 * transport's `body` option. Regenerating a reply is refused: the session already holds the turn.
 */
export function parseUIChatRequest(
  body: unknown,
  images: ImageLimits = defaultImageLimits,
): { chat: ChatRequest; format: UIMessageReplies } {
  const data = body as Record<string, unknown>;
  const unknown = Object.keys(data).find((key) => !uiFields.has(key));
  if (unknown !== undefined)
    throw invalid(unknown, `is not a field of a chat request from the AI SDK (${[...uiFields].join(", ")})`);
  if (!isSessionId(data.id)) throw invalid("id", "(the chat's id) must be 1-128 letters, digits, `_` or `-`");
  if (data.trigger !== undefined && data.trigger !== "submit-message")
    throw invalid("trigger", 'must be "submit-message": a reply cannot be regenerated, the session already holds it');
  if (!Array.isArray(data.messages) || data.messages.length === 0)
    throw invalid("messages", "must be a non-empty array");
  const runner = runnerOf(data);
  // A page that answered tool approvals sends the conversation back ending with its assistant message.
  const approvals = approvalsOf(data.messages as unknown[]);
  if (approvals !== undefined)
    return {
      chat: {
        approvals,
        sessionId: data.id,
        stream: true,
        ...runner,
        ...(data.context === undefined ? {} : { context: data.context }),
      },
      format: new UIMessageReplies(approvals),
    };
  const messages = data.messages as unknown[];
  const conversation: HistoryMessage[] = [];
  let withImages: MultiModalContent | undefined;
  for (const [index, entry] of messages.entries()) {
    const field = `messages[${index}]`;
    if (typeof entry !== "object" || entry === null) throw invalid(field, "must be an object");
    const message = entry as Record<string, unknown>;
    if (message.role === "system") continue;
    if (message.role !== "user" && message.role !== "assistant")
      throw invalid(`${field}.role`, 'must be "system", "user" or "assistant"');
    if (message.role === "user" && index === messages.length - 1) {
      const task = uiMessageTask(message, field, images);
      if (typeof task !== "string") withImages = task;
      conversation.push({ role: "user", content: typeof task === "string" ? task : multiModalText(task) });
    } else conversation.push({ role: message.role, content: uiMessageText(message, field) });
  }
  const { message, history } = taskOf(conversation);
  return {
    chat: {
      message: withImages ?? message,
      sessionId: data.id,
      createSession: true,
      stream: true,
      ...runner,
      ...(data.context === undefined ? {} : { context: data.context }),
      ...(history.length === 0 ? {} : { history }),
    },
    format: new UIMessageReplies(),
  };
}

/** A tool's arguments or result as the UI shows them: the JSON it is, or the text. */
function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A tool call as the UI shows it: a dynamic tool part with its input. */
function inputChunk(call: ToolCall): string {
  return sseData({
    type: "tool-input-available",
    toolCallId: call.id,
    toolName: call.name,
    input: jsonOrText(call.arguments),
    dynamic: true,
  });
}

/** A tool result as the UI shows it: its output, its error, or a denial when a person did not approve the call. */
function outputChunk(result: ToolResult): string {
  return result.errorCode === "HEARTH_TOOL_REJECTED"
    ? sseData({ type: "tool-output-denied", toolCallId: result.callId })
    : result.isError
      ? sseData({
          type: "tool-output-error",
          toolCallId: result.callId,
          errorText: result.content,
          dynamic: true,
        })
      : sseData({
          type: "tool-output-available",
          toolCallId: result.callId,
          output: jsonOrText(result.content),
          dynamic: true,
        });
}

/**
 * The approval chunks of a turn that stops on waiting calls. A call made inside an agent or team
 * used as a tool was never streamed (the run inside the tool is not): it is announced first as a
 * tool call of its own, under its `"<outer id>/<inner id>"`, or the chat refuses an approval for a
 * call it does not know. When such calls are all the step waits for, they come as a step of their
 * own (the inner agent's model call made them), so that `lastAssistantMessageIsCompleteWithApprovalResponses`
 * does not wait for the output of the call they run inside, which has none until they are answered.
 */
function approvalChunks(waiting: readonly WaitingToolCall[]): string {
  const insideOnly = waiting.length > 0 && waiting.every((call) => call.within !== undefined);
  return (
    (insideOnly ? sseData({ type: "start-step" }) : "") +
    waiting
      .map(
        (call) =>
          (call.within === undefined ? "" : inputChunk(call)) +
          sseData({ type: "tool-approval-request", approvalId: call.id, toolCallId: call.id }),
      )
      .join("")
  );
}

/**
 * A turn as the AI SDK's UI message stream (protocol v1): one assistant message whose parts are
 * every agent's text (streamed as written when the model streams, else whole), the tool calls and
 * their results as they happen (dynamic tool parts: the tools are the app's, unknown to the page)
 * and exposed reasoning; `finish` carries the session's id, stop reason and usage as the message's
 * metadata.
 */
export class UIMessageReplies implements ReplyFormat {
  readonly streamHeaders = { "x-vercel-ai-ui-message-stream": "v1" };
  /**
   * The page's answers, when the stream goes on with its last assistant message rather than a new
   * one: by call id, until the stream has settled each call's part.
   */
  readonly #answered: Map<string, ToolApproval> | undefined;
  /** The text part being streamed, by the source writing it. */
  #open: { readonly id: string; readonly source: string } | undefined;

  constructor(answered?: readonly ToolApproval[]) {
    this.#answered = answered === undefined ? undefined : new Map(answered.map((answer) => [answer.callId, answer]));
  }

  /**
   * The outputs of a step's results. The first step of a stream that goes on from answers is the
   * one they answered: every answered call has its result there, except the calls made inside an
   * agent or team used as a tool, whose results stay inside its run. Their parts are settled with
   * it (output `null`, or a denial), or the chat would send their answers again.
   */
  #outputs(results: readonly ToolResult[]): string {
    const answered = this.#answered;
    const outputs = results.map(outputChunk).join("");
    if (answered === undefined || answered.size === 0) return outputs;
    for (const result of results) answered.delete(result.callId);
    const settled = [...answered.values()].map(({ callId, approved }) =>
      sseData(
        approved
          ? { type: "tool-output-available", toolCallId: callId, output: null, dynamic: true }
          : { type: "tool-output-denied", toolCallId: callId },
      ),
    );
    answered.clear();
    return outputs + settled.join("");
  }

  whole(outcome: ChatOutcome): HttpResponse {
    return hearthReplies.whole(outcome);
  }

  start(): string {
    return sseData(this.#answered !== undefined ? { type: "start" } : { type: "start", messageId: newId("msg") });
  }

  #close(): string {
    const open = this.#open;
    this.#open = undefined;
    return open === undefined ? "" : sseData({ type: "text-end", id: open.id });
  }

  item(item: AgentMessage): string {
    if (item.source === "user") return "";
    switch (item.type) {
      case "message-delta": {
        if (item.content === "") return "";
        let opened = "";
        if (this.#open?.source !== item.source) {
          opened = this.#close();
          this.#open = { id: newId("text"), source: item.source };
          opened += sseData({ type: "text-start", id: this.#open.id });
        }
        return opened + sseData({ type: "text-delta", id: this.#open.id, delta: item.content });
      }
      case "tool-call-request":
        return this.#close() + item.toolCalls.map(inputChunk).join("");
      case "tool-approval-request":
        // The calls that ran at once have their output; each waiting call's id is its approval's id:
        // `addToolApprovalResponse({ id })` answers the call.
        return this.#close() + this.#outputs(item.results) + approvalChunks(item.toolCalls);
      case "tool-call-execution":
        return this.#outputs(item.results);
      case "thought": {
        const id = newId("reasoning");
        return (
          this.#close() +
          sseData({ type: "reasoning-start", id }) +
          sseData({ type: "reasoning-delta", id, delta: item.content }) +
          sseData({ type: "reasoning-end", id })
        );
      }
      default: {
        if (!isChatMessage(item) || item.type === "stop") return "";
        // The message its deltas streamed: it is whole now. Otherwise its text was not streamed: it comes whole.
        if (this.#open?.source === item.source) return this.#close();
        const text = chatMessageText(item);
        if (text === "") return "";
        const id = newId("text");
        return (
          this.#close() +
          sseData({ type: "text-start", id }) +
          sseData({ type: "text-delta", id, delta: text }) +
          sseData({ type: "text-end", id })
        );
      }
    }
  }

  done({ result, sessionId }: ChatOutcome): string {
    return (
      this.#close() +
      // No finishReason: it is optional, and AI SDK 5's first releases refuse a finish chunk that has one.
      sseData({ type: "finish", messageMetadata: { sessionId, stopReason: result.stopReason, usage: result.usage } }) +
      "data: [DONE]\n\n"
    );
  }

  failed(problem: { readonly status: number; readonly body: Record<string, unknown> }): string {
    return this.#close() + sseData({ type: "error", errorText: String(problem.body.detail) });
  }
}
