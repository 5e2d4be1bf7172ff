import { HearthError, UserError } from "../../core/errors.ts";
import type { JsonSchema } from "../../core/json-schema.ts";
import type { ImagePart, ModelMessage, ModelRequest, ResponseFormat, TextPart } from "../../core/model-client.ts";

/** Sampling options sent with every Messages request. */
export interface AnthropicSamplingOptions {
  /** Required by the Messages API: hearth sends 4096 unless told otherwise, as AutoGen's client does. */
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly stopSequences?: readonly string[];
  /**
   * Extended thinking: the model thinks before it answers, and its thinking comes back as the
   * response's `thought` (with the signature Anthropic needs to see again on the next call).
   */
  readonly thinking?: { readonly budgetTokens: number };
}

export interface WireRequestOptions extends AnthropicSamplingOptions {
  readonly model: string;
  readonly stream: boolean;
}

export const defaultMaxTokens = 4096;

type Block = Record<string, unknown>;
interface WireMessage {
  role: "user" | "assistant";
  content: Block[];
}

/**
 * The tool that carries a structured answer. The Messages API has no JSON mode: Anthropic's
 * documented way to get JSON that follows a schema is one tool whose input is the answer, which
 * the model is made to call. The response converters turn its input back into the reply's text.
 */
export function answerTool(
  format: ResponseFormat | undefined,
): { name: string; schema: JsonSchema; description: string } | undefined {
  if (format === undefined || format.type === "text") return undefined;
  if (format.type === "json_object")
    return { name: "json_output", schema: { type: "object" }, description: "Give your answer as this tool's input." };
  return {
    name: format.name,
    schema: format.schema,
    description: format.description ?? "Give your answer as this tool's input, which follows the answer's schema.",
  };
}

/** Converts hearth's model request into a Messages API request body. Pure. */
export function toWireRequest(request: ModelRequest, options: WireRequestOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: options.model,
    max_tokens: options.maxTokens ?? defaultMaxTokens,
  };
  const system = request.messages.flatMap((message) => (message.role === "system" ? [message.content] : []));
  if (system.length > 0) body.system = system.join("\n\n");
  body.messages = toWireMessages(request.messages);

  const answer = answerTool(request.responseFormat);
  const offered = request.tools ?? [];
  if (answer !== undefined && offered.some((tool) => tool.name === answer.name))
    throw new UserError(
      `The answer's schema is named "${answer.name}", as a tool the model is offered is: Anthropic gets a structured answer through a tool of that name, so one of the two must be renamed.`,
      { field: "outputName" },
    );
  const tools = [
    ...(request.toolChoice === "none" && answer !== undefined ? [] : offered).map((tool) => ({
      name: tool.name,
      description: tool.description,
      input_schema: tool.parameters,
    })),
    ...(answer === undefined
      ? []
      : [{ name: answer.name, description: answer.description, input_schema: answer.schema }]),
  ];
  if (tools.length > 0) {
    body.tools = tools;
    const choice = toolChoice(request, answer?.name, tools.length > 1, options.thinking !== undefined);
    if (choice !== undefined) body.tool_choice = choice;
  }

  if (options.temperature !== undefined) body.temperature = options.temperature;
  if (options.topP !== undefined) body.top_p = options.topP;
  if (options.topK !== undefined) body.top_k = options.topK;
  if (options.stopSequences !== undefined) body.stop_sequences = options.stopSequences;
  if (options.thinking !== undefined) body.thinking = { type: "enabled", budget_tokens: options.thinking.budgetTokens };
  if (options.stream) body.stream = true;
  return body;
}

/**
 * `auto`, `any` (hearth's "required"), `none` or one named tool. With a structured answer the model
 * must call a tool: the answer tool alone, or, beside other tools, any of them (a tool call now, the
 * answer later). Extended thinking allows only `auto`, so there the answer tool is merely offered.
 */
