import { publishModelCall } from "../../core/diagnostics.ts";
import { HearthError } from "../../core/errors.ts";
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
  const started = performance.now();
  // Time spent waiting for the consumer of a stream is not the model's; it is left out.
  let waiting = 0;
  try {
    if (!options.stream) {
      const response = await client.create(request, { signal: options.signal });
      publishModelCall({ durationMs: performance.now() - started });
      return response;
    }
    for await (const chunk of client.createStream(request, { signal: options.signal })) {
      if (chunk.type === "response") {
        publishModelCall({ durationMs: performance.now() - started - waiting });
        return chunk.response;
      }
      if (chunk.type === "text-delta") {
        const yielded = performance.now();
        yield makeMessage(options.source, { type: "message-delta", content: chunk.delta });
        waiting += performance.now() - yielded;
      }
    }
    throw invalidResponse("the model stream ended without a final response");
  } catch (error) {
    publishModelCall({ durationMs: performance.now() - started - waiting, errorCode: HearthError.is(error) ? error.code : "ERROR" });
    throw error;
  }
}
