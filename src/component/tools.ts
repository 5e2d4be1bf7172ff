import type { AnyTool } from "../core/tool.ts";
import { isWorkbench, type Workbench } from "../core/workbench.ts";
import { AgentTool, TeamTool } from "../tools/task-runner-tool.ts";
import { at, type ComponentJSON, ConfigReader, isObject, locatedError, shortName } from "./component-json.ts";
import { construct } from "./construct.ts";
import type { Loader } from "./loader.ts";

// Tools and workbenches in AutoGen's JSON. No code from the JSON runs: a FunctionTool carries its
// Python source, which hearth never reads, and an McpWorkbench names a process to start or a server
// to reach, which hearth does not start or reach on a file's say-so. The app supplies each of them
// (`options.tools` by name, `options.workbenches` by label or path); hearth builds only what is data:
// an agent or a team as a tool, and a static workbench as the list of tools it names.

const agentTool = "autogen_agentchat.tools.AgentTool";
const teamTool = "autogen_agentchat.tools.TeamTool";
const staticWorkbenches = new Set(["autogen_core.tools.StaticWorkbench", "autogen_core.tools.StaticStreamWorkbench"]);
const mcpWorkbench = "autogen_ext.tools.mcp.McpWorkbench";

function checkType(component: ComponentJSON, kind: "tool" | "workbench"): void {
  if (component.componentType !== undefined && component.componentType !== kind)
    throw locatedError(
      `Component JSON${at(component.path)}: expected a ${kind}, but "component_type" is "${component.componentType}".`,
      component.path,
    );
}

/** The name the model would call a tool component by: its config's `name` (an AgentTool's is its agent's). */
function toolName(component: ComponentJSON): string | undefined {
  const { config } = component;
  if (typeof config.name === "string") return config.name;
  if (component.provider === agentTool && isObject(config.agent) && isObject(config.agent.config)) {
    const name = config.agent.config.name;
    return typeof name === "string" ? name : undefined;
  }
  return undefined;
}

function suppliedTool(loader: Loader, name: string, component: ComponentJSON): AnyTool | undefined {
  const tools = loader.options.tools;
  if (tools === undefined || !Object.hasOwn(tools, name)) return undefined;
  const tool = tools[name] as AnyTool;
  if (tool.name !== name)
    throw locatedError(
      `options.tools.${name} is a tool named "${tool.name}", but the tool${at(component.path)} is named "${name}": the model would be offered a different tool from the one the JSON describes.`,
      `tools.${name}`,
    );
  return tool;
}

export function toolOf(component: ComponentJSON, loader: Loader): AnyTool {
  checkType(component, "tool");
  const name = toolName(component);
  const supplied = name === undefined ? undefined : suppliedTool(loader, name, component);
  if (supplied !== undefined) return supplied;
  if (component.provider === agentTool || component.provider === teamTool) return taskRunnerTool(component, loader);
  const kind = shortName(component.provider);
  if (name === undefined)
    throw locatedError(
      `Component JSON${at(component.path)}: provider "${component.provider}" is not supported by hearth, and it has no "name" to supply a tool under.`,
      component.path,
    );
  throw locatedError(
    `${kind} "${name}"${at(component.path)}: hearth runs no code from a component's JSON; supply the tool under its name: loadComponent(json, { tools: { ${name}: defineTool({ name: "${name}", ... }) } }).`,
    component.path,
    { toolName: name },
  );
}

/** `AgentTool` (`agent`) and `TeamTool` (`team`, `name`, `description`). */
function taskRunnerTool(component: ComponentJSON, loader: Loader): AnyTool {
  const reader = ConfigReader.of(component);
  const isAgent = component.provider === agentTool;
  // AutoGen's default (false) joins every message of the inner run; hearth's tool returns the last one's text.
  if (reader.optionalBoolean("return_value_as_last_message") !== true)
    throw reader.error(
      "return_value_as_last_message",
      `hearth's ${isAgent ? "AgentTool" : "TeamTool"} returns the inner run's last message: set "return_value_as_last_message" to true, or supply the tool in options.tools.`,
    );
  if (isAgent) {
    const agent = loader.build(reader.component("agent"), ["agent"]);
    reader.done();
    return construct(reader, () => new AgentTool(agent));
  }
  const name = reader.string("name");
  const description = reader.string("description");
  const team = loader.build(reader.component("team"), ["team"]);
  reader.done();
  return construct(reader, () => new TeamTool(team, { name, description }));
}

function suppliedWorkbench(loader: Loader, component: ComponentJSON): Workbench | undefined {
  const workbenches = loader.options.workbenches;
  if (workbenches === undefined) return undefined;
  for (const key of [component.path, component.label]) {
    if (key !== undefined && Object.hasOwn(workbenches, key)) return workbenches[key];
  }
  return undefined;
}

export function workbenchOf(
  component: ComponentJSON,
  loader: Loader,
): { readonly tools: readonly AnyTool[]; readonly workbench?: Workbench } {
  checkType(component, "workbench");
  const supplied = suppliedWorkbench(loader, component);
  if (supplied !== undefined) {
    if (!isWorkbench(supplied))
      throw locatedError(
        `options.workbenches: the workbench for the one${at(component.path)} is not a workbench.`,
        "workbenches",
      );
    return { tools: [], workbench: supplied };
  }
  if (staticWorkbenches.has(component.provider)) {
    const reader = ConfigReader.of(component);
    const tools = reader.components("tools").map((tool) => loader.tool(tool));
    reader.unsupported("tool_overrides", "supply the tools under the names and descriptions the model should see");
    reader.done();
    return { tools };
  }
  const key = component.label ?? component.path;
  if (component.provider === mcpWorkbench)
    throw locatedError(
      `McpWorkbench${at(component.path)}: hearth starts no MCP server that a JSON file names; give the app's own (an mcpServer resource from hearth/mcp) in options.workbenches under "${key}".`,
      component.path,
    );
  throw locatedError(
    `Component JSON${at(component.path)}: provider "${component.provider}" is not supported by hearth; a workbench of the app's own can be given in options.workbenches under "${key}".`,
    component.path,
  );
}
