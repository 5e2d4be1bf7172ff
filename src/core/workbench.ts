import type { AnyTool } from "./tool.ts";

/**
 * AutoGen's Workbench as an agent sees it: tools that live outside the agent (an MCP server's),
 * whose list may change while the process runs. `AssistantAgent({ workbench })` offers the model the
 * workbench's tools as they are at each turn, beside its own.
 */
export interface Workbench {
  /** The tools now, as hearth tools an agent can call. Cheap: an agent asks at every model call. */
  tools(): readonly AnyTool[];
  /** Changes whenever `tools()` does, so an agent rebuilds what it sends the model only then. */
  readonly toolsVersion: number;
}

export function isWorkbench(value: unknown): value is Workbench {
  return (
    typeof (value as Partial<Workbench> | undefined)?.tools === "function" &&
    typeof (value as Partial<Workbench>).toolsVersion === "number"
  );
}
