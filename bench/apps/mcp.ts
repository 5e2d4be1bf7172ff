// The MCP example served by hearth as an app would run it: the published bundle, the filesystem MCP
// server spawned, initialised, its tools listed and one warm-up read made before ready; sessions in
// memory, logs off.
import { MemorySessionStore } from "hearth";
import { serve } from "hearth/node";
import mcpApp from "../../examples/mcp/app.ts";

const server = await serve(mcpApp, { port: 0, store: new MemorySessionStore(), log: () => {} });
process.stdout.write(`READY ${server.url}\n`);
