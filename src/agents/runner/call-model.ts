import { publishModelCall } from "../../core/diagnostics.ts";
import { HearthError } from "../../core/errors.ts";
import type { MessageDeltaEvent } from "../../core/messages.ts";
import type { ModelClient, ModelRequest, ModelResponse } from "../../core/model-client.ts";
import type { RunContext } from "../../core/run-context.ts";
import { createResponse, createStream } from "../../models/model-call.ts";
import { invalidResponse } from "../../models/openai/wire-response.ts";
import { makeMessage } from "./make-message.ts";

export interface CallModelOptions {
  readonly source: string;
  readonly signal: AbortSignal;
  readonly run: RunContext;
  /** In a synthetic run, what the stub answers (the selector's choice of speaker). */
  readonly syntheticReply?: string;
}

/**
 * Calls the model once, without streaming. A plain async function, not a generator: a turn that
 * does not stream pays for no generator objects and no extra microtask hops per call.
 */
export async function createModelResponse(
  client: ModelClient,
  request: ModelRequest,
  options: CallModelOptions,
): Promise<ModelResponse> {
  const started = performance.now();
  try {
    const response = await createResponse(client, request, {
      signal: options.signal,
      run: options.run,
      ...(options.syntheticReply === undefined ? {} : { syntheticReply: options.syntheticReply }),
    });
    publishModelCall(
      { durationMs: performance.now() - started, client, caller: options.source, request, response },
      options.run,
    );
    return response;
  } catch (error) {
    publishModelCall(failedCall(client, options.source, request, started, error), options.run);
    throw error;
  }
}

/** Calls the model once, streaming: emits a `message-delta` event per text delta and resolves with the complete response. */
export async function streamModelResponse(
  client: ModelClient,
  request: ModelRequest,
  options: CallModelOptions,
  emit: (event: MessageDeltaEvent) => void,
): Promise<ModelResponse> {
  const started = performance.now();
  try {
    for await (const chunk of createStream(client, request, { signal: options.signal, run: options.run })) {
      if (chunk.type === "response") {
        publishModelCall(
          {
            durationMs: performance.now() - started,
            client,
            caller: options.source,
            request,
            response: chunk.response,
          },
          options.run,
        );
        return chunk.response;
      }
      if (chunk.type === "text-delta")
        emit(makeMessage(options.source, { type: "message-delta", content: chunk.delta }));
    }
    throw invalidResponse("the model stream ended without a final response");
  } catch (error) {
    publishModelCall(failedCall(client, options.source, request, started, error), options.run);
    throw error;
  }
}

function failedCall(client: ModelClient, caller: string, request: ModelRequest, started: number, error: unknown) {
  return {
    durationMs: performance.now() - started,
    client,
    caller,
    request,
    errorCode: HearthError.is(error) ? error.code : "ERROR",
  };
}
