import { HearthError } from "../../core/errors.ts";
import type { ToolCall, Usage } from "../../core/messages.ts";
import type { FinishReason, ModelResponse, ModelStreamChunk } from "../../core/model-client.ts";

type Json = Record<string, unknown>;

export function invalidResponse(why: string, cause?: unknown): HearthError {
  return new HearthError(
    "HEARTH_MODEL_INVALID_RESPONSE",
    `The model provider's answer is not a valid Chat Completion: ${why}.`,
    {
      cause,
      retryable: true,
    },
  );
}

function asObject(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function mapFinishReason(reason: unknown, hasToolCalls: boolean): FinishReason {
  // Some servers (Ollama, older vLLM) say "stop" even when the answer is a tool call.
  if (hasToolCalls) return "tool-calls";
  switch (reason) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool-calls";
    case "content_filter":
      return "content-filter";
    default:
      return "unknown";
  }
}

export function parseUsage(value: unknown): Usage {
  const usage = asObject(value);
  const prompt = usage?.prompt_tokens;
  const completion = usage?.completion_tokens;
  return {
    promptTokens: typeof prompt === "number" ? prompt : 0,
    completionTokens: typeof completion === "number" ? completion : 0,
  };
}

/** Separates a leading `<think>...</think>` block, as reasoning models served by vLLM or Ollama emit. */
export function splitThought(content: string): { content: string; thought?: string } {
  const match = /^\s*<think>([\s\S]*?)<\/think>\s*/.exec(content);
  if (match === null) return { content };
  return { content: content.slice(match[0].length), thought: (match[1] ?? "").trim() };
}

/** An error object a provider returned in place of a completion, in a 200 body or an SSE event. */
export function providerErrorMessage(json: Json): string | undefined {
  const error = asObject(json.error);
  if (error === undefined) return undefined;
  return typeof error.message === "string" ? error.message : JSON.stringify(error);
}

/** Converts a Chat Completions response body (already parsed) into a ModelResponse. Pure. */
export function fromWireResponse(body: unknown): ModelResponse {
  const json = asObject(body);
  if (json === undefined) throw invalidResponse("the body is not a JSON object");
  const providerError = providerErrorMessage(json);
  if (providerError !== undefined) {
    throw new HearthError("HEARTH_MODEL_SERVER", `The model provider returned an error: ${providerError}`, {
      retryable: true,
    });
  }
  const choices = json.choices;
  if (!Array.isArray(choices) || choices.length === 0) throw invalidResponse("it has no choices");
  const choice = asObject(choices[0]);
  const message = asObject(choice?.message);
  if (choice === undefined || message === undefined) throw invalidResponse("choices[0].message is missing");
  const toolCalls = parseToolCalls(message.tool_calls);
  const rawContent = typeof message.content === "string" ? message.content : "";
  const split = splitThought(rawContent);
  const reasoning = typeof message.reasoning_content === "string" ? message.reasoning_content : split.thought;
  return {
    finishReason: mapFinishReason(choice.finish_reason, toolCalls.length > 0),
    content: split.content,
    toolCalls,
    usage: parseUsage(json.usage),
    ...(reasoning === undefined || reasoning === "" ? {} : { thought: reasoning }),
    ...(typeof json.model === "string" ? { model: json.model } : {}),
  };
}

function parseToolCalls(value: unknown): ToolCall[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidResponse("tool_calls is not an array");
  return value.map((entry: unknown, index) => {
    const call = asObject(entry);
    const fn = asObject(call?.function);
    if (call === undefined || fn === undefined || typeof fn.name !== "string")
      throw invalidResponse(`tool_calls[${index}] has no function name`);
    return {
      id: typeof call.id === "string" && call.id !== "" ? call.id : `call_${index}`,
      name: fn.name,
      arguments: typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
    };
  });
}

interface PartialToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Assembles Chat Completions stream chunks into deltas and, at the end, the whole response:
 * text deltas, reasoning deltas, tool-call deltas (joined by index), the finish reason and the
 * usage chunk that `stream_options.include_usage` adds. Pure: it is fed parsed chunk objects.
 */
