import { defaultImageLimits, type ImageLimits, type MultiModalContent, multiModalText } from "../../core/images.ts";
import { type AgentMessage, isChatMessage } from "../../core/messages.ts";
import type { HistoryMessage } from "../../runtime/session-history.ts";
import { isSessionId } from "../../runtime/session-turn.ts";
import { type ChatOutcome, type ChatRequest, invalid, type ReplyFormat, sseData, taskOf } from "../chat.ts";
import { json, type HttpResponse } from "../http-types.ts";
import { contentFromParts } from "../image-parts.ts";
import { approvalPending } from "../../core/tool-approval.ts";
import { problemOf } from "../problem.ts";
import { openAIError, openAIErrorResponse } from "./errors.ts";

/** A `POST /v1/chat/completions` body, read into a hearth chat turn. */
export interface CompletionRequest {
  readonly chat: ChatRequest;
  /** The `model` as sent: the name the reply carries. */
  readonly model: string;
  /** `stream_options.include_usage`: a last chunk with the turn's usage. */
  readonly includeUsage: boolean;
}

/** The longest text a task's content parts may hold, as /v1/chat's `message`. */
const maxTextLength = 100_000;

function hasImagePart(content: unknown): content is unknown[] {
  return Array.isArray(content) && content.some((part) => (part as { type?: unknown } | null)?.type === "image_url");
}

/** A message's text: a string, or text parts joined; anything else is a 400 naming the message. */
function textOf(content: unknown, field: string): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw invalid(field, "must be a string or an array of text parts");
  return content
    .map((part: unknown, index) => {
      const { type, text } = (part ?? {}) as { type?: unknown; text?: unknown };
      if (type !== "text" || typeof text !== "string")
        throw invalid(
          `${field}[${index}]`,
          "must be a text part ({ type: 'text', text }) or, in the last user message, an image part ({ type: 'image_url', image_url: { url } }): audio and files are not taken on this route",
        );
      return text;
    })
    .join("\n");
}

/**
 * Reads a chat completions body. `model` names an agent or team. The last message must be the
 * user's: it is the turn's task. The messages before it start a new session (a client that keeps
 * its own history); a session named by `x-session-id` that exists keeps its own history and they
 * are ignored. System and developer messages are ignored (the agent's instructions are the
 * app's), as are sampling fields (the agent's model client has its own); `n` above 1, tools of
 * the client's, and tool messages are refused, since the agent's tool calls stay inside hearth.
 */
export function parseCompletionRequest(
  body: unknown,
  sessionId: string,
  wantsStream: boolean,
  images: ImageLimits = defaultImageLimits,
): CompletionRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("body", "must be a JSON object");
  const data = body as Record<string, unknown>;
  if (typeof data.model !== "string" || data.model === "")
    throw invalid("model", "is required: the name of an agent or team (GET /v1/models lists them)");
  if (data.stream !== undefined && data.stream !== null && typeof data.stream !== "boolean")
    throw invalid("stream", "must be true or false");
  if (data.n !== undefined && data.n !== null && data.n !== 1)
    throw invalid("n", "must be 1: an agent gives one reply");
  for (const field of ["tools", "functions"] as const) {
    const value = data[field];
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0))
      throw invalid(field, "cannot be given: the agent's tools are the app's, and its tool calls stay inside hearth");
  }
  if (!Array.isArray(data.messages) || data.messages.length === 0)
    throw invalid("messages", "must be a non-empty array");
  const conversation: HistoryMessage[] = [];
  // Images are taken in the last message, the turn's task: the history a new session starts with is text.
  let withImages: { readonly field: string; readonly content: MultiModalContent } | undefined;
  for (const [index, entry] of (data.messages as unknown[]).entries()) {
    const field = `messages[${index}]`;
    if (typeof entry !== "object" || entry === null) throw invalid(field, "must be an object");
    const { role, content, tool_calls: toolCalls } = entry as Record<string, unknown>;
    if (role === "system" || role === "developer") continue;
    if (role !== "user" && role !== "assistant")
      throw invalid(
        `${field}.role`,
        `must be "system", "developer", "user" or "assistant" (${JSON.stringify(role)}: the agent's tool calls stay inside hearth)`,
      );
    if (toolCalls !== undefined && toolCalls !== null && !(Array.isArray(toolCalls) && toolCalls.length === 0))
      throw invalid(`${field}.tool_calls`, "cannot be given: the agent's tool calls stay inside hearth");
    if (withImages !== undefined)
      throw invalid(withImages.field, "may hold images only in the last message, the turn's task");
    if (role === "user" && hasImagePart(content)) {
      withImages = {
        field: `${field}.content`,
        content: contentFromParts(content, `${field}.content`, images, maxTextLength),
      };
      conversation.push({ role, content: multiModalText(withImages.content) });
    } else conversation.push({ role, content: textOf(content ?? "", `${field}.content`) });
  }
  const task = taskOf(conversation);
  const { history } = task;
  const message = withImages?.content ?? task.message;
  const options = data.stream_options as { include_usage?: unknown } | undefined | null;
  return {
    model: data.model,
    includeUsage: options?.include_usage === true,
    chat: {
      message,
      runner: data.model,
      sessionId,
      createSession: true,
      stream: data.stream === true || wantsStream,
      ...(history.length === 0 ? {} : { history }),
    },
  };
}

