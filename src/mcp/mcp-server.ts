import { UserError } from "../core/errors.ts";
import { resource, type Resource } from "../runtime/resource.ts";
import { knownOptions } from "../core/known-options.ts";
import { mcpServerOptionNames } from "./option-names.ts";
import { checkMcpServerParams, McpWorkbench, type McpServerParams } from "./mcp-workbench.ts";

export interface McpServerOptions extends McpServerParams {
  /**
   * When false, a server that cannot be reached at startup leaves the runtime degraded (and named
   * in `/readyz`) instead of failing startup; the runtime keeps trying, and agents offer its tools
   * once it connects. Default true.
   */
  readonly required?: boolean;
  /**
   * Tool calls the app knows to be harmless (a read, a listing), made in the warm phase after the
   * ping, so the first user's call does not run the server's tool code cold. hearth never calls a
   * server's tools on its own: synthetic warm-up turns stop before tools. A call that fails (or
   * returns an error) fails the warm-up, which is retried.
   */
  readonly warmupCalls?: readonly { readonly tool: string; readonly arguments?: Readonly<Record<string, unknown>> }[];
}

/**
 * An MCP server as a runtime resource: its value is a started `McpWorkbench`, to give agents as
 * `workbench`. Init connects, initialises and lists every page of tools; the warm phase pings it;
 * readiness pings it; close ends the session (a DELETE for Streamable HTTP, the child process for
 * stdio).
 */
export function mcpServer(options: McpServerOptions): Resource<McpWorkbench> {
  options = knownOptions("mcpServer", options, mcpServerOptionNames);
  checkMcpServerParams(options);
  const calls = options.warmupCalls;
  if (
    calls !== undefined &&
    (!Array.isArray(calls) ||
      calls.some(
        (call) =>
          typeof call?.tool !== "string" || (call.arguments !== undefined && typeof call.arguments !== "object"),
      ))
  )
    throw new UserError(`MCP server "${options.name}": warmupCalls must be a list of { tool, arguments? }.`, {
      field: "warmupCalls",
    });
  const required = options.required !== false;
  return resource({
    init: async ({ signal, mark }) => {
      const { required: _required, warmupCalls: _warmupCalls, ...params } = options;
      const workbench = new McpWorkbench(params);
      const started = workbench.start({ signal });
      // An optional server that is down now is tried again by the warm phase, which reports it.
      if (required) await started;
      else await started.catch(() => undefined);
      const timings = workbench.startTimings;
      if (timings !== undefined && mark !== undefined) {
        const connected = timings.startMs + timings.connectMs;
        mark(options.stdio === undefined ? "connect+initialize" : "spawn+initialize", timings.startMs, connected);
        mark("list-tools", connected, connected + timings.listMs);
      }
      return workbench;
    },
    warmup: async (workbench, { signal }) => {
      await workbench.ping({ signal });
      for (const call of options.warmupCalls ?? []) {
        const result = await workbench.callTool(call.tool, call.arguments ?? {}, { signal });
        if (result.isError)
          throw new Error(`the warm-up call to ${call.tool} returned an error: ${result.text.slice(0, 200)}`);
      }
    },
    health: (workbench, { signal }) =>
      workbench.ping({ signal }).then(
        () => true,
        () => false,
      ),
    close: (workbench) => workbench.stop(),
    required,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}
