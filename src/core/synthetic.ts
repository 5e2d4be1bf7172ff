import { flagScope } from "../internal/flag-scope.ts";
import type { ModelRequest, ModelResponse, ModelStreamChunk } from "./model-client.ts";

const syntheticScope = flagScope();

/**
 * Runs `work` as a synthetic warm-up turn: the runtime's model clients answer from a stub, and tool
 * calls run every step (argument checks, timeout, signal, output) except the tool itself, so
 * nothing reaches a provider, a database or a person.
 */
export function inSyntheticTurn<T>(work: () => T): T {
  return syntheticScope.run(work);
}

export function isSyntheticTurn(): boolean {
  return syntheticScope.active();
}

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