export class StreamAssembler {
  #content = "";
  #thought = "";
  #toolCalls = new Map<number, PartialToolCall>();
  #finishReason: unknown = undefined;
  #usage: Usage = { promptTokens: 0, completionTokens: 0 };
  #model: string | undefined;
  #sawChunk = false;

  get sawChunk(): boolean {
    return this.#sawChunk;
  }

  push(chunk: unknown): ModelStreamChunk[] {
    const json = asObject(chunk);
    if (json === undefined) throw invalidResponse("a stream chunk is not a JSON object");
    const providerError = providerErrorMessage(json);
    if (providerError !== undefined) {
      throw new HearthError(
        "HEARTH_MODEL_SERVER",
        `The model provider returned an error mid-stream: ${providerError}`,
        { retryable: true },
      );
    }
    this.#sawChunk = true;
    if (typeof json.model === "string") this.#model = json.model;
    if (json.usage !== undefined && json.usage !== null) this.#usage = parseUsage(json.usage);
    const out: ModelStreamChunk[] = [];
    const choices = Array.isArray(json.choices) ? json.choices : [];
    for (const entry of choices) {
      const choice = asObject(entry);
      if (choice === undefined) continue;
      if (choice.finish_reason !== undefined && choice.finish_reason !== null)
        this.#finishReason = choice.finish_reason;
      const delta = asObject(choice.delta);
      if (delta === undefined) continue;
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (typeof reasoning === "string" && reasoning !== "") {
        this.#thought += reasoning;
        out.push({ type: "thought-delta", delta: reasoning });
      }
      if (typeof delta.content === "string" && delta.content !== "") {
        this.#content += delta.content;
        out.push({ type: "text-delta", delta: delta.content });
      }
      if (Array.isArray(delta.tool_calls)) {
        for (const item of delta.tool_calls) out.push(this.#toolCallDelta(asObject(item)));
      }
    }
    return out;
  }

  #toolCallDelta(item: Json | undefined): ModelStreamChunk {
    if (item === undefined) throw invalidResponse("a tool call delta is not an object");
    const index = typeof item.index === "number" ? item.index : this.#toolCalls.size;
    const fn = asObject(item.function);
    const id = typeof item.id === "string" && item.id !== "" ? item.id : undefined;
    const name = typeof fn?.name === "string" && fn.name !== "" ? fn.name : undefined;
    const argumentsDelta = typeof fn?.arguments === "string" ? fn.arguments : "";
    const partial = this.#toolCalls.get(index) ?? { id: "", name: "", arguments: "" };
    if (id !== undefined) partial.id = id;
    if (name !== undefined) partial.name += name;
    partial.arguments += argumentsDelta;
    this.#toolCalls.set(index, partial);
    return {
      type: "tool-call-delta",
      index,
      argumentsDelta,
      ...(id === undefined ? {} : { id }),
      ...(name === undefined ? {} : { name }),
    };
  }

  finish(): ModelResponse {
    const toolCalls = [...this.#toolCalls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => {
        if (call.name === "") throw invalidResponse(`streamed tool call ${index} has no function name`);
        return { id: call.id === "" ? `call_${index}` : call.id, name: call.name, arguments: call.arguments };
      });
    const split =
      this.#thought === "" ? splitThought(this.#content) : { content: this.#content, thought: this.#thought };
    return {
      finishReason: mapFinishReason(this.#finishReason, toolCalls.length > 0),
      content: split.content,
      toolCalls,
      usage: this.#usage,
      ...(split.thought === undefined || split.thought === "" ? {} : { thought: split.thought }),
      ...(this.#model === undefined ? {} : { model: this.#model }),
    };
  }
}

export function parseStreamData(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch (cause) {
    throw invalidResponse("a stream event is not JSON", cause);
  }
}

export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw invalidResponse("the body is not JSON", cause);
  }
}
