import { HearthError } from "../../core/errors.ts";
import type { ToolCall, Usage } from "../../core/messages.ts";
import type { FinishReason, ModelResponse, ModelStreamChunk } from "../../core/model-client.ts";

type Json = Record<string, unknown>;

export function invalidResponse(why: string, cause?: unknown): HearthError {
  return new HearthError("HEARTH_MODEL_INVALID_RESPONSE", `Anthropic's answer is not a valid Message: ${why}.`, {
    cause,
    retryable: true,
  });
}

function asObject(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/**
 * An error Anthropic sent in place of a message: in a 200 body, or as a stream's `error` event
 * (where an `overloaded_error` stands for what would otherwise be a 529). Classified by its type,
 * as the status it stands for would be.
 */
export function errorFromEvent(error: unknown, where: string): HearthError {
  const json = asObject(error);
  const type = typeof json?.type === "string" ? json.type : "unknown_error";
  const detail = typeof json?.message === "string" ? json.message : type;
  const message = `Anthropic returned an error ${where} (${type}): ${detail}`;
  switch (type) {
    case "authentication_error":
    case "permission_error":
      return new HearthError("HEARTH_MODEL_AUTH", message, { retryable: false });
    case "invalid_request_error":
    case "not_found_error":
    case "request_too_large":
      return new HearthError("HEARTH_MODEL_BAD_REQUEST", message, { retryable: false });
    case "rate_limit_error":
      return new HearthError("HEARTH_MODEL_RATE_LIMITED", message, { retryable: true });
    default:
      // overloaded_error, api_error, timeout_error, and types added later.
      return new HearthError("HEARTH_MODEL_SERVER", message, { retryable: true });
  }
}

export function mapStopReason(reason: unknown): FinishReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "tool_use":
      return "tool-calls";
    case "max_tokens":
      return "length";
    case "refusal":
      return "content-filter";
    default:
      return "unknown";
  }
}

/**
 * Anthropic's `input_tokens` counts only the prompt tokens after the last cache breakpoint; the
 * tokens read from the cache and written to it are counted apart. hearth's `promptTokens` is the
 * whole prompt (the three added), as OpenAI counts it, with the cached parts as details.
 */
export function parseUsage(value: unknown, previous?: Usage): Usage {
  const usage = asObject(value);
  const number = (key: string): number | undefined =>
    typeof usage?.[key] === "number" ? (usage[key] as number) : undefined;
  const input = number("input_tokens");
  const read = number("cache_read_input_tokens") ?? previous?.cachedPromptTokens;
  const written = number("cache_creation_input_tokens") ?? previous?.cacheWritePromptTokens;
  const uncached =
    input ??
    (previous === undefined
      ? 0
      : previous.promptTokens - (previous.cachedPromptTokens ?? 0) - (previous.cacheWritePromptTokens ?? 0));
  return {
    promptTokens: uncached + (read ?? 0) + (written ?? 0),
    completionTokens: number("output_tokens") ?? previous?.completionTokens ?? 0,
    ...(read === undefined ? {} : { cachedPromptTokens: read }),
    ...(written === undefined ? {} : { cacheWritePromptTokens: written }),
  };
}

/** A reply's parts, as either path gathers them. */
interface Parts {
  content: string;
  thought: string;
  /**
   * The thinking blocks as they came (`thinking` with its signature, `redacted_thinking` with its
   * data), in order: Anthropic wants them back unchanged after tool use.
   */
  thinking: Record<string, string>[];
  toolCalls: ToolCall[];
  /** The structured answer, when the answer tool was called. */
  answer: string | undefined;
}

function finish(parts: Parts, stopReason: unknown, usage: Usage, model: string | undefined): ModelResponse {
  const refused = stopReason === "refusal";
  const content = parts.answer ?? parts.content;
  // The answer tool is a tool call only on the wire: for hearth it is the reply.
  const finishReason = parts.answer !== undefined && parts.toolCalls.length === 0 ? "stop" : mapStopReason(stopReason);
  return {
    finishReason,
    content: refused ? "" : content,
    toolCalls: parts.toolCalls,
    usage,
    ...(parts.thought === "" ? {} : { thought: parts.thought }),
    ...(parts.thinking.length === 0 ? {} : { thoughtSignature: JSON.stringify(parts.thinking) }),
    ...(refused && content !== "" ? { refusal: content } : {}),
    ...(model === undefined ? {} : { model }),
  };
}

