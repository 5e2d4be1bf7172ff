import type { AsyncLocalStorage } from "node:async_hooks";
import type { CallOptions, ModelClient, ModelRequest, ModelResponse, ModelStreamChunk } from "../core/model-client.ts";

let syntheticScope: AsyncLocalStorage<true> | undefined;
const warmable = new WeakSet<object>();

/** Runs `work` as a synthetic warm-up turn: model clients made warmable answer from a stub. */
export function inSyntheticTurn<T>(work: () => T): T {
  syntheticScope ??= new (process.getBuiltinModule("node:async_hooks").AsyncLocalStorage)<true>();
  return syntheticScope.run(true, work);
}

export function isWarmable(client: unknown): boolean {
  return typeof client === "object" && client !== null && warmable.has(client);
}

/**
 * A stub answer for a synthetic turn: plain text, or for a speaker selector (a prompt that lists
 * the candidates as a JSON array) the first candidate's name. No provider is called.
 */
function stubResponse(request: ModelRequest): ModelResponse {
  const system = request.messages[0]?.role === "system" ? request.messages[0].content : "";
  const candidates = /\[("[^"\]]+"(?:,"[^"\]]+")*)\]/.exec(system)?.[1];
  const content = candidates === undefined ? "ok" : (JSON.parse(`[${candidates}]`) as string[])[0] ?? "ok";
  return { finishReason: "stop", content, toolCalls: [], usage: { promptTokens: 0, completionTokens: 0 } };
}

/**
 * Wraps a model client so the runtime can run synthetic turns through the real request path
 * (agents, teams, sessions, serialisation) before ready without calling the provider. Outside a
 * synthetic turn every call goes to the client unchanged; `instanceof` and every property still work.
 */
export function makeWarmable<Client extends ModelClient>(client: Client): Client {
  const bound = new Map<PropertyKey, unknown>();
  const proxy = new Proxy(client, {
    get(target, property) {
      if (property === "create") {
        return (request: ModelRequest, options?: CallOptions) => (syntheticScope?.getStore() === true ? Promise.resolve(stubResponse(request)) : target.create(request, options));
      }
      if (property === "createStream") {
        return (request: ModelRequest, options?: CallOptions) => (syntheticScope?.getStore() === true ? stubStream(request) : target.createStream(request, options));
      }
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      // Methods run on the client itself, so its private fields keep working.
      let method = bound.get(property);
      if (method === undefined) {
        method = (value as (...args: unknown[]) => unknown).bind(target);
        bound.set(property, method);
      }
      return method;
    },
  });
  warmable.add(proxy);
  return proxy;
}

async function* stubStream(request: ModelRequest): AsyncGenerator<ModelStreamChunk> {
  const response = stubResponse(request);
  yield { type: "text-delta", delta: response.content };
  yield { type: "response", response };
}
