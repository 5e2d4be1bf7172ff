import type { MessageDeltaEvent } from "../../core/messages.ts";
import type { ModelClient, ModelRequest, ModelResponse } from "../../core/model-client.ts";
import { invalidResponse } from "../../models/openai/wire-response.ts";
import { makeMessage } from "./make-message.ts";

/**
 * Calls the model once. Streaming yields a `message-delta` event per text delta; either way the
 * generator returns the complete response.
 */
export async function* callModel(
  client: ModelClient,
  request: ModelRequest,
  options: { readonly stream: boolean; readonly source: string; readonly signal: AbortSignal },
): AsyncGenerator<MessageDeltaEvent, ModelResponse> {
  if (!options.stream) return await client.create(request, { signal: options.signal });
  for await (const chunk of client.createStream(request, { signal: options.signal })) {
    if (chunk.type === "text-delta") yield makeMessage(options.source, { type: "message-delta", content: chunk.delta });
    else if (chunk.type === "response") return chunk.response;
  }
  throw invalidResponse("the model stream ended without a final response");
}
