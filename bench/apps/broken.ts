// The seed's broken pattern: the model client (with its own connections) and the agent are built
// inside the request handler, for every request.
import { readFileSync } from "node:fs";
import { AssistantAgent, ConnectionPools, OpenAIChatCompletionClient, defineTool } from "hearth";

const http = process.getBuiltinModule("node:http");

const server = http.createServer(async (request, response) => {
  let body = "";
  for await (const chunk of request) body += chunk;
  // Everything below should happen once, at startup; here it happens per request.
  const orders = new Map(
    (
      JSON.parse(readFileSync(new URL("../../examples/support/orders.json", import.meta.url), "utf8")) as {
        id: string;
      }[]
    ).map((order) => [order.id, order]),
  );
  const policy = readFileSync(new URL("../../examples/support/policy.md", import.meta.url), "utf8");
  const pools = new ConnectionPools();
  const modelClient = new OpenAIChatCompletionClient({ model: "support-mock", connectionPools: pools });
  const lookupOrder = defineTool({
    name: "lookup_order",
    description: "Look up an order by its id.",
    parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] },
    execute: ({ order_id }) => {
      const order = orders.get(String(order_id));
      return order === undefined ? { found: false, order_id } : { found: true, ...order };
    },
  });
  const agent = new AssistantAgent({
    name: "support_agent",
    modelClient,
    tools: [lookupOrder],
    systemMessage: policy,
    reflectOnToolUse: true,
  });
  const result = await agent.run({ task: (JSON.parse(body) as { message: string }).message });
  pools.close();
  const last = result.messages.at(-1);
  const text = JSON.stringify({ reply: last?.type === "text" ? last.content : "" });
  response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as { port: number };
  process.stdout.write(`READY http://127.0.0.1:${address.port}\n`);
});