/**
 * Converts a Messages API response body (already parsed) into a ModelResponse. Pure. `answerTool`
 * names the tool that carries a structured answer, when the request asked for one.
 */
export function fromWireResponse(body: unknown, answerTool?: string): ModelResponse {
  const json = asObject(body);
  if (json === undefined) throw invalidResponse("the body is not a JSON object");
  if (json.type === "error") throw errorFromEvent(json.error, "instead of a message");
  if (!Array.isArray(json.content)) throw invalidResponse("it has no content array");
  const parts: Parts = { content: "", thought: "", thinking: [], toolCalls: [], answer: undefined };
  for (const [index, entry] of json.content.entries()) {
    const block = asObject(entry);
    if (block === undefined) throw invalidResponse(`content[${index}] is not an object`);
    if (block.type === "text" && typeof block.text === "string") parts.content += block.text;
    else if (block.type === "thinking") {
      const thinking = typeof block.thinking === "string" ? block.thinking : "";
      parts.thought += thinking;
      parts.thinking.push({
        type: "thinking",
        thinking,
        ...(typeof block.signature === "string" ? { signature: block.signature } : {}),
      });
    } else if (block.type === "redacted_thinking") {
      if (typeof block.data === "string") parts.thinking.push({ type: "redacted_thinking", data: block.data });
    } else if (block.type === "tool_use") {
      if (typeof block.name !== "string" || typeof block.id !== "string")
        throw invalidResponse(`content[${index}] is a tool_use without an id or a name`);
      const input = JSON.stringify(block.input ?? {});
      if (block.name === answerTool) parts.answer = input;
      else parts.toolCalls.push({ id: block.id, name: block.name, arguments: input });
    }
    // Other blocks (server tools' blocks) carry nothing hearth uses.
  }
  return finish(
    parts,
    json.stop_reason,
    parseUsage(json.usage),
    typeof json.model === "string" ? json.model : undefined,
  );
}

type BlockState =
  | { readonly kind: "text" | "answer" | "other" }
  | { readonly kind: "thinking"; readonly block: Record<string, string> }
  | { readonly kind: "tool"; readonly index: number; readonly id: string; readonly name: string; input: string };

/**
 * Assembles Messages API stream events into hearth's deltas and, at the end, the whole response:
 * text, thinking (and its signature), tool input as it streams, the stop reason and the usage of
 * `message_start` and `message_delta` (cumulative). `ping` and unknown events are skipped, as
 * Anthropic's versioning policy asks; an `error` event is thrown, classified by its type. Pure.
 */
export class StreamAssembler {
  readonly #answerTool: string | undefined;
  readonly #parts: Parts = { content: "", thought: "", thinking: [], toolCalls: [], answer: undefined };
  readonly #blocks = new Map<number, BlockState>();
  readonly #tools: Extract<BlockState, { kind: "tool" }>[] = [];
  #answer = "";
  #stopReason: unknown = undefined;
  #usage: Usage = { promptTokens: 0, completionTokens: 0 };
  #model: string | undefined;
  #started = false;
  #stopped = false;

  constructor(answerTool?: string) {
    this.#answerTool = answerTool;
  }

  push(event: unknown): ModelStreamChunk[] {
    const json = asObject(event);
    if (json === undefined) throw invalidResponse("a stream event is not a JSON object");
    switch (json.type) {
      case "message_start": {
        const message = asObject(json.message);
        this.#started = true;
        if (typeof message?.model === "string") this.#model = message.model;
        this.#usage = parseUsage(message?.usage);
        return [];
      }
      case "content_block_start":
        return this.#start(json);
      case "content_block_delta":
        return this.#delta(json);
      case "message_delta": {
        const delta = asObject(json.delta);
        if (delta?.stop_reason !== undefined && delta.stop_reason !== null) this.#stopReason = delta.stop_reason;
        if (json.usage !== undefined) this.#usage = parseUsage(json.usage, this.#usage);
        return [];
      }
      case "message_stop":
        this.#stopped = true;
        return [];
      case "error":
        throw errorFromEvent(json.error, "mid-stream");
      default:
        // content_block_stop, ping, and event types added later.
        return [];
    }
  }

