// Bytes held per cached tenant stack: an AssistantAgent with three tools and its own model
// client (its own key, the shared connection pool), built through the tenant cache.
// Run: npm run bench:tenant-bytes   (node --expose-gc). Exits 1 over the 50 KB budget.
import { AssistantAgent, defineTool, OpenAIChatCompletionClient } from "hearth";
import { TenantCache } from "../src/tenancy/tenant-cache.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc");
const budgetBytes = 50 * 1024;
const tenants = Number(process.argv[2] ?? 500);

const tools = (tenantId: string) => [
  defineTool({
    name: "lookup_order",
    description: "Look up an order by id.",
    parameters: {
      type: "object",
      properties: { order_id: { type: "string", pattern: "^[A-Z][0-9]{3}$" } },
      required: ["order_id"],
    },
    execute: ({ order_id }) => ({ tenantId, order_id, status: "shipped" }),
  }),
  defineTool({
    name: "refund",
    description: "Refund an order.",
    parameters: {
      type: "object",
      properties: { order_id: { type: "string" }, amount: { type: "number", minimum: 0 } },
      required: ["order_id", "amount"],
    },
    execute: ({ order_id, amount }) => ({ tenantId, order_id, refunded: amount }),
  }),
  defineTool({
    name: "escalate",
    description: "Hand the case to a person.",
    parameters: { type: "object", properties: { reason: { type: "string", maxLength: 500 } }, required: ["reason"] },
    execute: ({ reason }) => ({ tenantId, ticket: `T-${String(reason).length}` }),
  }),
];

const cache = new TenantCache(
  {
    resolve: (key) => key,
    credentials: (tenantId) => ({ providerKey: `sk-${tenantId}-0123456789abcdef0123456789abcdef` }),
    build: ({ tenantId, credentials }) => {
      const modelClient = new OpenAIChatCompletionClient({
        model: "gpt-4o-mini",
        apiKey: credentials.providerKey ?? "",
        baseURL: "https://api.example.com/v1",
      });
      return {
        agents: {
          support_agent: new AssistantAgent({
            name: "support_agent",
            modelClient,
            tools: tools(tenantId),
            systemMessage: `You help the customers of ${tenantId}.`,
          }),
        },
        models: { main: modelClient },
      };
    },
    maxEntries: tenants + 1,
  },
  () => ({ assets: {}, resources: {}, models: {} }),
);

// One stack first, so code and shared structures loaded on first use are not counted.
await cache.get("warm-up-tenant");
gc();
gc();
const before = process.memoryUsage().heapUsed;
for (let index = 0; index < tenants; index++) await cache.get(`tenant-${index}`);
gc();
gc();
const after = process.memoryUsage().heapUsed;
const perTenant = (after - before) / tenants;
console.log(
  JSON.stringify({
    metric: "bytes per cached tenant stack",
    tenants,
    perTenantBytes: Math.round(perTenant),
    budgetBytes,
    node: process.version,
  }),
);
await cache.close();
process.exitCode = perTenant <= budgetBytes ? 0 : 1;