function toolChoice(
  request: ModelRequest,
  answer: string | undefined,
  hasOtherTools: boolean,
  thinking: boolean,
): Block | undefined {
  const choice = request.toolChoice;
  let wire: Block | undefined;
  if (typeof choice === "object") wire = { type: "tool", name: choice.name };
  else if (answer !== undefined && !thinking) wire = hasOtherTools ? { type: "any" } : { type: "tool", name: answer };
  else if (choice === "required") wire = { type: "any" };
  else if (choice === "none") wire = { type: "none" };
  else if (choice === "auto") wire = { type: "auto" };
  if (request.parallelToolCalls === false && wire?.type !== "none")
    wire = { ...(wire ?? { type: "auto" }), disable_parallel_tool_use: true };
  return wire;
}

/**
 * System messages go to the top-level `system`; tool results become `tool_result` blocks in a user
 * message; consecutive messages of one role are joined into one, as the API expects turns to
 * alternate (parallel tool calls' results must arrive together).
 */
function toWireMessages(messages: readonly ModelMessage[]): WireMessage[] {
  const out: WireMessage[] = [];
  for (const message of messages) {
    const wire = toWireMessage(message);
    if (wire === undefined) continue;
    const last = out.at(-1);
    if (last !== undefined && last.role === wire.role) last.content.push(...wire.content);
    else out.push(wire);
  }
  return out;
}

function toWireMessage(message: ModelMessage): WireMessage | undefined {
  switch (message.role) {
    case "system":
      return undefined;
    case "user":
      return {
        role: "user",
        content: typeof message.content === "string" ? [textBlock(message.content)] : message.content.map(toWirePart),
      };
    case "assistant": {
      const content: Block[] = [];
      // Anthropic wants the thinking of an answer that called tools back, unchanged, before its tool_use blocks.
      content.push(...thinkingBlocks(message.thought, message.thoughtSignature));
      if (message.content !== "") content.push(textBlock(message.content));
      for (const call of message.toolCalls ?? [])
        content.push({ type: "tool_use", id: call.id, name: call.name, input: toolInput(call.arguments) });
      // The API refuses an empty assistant turn; an empty answer has nothing to tell the model anyway.
      return content.length === 0 ? undefined : { role: "assistant", content };
    }
    case "tool":
      return {
        role: "user",
        content: message.results.map((result) => ({
          type: "tool_result",
          tool_use_id: result.callId,
          content: result.content,
          ...(result.isError ? { is_error: true } : {}),
        })),
      };
  }
}

function textBlock(text: string): Block {
  return { type: "text", text };
}

function toWirePart(part: TextPart | ImagePart): Block {
  if (part.type === "text") return textBlock(part.text);
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(part.url);
  if (data !== null) return { type: "image", source: { type: "base64", media_type: data[1], data: data[2] } };
  if (/^https?:\/\//i.test(part.url)) return { type: "image", source: { type: "url", url: part.url } };
  throw new HearthError(
    "HEARTH_MODEL_BAD_REQUEST",
    `Anthropic takes an image as a base64 \`data:\` URL or an http(s) URL, not ${JSON.stringify(part.url.slice(0, 40))}.`,
    { retryable: false },
  );
}

/**
 * A tool call's input goes back as the object the model produced. Arguments that are not a JSON
 * object (the model wrote broken JSON, and the tool's result already says so) go back empty.
 */
function toolInput(argumentsText: string): unknown {
  try {
    const parsed = JSON.parse(argumentsText === "" ? "{}" : argumentsText) as unknown;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * The thinking blocks an answer came with, to send back: kept as JSON in `thoughtSignature` (see
 * wire-response.ts); a plain signature (a session stored before) signs the thought as one block.
 */
function thinkingBlocks(thought: string | undefined, signature: string | undefined): Block[] {
  if (signature === undefined) return [];
  if (signature.startsWith("[")) {
    try {
      const blocks = JSON.parse(signature) as unknown;
      if (Array.isArray(blocks)) return blocks as Block[];
    } catch {
      // Not ours: taken as a plain signature below.
    }
  }
  return thought === undefined ? [] : [{ type: "thinking", thinking: thought, signature }];
}
