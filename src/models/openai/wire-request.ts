import type { ModelMessage, ModelRequest, ToolChoice } from "../../core/model-client.ts";

/** Sampling options passed through to Chat Completions as they are. */
export interface SamplingOptions {
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxTokens?: number;
  readonly seed?: number;
  readonly stop?: string | readonly string[];
  readonly presencePenalty?: number;
  readonly frequencyPenalty?: number;
  readonly user?: string;
}

export interface WireRequestOptions extends SamplingOptions {
  readonly model: string;
  readonly stream: boolean;
  /** o-series models take `max_completion_tokens` instead of `max_tokens`. */
  readonly useMaxCompletionTokens?: boolean;
}

type WireMessage = Record<string, unknown>;

/** Converts hearth's model request into a Chat Completions request body. Pure. */
export function toWireRequest(request: ModelRequest, options: WireRequestOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: options.model,
    messages: request.messages.flatMap(toWireMessages),
  };
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: "function",
      function: {
        name: tool.name,
        description: tool.description,
        parameters: tool.parameters,
        ...(tool.strict === true ? { strict: true } : {}),
      },
    }));
    if (request.toolChoice !== undefined) body.tool_choice = toWireToolChoice(request.toolChoice);
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  const format = request.responseFormat;
  if (format !== undefined && format.type !== "text") {
    body.response_format =
      format.type === "json_object"
        ? { type: "json_object" }
        : {
            type: "json_schema",
            json_schema: {
              name: format.name,
              schema: format.schema,
              ...(format.strict === undefined ? {} : { strict: format.strict }),
              ...(format.description === undefined ? {} : { description: format.description }),
            },
          };
  }
  if (options.temperature !== undefined) body.temperature = options.temperature;
  if (options.topP !== undefined) body.top_p = options.topP;
  if (options.maxTokens !== undefined)
    body[options.useMaxCompletionTokens === true ? "max_completion_tokens" : "max_tokens"] = options.maxTokens;
  if (options.seed !== undefined) body.seed = options.seed;
  if (options.stop !== undefined) body.stop = options.stop;
  if (options.presencePenalty !== undefined) body.presence_penalty = options.presencePenalty;
  if (options.frequencyPenalty !== undefined) body.frequency_penalty = options.frequencyPenalty;
  if (options.user !== undefined) body.user = options.user;
  if (options.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

function toWireToolChoice(choice: ToolChoice): unknown {
  return typeof choice === "string" ? choice : { type: "function", function: { name: choice.name } };
}

function toWireMessages(message: ModelMessage): WireMessage[] {
  switch (message.role) {
    case "system":
      return [{ role: "system", content: message.content }];
    case "user":
      return [
        {
          role: "user",
          content:
            typeof message.content === "string"
              ? message.content
              : message.content.map((part) =>
                  part.type === "text"
                    ? { type: "text", text: part.text }
                    : { type: "image_url", image_url: { url: part.url } },
                ),
        },
      ];
    case "assistant": {
      const wire: WireMessage = {
        role: "assistant",
        content: message.content === "" && message.toolCalls?.length ? null : message.content,
      };
      if (message.toolCalls !== undefined && message.toolCalls.length > 0) {
        const signature = message.thoughtSignature;
        wire.tool_calls = message.toolCalls.map((call, index) => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.arguments },
          // Gemini wants its signature back on the first call of the answer that carried it.
          ...(index === 0 && signature !== undefined
            ? { extra_content: { google: { thought_signature: signature } } }
            : {}),
        }));
        // DeepSeek's thinking mode refuses the next request unless the reasoning of an answer that
        // called tools comes back; only in the field it came in, as strict servers (Groq) refuse others.
        if (message.thoughtField === "reasoning_content" && message.thought !== undefined)
          wire.reasoning_content = message.thought;
      }
      return [wire];
    }
    case "tool":
      return message.results.map((result) => ({ role: "tool", tool_call_id: result.callId, content: result.content }));
  }
}
