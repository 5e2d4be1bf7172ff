// The floor: the least code that does the support agent's job by hand. node:http, a keep-alive
// HTTP (or HTTPS) client to the model, a hand-written tool loop, the orders table and policy loaded once.
import { readFileSync } from "node:fs";

const http = process.getBuiltinModule("node:http");
const orders = new Map(
  (
    JSON.parse(readFileSync(new URL("../../examples/support/orders.json", import.meta.url), "utf8")) as { id: string }[]
  ).map((order) => [order.id, order]),
);
const policy = readFileSync(new URL("../../examples/support/policy.md", import.meta.url), "utf8");
const base = new URL(`${process.env.OPENAI_BASE_URL}/`);
const client = base.protocol === "https:" ? process.getBuiltinModule("node:https") : http;
const agent = new client.Agent({ keepAlive: true });
const tools = [
  {
    type: "function",
    function: {
      name: "lookup_order",
      description:
        "Look up an order by its id (for example A123) and return its status, carrier, tracking number and expected delivery date.",
      parameters: {
        type: "object",
        properties: { order_id: { type: "string" } },
        required: ["order_id"],
        additionalProperties: false,
      },
    },
  },
];

function complete(body: unknown): Promise<{
  choices: {
    message: { content: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[] };
  }[];
}> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = client.request(
      new URL("chat/completions", base),
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${process.env.OPENAI_API_KEY}`,
          "content-length": Buffer.byteLength(payload),
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve(JSON.parse(text)));
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

async function answer(message: string): Promise<string> {
  const messages: unknown[] = [
    { role: "system", content: `You are a customer support agent for a home goods shop.\n\n${policy}` },
    { role: "user", content: message },
  ];
  const first = (await complete({ model: "support-mock", messages, tools })).choices[0]?.message;
  if (first?.tool_calls === undefined || first.tool_calls.length === 0) return first?.content ?? "";
  messages.push(first);
  for (const call of first.tool_calls) {
    const { order_id } = JSON.parse(call.function.arguments) as { order_id: string };
    const order = orders.get(order_id);
    messages.push({
      role: "tool",
      tool_call_id: call.id,
      content: JSON.stringify(order === undefined ? { found: false, order_id } : { found: true, ...order }),
    });
  }
  return (await complete({ model: "support-mock", messages })).choices[0]?.message.content ?? "";
}

// With BENCH_DURABLE_DB, the floor also stores each turn as hearth's default store does: one
// SQLite insert per turn, WAL journal, synchronous = FULL (a commit waits for the disk).
const durable = process.env.BENCH_DURABLE_DB;
const store = (() => {
  if (durable === undefined) return undefined;
  const { DatabaseSync } = process.getBuiltinModule("node:sqlite");
  const db = new DatabaseSync(durable);
  db.exec(
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE IF NOT EXISTS turns (id TEXT PRIMARY KEY, json TEXT NOT NULL)",
  );
  return db.prepare("INSERT INTO turns (id, json) VALUES (?, ?)");
})();

const server = http.createServer(async (request, response) => {
  let body = "";
  for await (const chunk of request) body += chunk;
  const message = (JSON.parse(body) as { message: string }).message;
  const reply = await answer(message);
  store?.run(crypto.randomUUID(), JSON.stringify({ messages: [message, reply] }));
  const text = JSON.stringify({ reply });
  response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as { port: number };
  // When NODE_COMPILE_CACHE is set, write it now, as hearth's serve() does once warm (a no-op otherwise).
  process.getBuiltinModule("node:module").flushCompileCache?.();
  process.stdout.write(`READY http://127.0.0.1:${address.port}\n`);
});
