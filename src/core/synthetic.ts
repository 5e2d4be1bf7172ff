import type { ModelRequest, ModelResponse, ModelStreamChunk } from "./model-client.ts";

/**
 * What a model client may implement to take part in synthetic turns past its network call: it runs
 * its own request and response code (serialisation, parsing, stream assembly) on a stub answer,
 * with no exchange. Without it, the stub answer is returned as it is.
 */
export const syntheticExchange: unique symbol = Symbol.for("hearth.syntheticExchange");

export interface SyntheticExchange {
  create(request: ModelRequest, answer: ModelResponse): ModelResponse;
  createStream(request: ModelRequest, answer: ModelResponse): AsyncIterable<ModelStreamChunk>;
}

export function syntheticExchangeOf(client: object): SyntheticExchange | undefined {
  return (client as { [syntheticExchange]?: SyntheticExchange })[syntheticExchange];
}

const warmable = new WeakSet<object>();

/** Marks a model client the runtime built (from the app's `models`): agents on it take synthetic turns. */
export function markWarmable<Client extends object>(client: Client): Client {
  warmable.add(client);
  return client;
}

export function isWarmable(client: unknown): boolean {
  return typeof client === "object" && client !== null && warmable.has(client);
}
