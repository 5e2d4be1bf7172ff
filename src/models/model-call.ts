import type { CallOptions, ModelClient, ModelRequest, ModelResponse, ModelStreamChunk } from "../core/model-client.ts";
import { syntheticExchange, type SyntheticExchange } from "../core/synthetic.ts";

// Every model call hearth makes (an agent's, a selector's) goes through here: a call in a synthetic
// run (options.run.synthetic) is answered by a stub, through the client's own request and response
// code when it offers it, and never reaches the provider.

export function createResponse(
  client: ModelClient,
  request: ModelRequest,
  options: CallOptions,
): Promise<ModelResponse> {
  if (options.run?.synthetic !== true) return client.create(request, options);
  const answer = stubResponse(request, options.syntheticReply);
  return Promise.resolve(exchangeOf(client)?.create(request, answer) ?? answer);
}

export function createStream(
  client: ModelClient,
  request: ModelRequest,
  options: CallOptions,
): AsyncIterable<ModelStreamChunk> {
  if (options.run?.synthetic !== true) return client.createStream(request, options);
  return stubStream(client, request, stubResponse(request, options.syntheticReply));
}

/**
 * The stub's answer: a call to the first tool offered (so the tool loop runs; the tool itself does
 * not, see executeToolCall), then plain text: the caller's `syntheticReply`, or "ok".
 */
function stubResponse(request: ModelRequest, reply: string | undefined): ModelResponse {
  const usage = { promptTokens: 0, completionTokens: 0 };
  const tool = request.tools?.[0];
  if (tool !== undefined && request.toolChoice !== "none" && request.messages.at(-1)?.role !== "tool") {
    return {
      finishReason: "tool-calls",
      content: "",
      toolCalls: [{ id: "call_synthetic", name: tool.name, arguments: "{}" }],
      usage,
    };
  }
  return { finishReason: "stop", content: reply ?? "ok", toolCalls: [], usage };
}

async function* stubStream(
  client: ModelClient,
  request: ModelRequest,
  answer: ModelResponse,
): AsyncGenerator<ModelStreamChunk> {
  const exchange = exchangeOf(client);
  if (exchange !== undefined) {
    yield* exchange.createStream(request, answer);
    return;
  }
  if (answer.content !== "") yield { type: "text-delta", delta: answer.content };
  yield { type: "response", response: answer };
}

function exchangeOf(client: ModelClient): SyntheticExchange | undefined {
  return (client as { [syntheticExchange]?: SyntheticExchange })[syntheticExchange];
}
