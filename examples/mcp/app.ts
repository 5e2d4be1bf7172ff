// An agent whose tools come from a real MCP server: the published filesystem server, started once
// at startup over stdio on a folder of policy documents, connected, initialised and its tools listed
// before the app says ready; every conversation shares that one session.
//
//   npm run hearth -- serve examples/mcp/app.ts --mock examples/mcp/policy-model.ts#policyModel
import { fileURLToPath } from "node:url";
import { AssistantAgent, defineApp, OpenAIChatCompletionClient } from "hearth";
import { mcpServer } from "hearth/mcp";

export const policiesFolder = fileURLToPath(new URL("./policies/", import.meta.url));
const filesystemServer = fileURLToPath(import.meta.resolve("@modelcontextprotocol/server-filesystem/dist/index.js"));

export default defineApp({
  name: "policies",
  resources: {
    policies: mcpServer({
      name: "policies",
      // The installed server, run by this Node: nothing is downloaded when the app starts.
      stdio: { command: process.execPath, args: [filesystemServer, policiesFolder] },
      // Reading is all this agent needs: the server's write and move tools are not offered.
      toolFilter: ["list_directory", "read_text_file", "search_files"],
      prefix: "policies_",
      // Harmless, so worth making before ready: the server's file-reading code is compiled before
      // the first customer's question needs it.
      warmupCalls: [{ tool: "read_text_file", arguments: { path: `${policiesFolder}returns.md` } }],
    }),
  },
  models: {
    default: () =>
      new OpenAIChatCompletionClient({
        model: process.env.OPENAI_MODEL ?? "gpt-4o-mini",
        ...(process.env.OPENAI_BASE_URL === undefined ? {} : { baseURL: process.env.OPENAI_BASE_URL }),
      }),
  },
  agents: {
    policy_agent: ({ models, resources }) =>
      new AssistantAgent({
        name: "policy_agent",
        modelClient: models.default,
        workbench: resources.policies,
        reflectOnToolUse: true,
        systemMessage: `You answer customers' questions about the shop's policies, from the documents in ${policiesFolder} only: list them, read the one that answers, and quote it.`,
      }),
  },
});
