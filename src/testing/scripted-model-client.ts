import type { ToolCall, Usage } from "../core/messages.ts";
import type {
  CallOptions,
  ModelClient,
  ModelInfo,
  ModelRequest,
  ModelResponse,
  ModelStreamChunk,
} from "../core/model-client.ts";
import { abortError } from "../core/errors.ts";
import { knownOptions } from "../core/known-options.ts";
import { type ScriptedModelClientAutoGenNames, scriptedModelClientOptionNames } from "./option-names.ts";

/** A scripted reply: text, a full description, an error to throw, or a function of the request. */
export type ScriptedReply =
  | string
  | {
      readonly content?: string;
      readonly toolCalls?: readonly {
        readonly id?: string;
        readonly name: string;
        readonly arguments: string | Readonly<Record<string, unknown>>;
      }[];
      readonly usage?: Usage;
      readonly thought?: string;
    }
  | Error
  | ((request: ModelRequest) => ScriptedReply | Promise<ScriptedReply>);

export interface ScriptedModelClientOptions {
  readonly replies?: readonly ScriptedReply[];
  readonly modelInfo?: Partial<ModelInfo>;
  /** Characters per `text-delta` when streaming. Default 8. */
  readonly chunkSize?: number;
}

let callIds = 0;

/**
 * A model client for tests: replies come from a queue, in order, and every request is recorded.
 * An Error in the queue is thrown from that call. An empty queue is a test bug and throws.
 */
export class ScriptedModelClient implements ModelClient {
  readonly modelInfo: ModelInfo;
  readonly requests: ModelRequest[] = [];
  warmups = 0;
  closed = false;
  readonly #queue: ScriptedReply[];
  readonly #chunkSize: number;

  constructor(options: ScriptedModelClientOptions & ScriptedModelClientAutoGenNames = {}) {
    options = knownOptions("ScriptedModelClient", options, scriptedModelClientOptionNames);
    this.#queue = [...(options.replies ?? [])];
    this.#chunkSize = options.chunkSize ?? 8;
    this.modelInfo = Object.freeze({
      functionCalling: true,
      jsonOutput: true,
      structuredOutput: true,
      vision: false,
      family: "scripted",
      ...options.modelInfo,
    });
  }

  enqueue(...replies: ScriptedReply[]): void {
    this.#queue.push(...replies);
  }

  get remaining(): number {
    return this.#queue.length;
  }

  async create(request: ModelRequest, options: CallOptions = {}): Promise<ModelResponse> {
    if (options.signal?.aborted === true) throw abortError(options.signal);
    this.requests.push(structuredClone(request));
    let reply = this.#queue.shift();
    if (reply === undefined)
      throw new Error(`ScriptedModelClient has no reply left for request ${this.requests.length}.`);
    while (typeof reply === "function") reply = await reply(request);
    // Like a real client, a call whose signal fired while it was under way fails.
    if ((options.signal as AbortSignal | undefined)?.aborted === true) throw abortError(options.signal);
    if (reply instanceof Error) throw reply;
    return toResponse(reply);
  }

  async *createStream(request: ModelRequest, options: CallOptions = {}): AsyncGenerator<ModelStreamChunk> {
    const response = await this.create(request, options);
    for (let start = 0; start < response.content.length; start += this.#chunkSize) {
      if (options.signal?.aborted === true) throw abortError(options.signal);
      yield { type: "text-delta", delta: response.content.slice(start, start + this.#chunkSize) };
    }
    for (const [index, call] of response.toolCalls.entries()) {
      yield { type: "tool-call-delta", index, id: call.id, name: call.name, argumentsDelta: call.arguments };
    }
    yield { type: "response", response };
  }

  async warmup(): Promise<void> {
    this.warmups += 1;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function toResponse(reply: Exclude<ScriptedReply, Error | ((request: ModelRequest) => unknown)>): ModelResponse {
  const body = typeof reply === "string" ? { content: reply } : reply;
  const toolCalls: ToolCall[] = (body.toolCalls ?? []).map((call) => ({
    id: call.id ?? `call_scripted_${++callIds}`,
    name: call.name,
    arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
  }));
  return {
    finishReason: toolCalls.length > 0 ? "tool-calls" : "stop",
    content: body.content ?? "",
    toolCalls,
    usage: body.usage ?? { promptTokens: 10, completionTokens: 5 },
    ...(body.thought === undefined ? {} : { thought: body.thought }),
  };
}
