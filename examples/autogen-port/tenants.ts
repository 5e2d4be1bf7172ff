// The AutoGen FastAPI sample's agent, one per tenant: each client's API key maps to a tenant, and
// each tenant's agent calls the model with the tenant's own OpenAI key. Stacks are built on a
// tenant's first request and cached (docs/scaling.md). Serve it with
// `hearth serve examples/autogen-port/tenants.ts`.
import { AssistantAgent, OpenAIChatCompletionClient, defineApp } from "hearth";

// Your clients' keys and the tenants they belong to: from your database in a real app.
const tenantOfKey = new Map([
  ["client-key-acme-0001", "acme"],
  ["client-key-globex-0002", "globex"],
]);

export default defineApp({
  name: "autogen_port_tenants",
  tenants: {
    resolve: (apiKey) => tenantOfKey.get(apiKey),
    // Each tenant's own provider key, for example OPENAI_API_KEY_ACME.
    credentials: (tenantId) => ({ openaiKey: process.env[`OPENAI_API_KEY_${tenantId.toUpperCase()}`] ?? "" }),
    build: ({ tenantId, credentials }) => {
      const modelClient = new OpenAIChatCompletionClient({
        model: process.env.OPENAI_MODEL ?? "gpt-4o",
        apiKey: credentials.openaiKey,
      });
      const assistant = new AssistantAgent({
        name: "assistant",
        modelClient,
        systemMessage: `You are a helpful assistant for ${tenantId}.`,
      });
      return { agents: { assistant }, models: { default: modelClient } };
    },
    maxEntries: 1000,
    idleTtlMs: 30 * 60_000,
  },
});
