// The names McpWorkbench and mcpServer take (checked by knownOptions).
import { optionNames, type OptionNames } from "../core/known-options.ts";
import type { McpServerOptions } from "./mcp-server.ts";
import type { McpServerParams } from "./mcp-workbench.ts";

const refused = {
  serverParams:
    "hearth takes the server's transport directly: `stdio: { command, args, env, cwd }` or `http: { url, headers, transport }` (AutoGen's StdioServerParams, StreamableHttpServerParams, SseServerParams).",
  toolOverrides:
    "hearth does not rename or redescribe a server's tools; `prefix` tells servers' tools apart and `toolFilter` picks them.",
};

export const mcpWorkbenchOptionNames: OptionNames = {
  accepted: optionNames<McpServerParams>()(["name", "stdio", "http", "toolFilter", "prefix", "timeoutMs"]),
  refused,
};

export const mcpServerOptionNames: OptionNames = {
  accepted: optionNames<McpServerOptions>()([
    "name",
    "stdio",
    "http",
    "toolFilter",
    "prefix",
    "timeoutMs",
    "required",
    "warmupCalls",
  ]),
  refused,
};
