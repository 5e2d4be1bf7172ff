import type { RunContext } from "./run-context.ts";
import type { ToolCall, ToolResult, Usage } from "./messages.ts";
import type { JsonSchema } from "./json-schema.ts";

/** Image input for vision models: a URL or a `data:` URL. */
export interface ImagePart {
  readonly type: "image";
  readonly url: string;
}

export interface TextPart {
  readonly type: "text";
  readonly text: string;
}

/** The conversation as the model sees it (AutoGen's LLMMessage types). */
export type ModelMessage =
  | { readonly role: "system"; readonly content: string }
  | { readonly role: "user"; readonly content: string | readonly (TextPart | ImagePart)[]; readonly source?: string }
  | {
      readonly role: "assistant";
      readonly content: string;
      readonly toolCalls?: readonly ToolCall[];
      readonly thought?: string;
      /** Opaque data the provider gave with the thought, to be sent back with it (see ModelResponse). */
      readonly thoughtSignature?: string;
      /** The wire field the thought came in, when it must go back in the same one (see ModelResponse). */
      readonly thoughtField?: string;
      readonly source?: string;
    }
  | { readonly role: "tool"; readonly results: readonly ToolResult[] };

/** A tool as the model is told about it. */
export interface ToolSchema {
  readonly name: string;
  readonly description: string;
  readonly parameters: JsonSchema;
  readonly strict?: boolean;
}

export type ResponseFormat =
  | { readonly type: "text" }
  | { readonly type: "json_object" }
  | {
      readonly type: "json_schema";
      readonly name: string;
      readonly schema: JsonSchema;
      readonly strict?: boolean;
      readonly description?: string;
    };

export type ToolChoice = "auto" | "required" | "none" | { readonly name: string };

export interface ModelRequest {
  readonly messages: readonly ModelMessage[];
  readonly tools?: readonly ToolSchema[];
  readonly toolChoice?: ToolChoice;
  readonly parallelToolCalls?: boolean;
  readonly responseFormat?: ResponseFormat;
}

export type FinishReason = "stop" | "length" | "tool-calls" | "content-filter" | "unknown";

/** One complete model answer (AutoGen's CreateResult). */
export interface ModelResponse {
  readonly finishReason: FinishReason;
  readonly content: string;
  readonly toolCalls: readonly ToolCall[];
  readonly usage: Usage;
  readonly thought?: string;
  /**
   * Opaque data that must go back to the provider with this answer's thought when the conversation
   * continues (Anthropic's thinking signature, Gemini's thought signature): kept, never read.
   */
  readonly thoughtSignature?: string;
  /**
   * The wire field the thought came in, set only where the provider wants it back there on an
   * answer with tool calls (DeepSeek's `reasoning_content`): kept, read only by the client.
   */
  readonly thoughtField?: string;
  /** The model declined to answer (OpenAI's `refusal`, Anthropic's `refusal` stop reason): its words, when it gave any. */
  readonly refusal?: string;
  /** The model name the provider reported. */
  readonly model?: string;
}

/** What `createStream` yields: deltas as they arrive, then exactly one `response`. */
export type ModelStreamChunk =
  | { readonly type: "text-delta"; readonly delta: string }
  | { readonly type: "thought-delta"; readonly delta: string }
  | {
      readonly type: "tool-call-delta";
      readonly index: number;
      readonly id?: string;
      readonly name?: string;
      readonly argumentsDelta: string;
    }
  | { readonly type: "response"; readonly response: ModelResponse };

export interface ModelInfo {
  readonly functionCalling: boolean;
  readonly jsonOutput: boolean;
  readonly structuredOutput: boolean;
  readonly vision: boolean;
  /** A model family such as "gpt-4o", "o3", "llama", or "unknown". */
  readonly family: string;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
  /** The run the call is part of. A synthetic run's calls never reach the provider (see models/model-call.ts). */
  readonly run?: RunContext;
  /** In a synthetic run, the text the stub answers with, for a caller that needs one (a speaker selector). */
  readonly syntheticReply?: string;
}

/**
 * A model client is a long-lived definition: built once, shared by every run and every session.
 * It holds no per-conversation state, so any number of concurrent calls are safe.
 */
export interface ModelClient {
  readonly modelInfo: ModelInfo;
  create(request: ModelRequest, options?: CallOptions): Promise<ModelResponse>;
  createStream(request: ModelRequest, options?: CallOptions): AsyncIterable<ModelStreamChunk>;
  /** Opens what the first call would otherwise open, and proves the credentials work. */
  warmup(options?: CallOptions): Promise<void>;
  close(): Promise<void>;
}