  #start(json: Json): ModelStreamChunk[] {
    const index = typeof json.index === "number" ? json.index : this.#blocks.size;
    const block = asObject(json.content_block);
    if (block?.type === "tool_use" && block.name === this.#answerTool) {
      this.#blocks.set(index, { kind: "answer" });
      return [];
    }
    if (block?.type === "tool_use") {
      if (typeof block.name !== "string" || typeof block.id !== "string")
        throw invalidResponse(`streamed block ${index} is a tool_use without an id or a name`);
      const tool = { kind: "tool" as const, index: this.#tools.length, id: block.id, name: block.name, input: "" };
      this.#blocks.set(index, tool);
      this.#tools.push(tool);
      return [{ type: "tool-call-delta", index: tool.index, id: tool.id, name: tool.name, argumentsDelta: "" }];
    }
    if (block?.type === "text") {
      this.#blocks.set(index, { kind: "text" });
      return typeof block.text === "string" && block.text !== "" ? this.#text(block.text) : [];
    }
    if (block?.type === "thinking") {
      const thinking: Record<string, string> = { type: "thinking", thinking: "", signature: "" };
      this.#parts.thinking.push(thinking);
      this.#blocks.set(index, { kind: "thinking", block: thinking });
      return typeof block.thinking === "string" && block.thinking !== ""
        ? this.#thinking(thinking, block.thinking)
        : [];
    }
    if (block?.type === "redacted_thinking" && typeof block.data === "string")
      this.#parts.thinking.push({ type: "redacted_thinking", data: block.data });
    this.#blocks.set(index, { kind: "other" });
    return [];
  }

  #delta(json: Json): ModelStreamChunk[] {
    const block = typeof json.index === "number" ? this.#blocks.get(json.index) : undefined;
    const delta = asObject(json.delta);
    if (block === undefined || delta === undefined)
      throw invalidResponse("a content_block_delta names no started block");
    switch (delta.type) {
      case "text_delta":
        return typeof delta.text === "string" && delta.text !== "" ? this.#text(delta.text) : [];
      case "thinking_delta":
        if (block.kind !== "thinking") return [];
        return typeof delta.thinking === "string" && delta.thinking !== ""
          ? this.#thinking(block.block, delta.thinking)
          : [];
      case "signature_delta":
        if (block.kind === "thinking" && typeof delta.signature === "string") block.block.signature += delta.signature;
        return [];
      case "input_json_delta": {
        const text = typeof delta.partial_json === "string" ? delta.partial_json : "";
        if (text === "") return [];
        if (block.kind === "answer") {
          // A structured answer streams as the reply's text, as OpenAI's json_schema answers do.
          this.#answer += text;
          return this.#text(text);
        }
        if (block.kind !== "tool") return [];
        block.input += text;
        return [{ type: "tool-call-delta", index: block.index, argumentsDelta: text }];
      }
      default:
        return [];
    }
  }

  #text(text: string): ModelStreamChunk[] {
    this.#parts.content += text;
    return [{ type: "text-delta", delta: text }];
  }

  #thinking(block: Record<string, string>, text: string): ModelStreamChunk[] {
    block.thinking += text;
    this.#parts.thought += text;
    return [{ type: "thought-delta", delta: text }];
  }

  /** The whole response; a stream that ended before `message_stop` was cut short, and is not one. */
  finish(): ModelResponse {
    if (!this.#started) throw invalidResponse("the stream ended before message_start");
    if (!this.#stopped) throw invalidResponse("the stream ended before message_stop");
    const answered = [...this.#blocks.values()].some((block) => block.kind === "answer");
    const parts: Parts = {
      ...this.#parts,
      // The answer's text was also counted as content as it streamed; the answer alone is the reply.
      content: answered ? "" : this.#parts.content,
      toolCalls: this.#tools.map((tool) => ({
        id: tool.id,
        name: tool.name,
        arguments: tool.input === "" ? "{}" : tool.input,
      })),
      answer: answered ? (this.#answer === "" ? "{}" : this.#answer) : undefined,
    };
    return finish(parts, this.#stopReason, this.#usage, this.#model);
  }
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw invalidResponse(`${what} is not JSON`, cause);
  }
}
