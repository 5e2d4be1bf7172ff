import { HearthError } from "../../core/errors.ts";
import type { ToolCall, Usage } from "../../core/messages.ts";
import type { FinishReason, ModelResponse, ModelStreamChunk } from "../../core/model-client.ts";
import { errorFromProviderObject } from "../classify-error.ts";

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

/**
 * Usage, with the details providers add: `prompt_tokens_details.cached_tokens` (OpenAI, DeepSeek,
 * OpenRouter) and `completion_tokens_details.reasoning_tokens`. A detail of 0 is left out, as
 * every OpenAI answer reports them whether or not a cache or reasoning was involved.
 */
export function parseUsage(value: unknown): Usage {
  const usage = asObject(value);
  const prompt = usage?.prompt_tokens;
  const completion = usage?.completion_tokens;
  const cached = asObject(usage?.prompt_tokens_details)?.cached_tokens;
  const reasoning = asObject(usage?.completion_tokens_details)?.reasoning_tokens;
  return {
    promptTokens: typeof prompt === "number" ? prompt : 0,
    completionTokens: typeof completion === "number" ? completion : 0,
    ...(typeof cached === "number" && cached > 0 ? { cachedPromptTokens: cached } : {}),
    ...(typeof reasoning === "number" && reasoning > 0 ? { reasoningTokens: reasoning } : {}),
  };
}

/** Separates a leading `<think>...</think>` block, as reasoning models served by vLLM or Ollama emit. */
export function splitThought(content: string): { content: string; thought?: string } {
  const match = /^\s*<think>([\s\S]*?)<\/think>\s*/.exec(content);
  if (match === null) return { content };
  return { content: content.slice(match[0].length), thought: (match[1] ?? "").trim() };
}

/** The error object a provider sent in place of a completion, in a 200 body or an SSE event. */
function providerError(json: Json, midStream: boolean): HearthError | undefined {
  const error = json.error;
  if (error === undefined || error === null) return undefined;
  const object = asObject(error) ?? { message: typeof error === "string" ? error : JSON.stringify(error) };
  return errorFromProviderObject(object, midStream);
}

/** Text blocks and thinking blocks of a `content` array (Mistral's reasoning models answer so). */
function contentBlocks(content: unknown): { text: string; thinking: string } {
  if (typeof content === "string") return { text: content, thinking: "" };
  if (!Array.isArray(content)) return { text: "", thinking: "" };
  let text = "";
  let thinking = "";
  for (const entry of content) {
    const block = asObject(entry);
    if (block?.type === "text" && typeof block.text === "string") text += block.text;
    else if (block?.type === "thinking") thinking += blocksText(block.thinking);
  }
  return { text, thinking };
}

function blocksText(value: unknown): string {
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) return "";
  return value
    .map((entry) => asObject(entry)?.text)
    .filter((text) => typeof text === "string")
    .join("");
}

/** Gemini's signature, on a tool call or (as first recorded) on the message: `extra_content.google.thought_signature`. */
function thoughtSignatureIn(value: Json | undefined): string | undefined {
  const signature = asObject(asObject(value?.extra_content)?.google)?.thought_signature;
  return typeof signature === "string" && signature !== "" ? signature : undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Converts a Chat Completions response body (already parsed) into a ModelResponse. Pure. */
export function fromWireResponse(body: unknown): ModelResponse {
  const json = asObject(body);
  if (json === undefined) throw invalidResponse("the body is not a JSON object");
  const error = providerError(json, false);
  if (error !== undefined) throw error;
  const choices = json.choices;
  if (!Array.isArray(choices) || choices.length === 0) throw invalidResponse("it has no choices");
  const choice = asObject(choices[0]);
  const message = asObject(choice?.message);
  if (choice === undefined || message === undefined) throw invalidResponse("choices[0].message is missing");
  const toolCalls = parseToolCalls(message.tool_calls);
  const blocks = contentBlocks(message.content);
  const split = splitThought(blocks.text);
  // The field a thought came in decides whether it goes back (see wire-request.ts).
  const reasoningContent = nonEmpty(message.reasoning_content);
  const thought =
    reasoningContent ?? nonEmpty(message.reasoning) ?? nonEmpty(blocks.thinking) ?? nonEmpty(split.thought);
  const signature =
    (Array.isArray(message.tool_calls) ? message.tool_calls : [])
      .map((call: unknown) => thoughtSignatureIn(asObject(call)))
      .find((found) => found !== undefined) ?? thoughtSignatureIn(message);
  const refusal = nonEmpty(message.refusal);
  return {
    finishReason:
      refusal !== undefined && toolCalls.length === 0
        ? "content-filter"
        : mapFinishReason(choice.finish_reason, toolCalls.length > 0),
    content: split.content,
    toolCalls,
    usage: parseUsage(json.usage),
    ...(thought === undefined ? {} : { thought }),
    ...(reasoningContent === undefined ? {} : { thoughtField: "reasoning_content" }),
    ...(signature === undefined ? {} : { thoughtSignature: signature }),
    ...(refusal === undefined ? {} : { refusal }),
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
  #thoughtField: string | undefined;
  #thoughtSignature: string | undefined;
  #refusal = "";
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
    const error = providerError(json, true);
    if (error !== undefined) throw error;
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
      const reasoningContent = nonEmpty(delta.reasoning_content);
      if (reasoningContent !== undefined) this.#thoughtField = "reasoning_content";
      const blocks = contentBlocks(delta.content);
      const reasoning = reasoningContent ?? nonEmpty(delta.reasoning) ?? nonEmpty(blocks.thinking);
      if (reasoning !== undefined) {
        this.#thought += reasoning;
        out.push({ type: "thought-delta", delta: reasoning });
      }
      if (blocks.text !== "") {
        this.#content += blocks.text;
        out.push({ type: "text-delta", delta: blocks.text });
      }
      const refusal = nonEmpty(delta.refusal);
      if (refusal !== undefined) this.#refusal += refusal;
      this.#thoughtSignature ??= thoughtSignatureIn(delta);
      if (Array.isArray(delta.tool_calls)) {
        for (const item of delta.tool_calls) out.push(this.#toolCallDelta(asObject(item)));
      }
    }
    return out;
  }

  #toolCallDelta(item: Json | undefined): ModelStreamChunk {
    if (item === undefined) throw invalidResponse("a tool call delta is not an object");
    this.#thoughtSignature ??= thoughtSignatureIn(item);
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
    const refused = this.#refusal !== "" && toolCalls.length === 0;
    return {
      finishReason: refused ? "content-filter" : mapFinishReason(this.#finishReason, toolCalls.length > 0),
      content: split.content,
      toolCalls,
      usage: this.#usage,
      ...(split.thought === undefined || split.thought === "" ? {} : { thought: split.thought }),
      ...(this.#thoughtField === undefined ? {} : { thoughtField: this.#thoughtField }),
      ...(this.#thoughtSignature === undefined ? {} : { thoughtSignature: this.#thoughtSignature }),
      ...(this.#refusal === "" ? {} : { refusal: this.#refusal }),
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
