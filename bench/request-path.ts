// npm run bench:request-path: hearth's request path in process, against a model client that answers
// at once, beside the floor's hand-written loop doing the same job. No sockets and no other process,
// so the figures hold still to a few percent and a change of a microsecond shows: the tool for
// work on the request path's own cost (`npm run bench` measures it under load, where the machine
// multiplies it; see docs/performance.md).
import { createHook } from "node:async_hooks";
import type { ModelClient, ModelRequest, ModelResponse } from "../src/core/model-client.ts";
import { Session } from "../src/core/session.ts";
import { defineApp } from "../src/runtime/app.ts";
import { runtimeWithApp } from "../src/server/http-app.ts";
import type { HttpRequest } from "../src/server/http-types.ts";
import { MemorySessionStore } from "../src/state/memory-session-store.ts";
import { createSupportAgent, loadOrders, loadPolicy } from "../examples/support/support-agent.ts";

const runs = Number(process.env.BENCH_RUNS ?? 40_000);
const orders = loadOrders();
const policy = loadPolicy();
const usage = { promptTokens: 10, completionTokens: 5 };

/** The support model's two answers (a tool call, then the reply), at once and over no network. */
class InstantModel implements ModelClient {
  readonly modelInfo = {
    functionCalling: true,
    jsonOutput: true,
    structuredOutput: true,
    vision: false,
    family: "unknown",
  };
  async create(request: ModelRequest): Promise<ModelResponse> {
    if (request.messages.at(-1)?.role === "tool")
      return {
        finishReason: "stop",
        content: "Order A123 has shipped with DHL (tracking JD014600006281).",
        toolCalls: [],
        usage,
      };
    return {
      finishReason: "tool-calls",
      content: "",
      toolCalls: [{ id: "call_1", name: "lookup_order", arguments: '{"order_id":"A123"}' }],
      usage,
    };
  }
  async *createStream(): AsyncGenerator<never> {}
  async warmup(): Promise<void> {}
  async close(): Promise<void> {}
}

const app = defineApp({
  name: "support",
  models: { default: () => new InstantModel() },
  agents: { support_agent: ({ models }) => createSupportAgent({ modelClient: models.default, orders, policy }) },
});
const { runtime, app: http } = runtimeWithApp(app, {
  store: new MemorySessionStore(),
  log: () => undefined,
  runtime: { log: () => undefined },
});
await runtime.start();
const agent = runtime.agent("support_agent");
const body = new TextEncoder().encode(JSON.stringify({ message: "Where is order A123?" }));
const signal = new AbortController().signal;
const request = (): HttpRequest => ({
  method: "POST",
  path: "/v1/chat",
  query: new URLSearchParams(),
  headers: { "content-type": "application/json" },
  readBody: async () => body,
  signal,
});

// The floor's job, by hand, against the same instant answers in the wire format.
type WireMessage = {
  role: string;
  content: string | null;
  tool_call_id?: string;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
};
const tools = [
  {
    type: "function",
    function: {
      name: "lookup_order",
      description: "Look up an order.",
      parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] },
    },
  },
];
async function complete(payload: {
  messages: WireMessage[];
  tools?: unknown[];
}): Promise<{ choices: { message: WireMessage }[] }> {
  JSON.stringify(payload);
  if (payload.messages.at(-1)?.role === "tool")
    return { choices: [{ message: { role: "assistant", content: "Order A123 has shipped." } }] };
  return {
    choices: [
      {
        message: {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", function: { name: "lookup_order", arguments: '{"order_id":"A123"}' } }],
        },
      },
    ],
  };
}
async function floor(bytes: Uint8Array): Promise<string> {
  const { message } = JSON.parse(new TextDecoder().decode(bytes)) as { message: string };
  const messages: WireMessage[] = [
    { role: "system", content: policy },
    { role: "user", content: message },
  ];
  const first = (await complete({ messages, tools })).choices[0]?.message as WireMessage;
  messages.push(first);
  for (const call of first.tool_calls ?? []) {
    const { order_id } = JSON.parse(call.function.arguments) as { order_id: string };
    messages.push({
      role: "tool",
      tool_call_id: call.id,
      content: JSON.stringify({ found: true, ...orders.get(order_id) }),
    });
  }
  const reply = (await complete({ messages })).choices[0]?.message.content;
  return JSON.stringify({ reply });
}

const cases: [string, () => Promise<unknown>][] = [
  [
    "hearth, HttpApp.handle (session stored)",
    async () => {
      const response = await http.handle(request());
      if (response.status !== 200) throw new Error(String(response.body));
    },
  ],
  [
    "hearth, agent.run (new session)",
    () => agent.run({ task: "Where is order A123?", session: new Session(), signal }),
  ],
  ["floor, the same job by hand", () => floor(body)],
];

async function perCall(work: () => Promise<unknown>): Promise<{ micros: number; promises: number }> {
  for (let index = 0; index < 5_000; index++) await work();
  const started = performance.now();
  for (let index = 0; index < runs; index++) await work();
  const micros = ((performance.now() - started) * 1000) / runs;
  let promises = 0;
  const hook = createHook({
    init: (_id, type) => {
      if (type === "PROMISE") promises += 1;
    },
  }).enable();
  for (let index = 0; index < 1_000; index++) await work();
  hook.disable();
  return { micros, promises: promises / 1_000 };
}

console.log(`request path in process, ${runs} runs each, Node ${process.version}`);
console.log("| | µs per request (best of 3) | promises per request |\n|---|---:|---:|");
for (const [name, work] of cases) {
  const rounds = [await perCall(work), await perCall(work), await perCall(work)];
  const best = Math.min(...rounds.map((round) => round.micros));
  console.log(`| ${name} | ${best.toFixed(2)} | ${rounds[0]?.promises.toFixed(0)} |`);
}
await runtime.close();