/** The `x-session-id` header: the session to continue (or start under that id), or a new id. */
export function completionSessionId(header: string | undefined): string {
  if (header === undefined) return crypto.randomUUID();
  if (!isSessionId(header)) throw invalid("x-session-id", "must be 1-128 letters, digits, `_` or `-`");
  return header;
}

/**
 * A turn that stopped on tool calls waiting for approval, as an error: this API has no way to ask
 * for one or to send the answer. The session keeps the waiting step; `POST /v1/chat` answers it.
 */
function waitingError({ result, sessionId }: ChatOutcome) {
  const last = result.messages.at(-1);
  return last?.type === "tool-approval-request" ? approvalPending(sessionId, last.toolCalls) : undefined;
}

function usageOf({ result }: ChatOutcome) {
  const { promptTokens, completionTokens } = result.usage;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

/**
 * A turn answered as OpenAI's chat completions: a `chat.completion`, or `chat.completion.chunk`
 * events then `[DONE]`. The reply is the turn's last message, as `/v1/chat` answers it. A stream
 * carries an agent's text as its model writes it (text it writes before calling a tool too, set off
 * by a blank line); a last message that was not streamed (a model client that does not stream, a
 * team, whose last speaker is known only at the end) comes whole before the end.
 */
export class CompletionReplies implements ReplyFormat {
  readonly #id = `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`;
  readonly #created = Math.floor(Date.now() / 1000);
  readonly #model: string;
  readonly #includeUsage: boolean;
  /** The agent whose text is streamed; none for a team. */
  #agent: string | undefined;
  /** Text streamed since the last message ended or the last tool call. */
  #sinceBoundary = "";
  #streamedAny = false;
  /** Whether the last message was streamed, so the reply has gone out already. */
  #lastStreamed = false;
  /** Text was streamed before a tool call: the next text is set off from it. */
  #separate = false;

  constructor(request: CompletionRequest) {
    this.#model = request.model;
    this.#includeUsage = request.includeUsage;
  }

  whole(outcome: ChatOutcome): HttpResponse {
    const waiting = waitingError(outcome);
    if (waiting !== undefined) return openAIErrorResponse(waiting);
    return json(200, {
      id: this.#id,
      object: "chat.completion",
      created: this.#created,
      model: this.#model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: outcome.reply, refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: usageOf(outcome),
    });
  }

  #chunk(delta: Record<string, unknown>, finishReason: string | null = null): string {
    return sseData({
      id: this.#id,
      object: "chat.completion.chunk",
      created: this.#created,
      model: this.#model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    });
  }

  start(runner: { readonly kind: "agent" | "team"; readonly name: string }): string {
    // A team's members speak in turn, and only the last one's message is the reply: nothing streams.
    this.#agent = runner.kind === "agent" ? runner.name : undefined;
    return this.#chunk({ role: "assistant", content: "" });
  }

  item(item: AgentMessage): string {
    if (this.#agent === undefined || item.source !== this.#agent) return "";
    if (item.type === "message-delta") {
      if (item.content === "") return "";
      const content = this.#separate ? `\n\n${item.content}` : item.content;
      this.#separate = false;
      this.#sinceBoundary += item.content;
      this.#streamedAny = true;
      return this.#chunk({ content });
    }
    if (item.type === "tool-call-request") {
      if (this.#sinceBoundary !== "") this.#separate = true;
      this.#sinceBoundary = "";
      this.#lastStreamed = false;
    } else if (isChatMessage(item)) {
      this.#lastStreamed = this.#sinceBoundary !== "";
      this.#sinceBoundary = "";
    }
    return "";
  }

  done(outcome: ChatOutcome): string {
    const waiting = waitingError(outcome);
    if (waiting !== undefined) return sseData(openAIError(problemOf(waiting)));
    const { reply } = outcome;
    const rest = this.#lastStreamed || reply === "" ? "" : this.#streamedAny ? `\n\n${reply}` : reply;
    return [
      rest === "" ? "" : this.#chunk({ content: rest }),
      this.#chunk({}, "stop"),
      this.#includeUsage
        ? sseData({
            id: this.#id,
            object: "chat.completion.chunk",
            created: this.#created,
            model: this.#model,
            choices: [],
            usage: usageOf(outcome),
          })
        : "",
      "data: [DONE]\n\n",
    ].join("");
  }

  failed(problem: { readonly status: number; readonly body: Record<string, unknown> }): string {
    return sseData(openAIError(problem));
  }
}
