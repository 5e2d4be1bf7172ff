import type { CallOptions, ModelClient, ModelRequest, ModelResponse, ModelStreamChunk } from "../core/model-client.ts";
import { isSyntheticTurn, syntheticExchangeOf } from "../core/synthetic.ts";

const warmable = new WeakSet<object>();

export function isWarmable(client: unknown): boolean {
  return typeof client === "object" && client !== null && warmable.has(client);
}

/**
 * A stub answer for a synthetic turn: a call to the first tool offered (so the tool loop runs; the
 * tool itself does not, see executeToolCall), then plain text, or for a speaker selector (a prompt
 * that lists the candidates as a JSON array) the first candidate's name. No provider is called.
 */
function stubResponse(request: ModelRequest): ModelResponse {
  const tool = request.tools?.[0];
  if (tool !== undefined && request.toolChoice !== "none" && request.messages.at(-1)?.role !== "tool") {
    return {
      finishReason: "tool-calls",
      content: "",
      toolCalls: [{ id: "call_synthetic", name: tool.name, arguments: "{}" }],
      usage: { promptTokens: 0, completionTokens: 0 },
    };
  }
  const system = request.messages[0]?.role === "system" ? request.messages[0].content : "";
  const candidates = /\[("[^"\]]+"(?:,"[^"\]]+")*)\]/.exec(system)?.[1];
  const content = candidates === undefined ? "ok" : ((JSON.parse(`[${candidates}]`) as string[])[0] ?? "ok");
  return { finishReason: "stop", content, toolCalls: [], usage: { promptTokens: 0, completionTokens: 0 } };
}

/**
 * Wraps a model client so the runtime can run synthetic turns through the real request path
 * (agents, teams, sessions, serialisation) before ready without calling the provider. Outside a
 * synthetic turn every call goes to the client unchanged; `instanceof` and every property still work.
 */
export function makeWarmable<Client extends ModelClient>(client: Client): Client {
  const bound = new Map<PropertyKey, unknown>();
  // Made once: every model call reads `create` through the proxy.
  const create = (request: ModelRequest, options?: CallOptions) =>
    isSyntheticTurn() ? syntheticCreate(client, request) : client.create(request, options);
  const createStream = (request: ModelRequest, options?: CallOptions) =>
    isSyntheticTurn() ? syntheticStream(client, request) : client.createStream(request, options);
  const proxy = new Proxy(client, {
    get(target, property) {
      if (property === "create") return create;
      if (property === "createStream") return createStream;
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

/** The stub answer, through the client's own parsing code when it offers it. */
async function syntheticCreate(client: ModelClient, request: ModelRequest): Promise<ModelResponse> {
  const answer = stubResponse(request);
  return syntheticExchangeOf(client)?.create(request, answer) ?? answer;
}

async function* syntheticStream(client: ModelClient, request: ModelRequest): AsyncGenerator<ModelStreamChunk> {
  const answer = stubResponse(request);
  const exchange = syntheticExchangeOf(client);
  if (exchange !== undefined) {
    yield* exchange.createStream(request, answer);
    return;
  }
  if (answer.content !== "") yield { type: "text-delta", delta: answer.content };
  yield { type: "response", response: answer };
}
