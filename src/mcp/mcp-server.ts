import { resource, type Resource } from "../runtime/resource.ts";
import { checkMcpServerParams, McpWorkbench, type McpServerParams } from "./mcp-workbench.ts";

export interface McpServerOptions extends McpServerParams {
  /**
   * When false, a server that cannot be reached at startup leaves the runtime degraded (and named
   * in `/readyz`) instead of failing startup; the runtime keeps trying, and agents offer its tools
   * once it connects. Default true.
   */
  readonly required?: boolean;
}

/**
 * An MCP server as a runtime resource: its value is a started `McpWorkbench`, to give agents as
 * `workbench`. Init connects, initialises and lists every page of tools; the warm phase pings it;
 * readiness pings it; close ends the session (a DELETE for Streamable HTTP, the child process for
 * stdio).
 */
export function mcpServer(options: McpServerOptions): Resource<McpWorkbench> {
  checkMcpServerParams(options);
  const required = options.required !== false;
  return resource({
    init: async ({ signal }) => {
      const workbench = new McpWorkbench(options);
      const started = workbench.start({ signal });
      // An optional server that is down now is tried again by the warm phase, which reports it.
      if (required) await started;
      else await started.catch(() => undefined);
      return workbench;
    },
    warmup: (workbench, { signal }) => workbench.ping({ signal }),
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
