import type { AsyncLocalStorage } from "node:async_hooks";
import type { ModelRequest, ModelResponse, ModelStreamChunk } from "./model-client.ts";

let scope: AsyncLocalStorage<true> | undefined;

/**
 * Runs `work` as a synthetic warm-up turn: the runtime's model clients answer from a stub, and tool
 * calls run every step (argument checks, timeout, signal, output) except the tool itself, so
 * nothing reaches a provider, a database or a person.
 */
export function inSyntheticTurn<T>(work: () => T): T {
  scope ??= new (process.getBuiltinModule("node:async_hooks").AsyncLocalStorage)<true>();
  return scope.run(true, work);
}

export function isSyntheticTurn(): boolean {
  return scope?.getStore() === true;
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
