// hearth/mcp: tools from MCP servers, on the official MCP SDK (an optional peer dependency, loaded
// when a server first connects).
export { mcpServer, type McpServerOptions } from "./mcp-server.ts";
export {
  McpWorkbench,
  type McpServerParams,
  type McpStartTimings,
  type McpToolCallResult,
  type McpToolInfo,
} from "./mcp-workbench.ts";
export { providerToolNames } from "./tool-names.ts";
export { type McpCallResult, type McpContent, resultText } from "./tool-result.ts";
