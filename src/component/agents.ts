import type { JsonSchema } from "../core/json-schema.ts";
import type { AnyTool } from "../core/tool.ts";
import type { Workbench } from "../core/workbench.ts";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import type { HandoffOptions } from "../agents/handoff.ts";
import { SocietyOfMindAgent } from "../agents/society-of-mind-agent.ts";
import { UserProxyAgent } from "../agents/user-proxy-agent.ts";
import { type ComponentJSON, ConfigReader, isObject, parseComponent } from "./component-json.ts";
import { construct, present } from "./construct.ts";
import type { Loader } from "./loader.ts";

// AutoGen's agent configs (autogen_agentchat/agents/_assistant_agent.py AssistantAgentConfig,
// _user_proxy_agent.py UserProxyAgentConfig) as hearth's agents.

/** A handoff: a target's name, or AutoGen's Handoff (`target`, `description`, `name`, `message`; "" means the default). */
function handoffOf(value: unknown, path: string, reader: ConfigReader): string | HandoffOptions {
  if (typeof value === "string") return value;
  if (!isObject(value)) throw reader.error("handoffs", "each handoff must be an agent's name or a Handoff object.");
  const handoff = new ConfigReader(value, path, `Handoff at ${path}`);
  const target = handoff.string("target");
  const text = (key: string) => {
    const given = handoff.optionalString(key);
    return given === "" ? undefined : given;
  };
  const options = {
    target,
    ...present("name", text("name")),
    ...present("description", text("description")),
    ...present("message", text("message")),
  };
  handoff.done();
  return options;
}

/** AutoGen's StructuredMessageFactory: a JSON Schema for the reply, as the agent's output schema. */
function structuredOutputOf(reader: ConfigReader): { outputSchema: JsonSchema; outputName: string } | undefined {
  const factory = reader.optionalComponent("structured_message_factory");
  if (factory === undefined) return undefined;
  if (factory.provider !== "autogen_agentchat.messages.StructuredMessageFactory")
    throw reader.error("structured_message_factory", `provider "${factory.provider}" is not supported by hearth.`);
  const config = ConfigReader.of(factory);
  if (config.optionalObject("json_schema") === undefined)
    throw config.error("json_schema", '"json_schema" is required.');
  config.unsupported("format_string", "hearth keeps a structured reply as its JSON");
  const outputName = config.string("content_model_name");
  config.done();
  return { outputSchema: factory.config.json_schema as JsonSchema, outputName };
}

/** `autogen_agentchat.agents.AssistantAgent` (component_version 1 had one workbench, 2 a list). */
export function assistantAgent(component: ComponentJSON, loader: Loader): AssistantAgent {
  const reader = ConfigReader.of(component);
  const name = reader.string("name");
  const modelClient = loader.modelClient(reader.component("model_client"));
  const tools: AnyTool[] = reader.components("tools").map((tool) => loader.tool(tool));
  const workbench: Workbench[] = [];
  const workbenchValue = reader.raw("workbench");
  const workbenches = isObject(workbenchValue)
    ? [parseComponent(workbenchValue, `${reader.path}.workbench`)]
    : reader.components("workbench");
  for (const part of workbenches) {
    const built = loader.workbench(part);
    tools.push(...built.tools);
    if (built.workbench !== undefined) workbench.push(built.workbench);
  }
  const handoffs = reader.optionalList("handoffs").map(({ value, path }) => handoffOf(value, path, reader));
  const modelContextJSON = reader.optionalComponent("model_context");
  const modelContext =
    modelContextJSON === undefined ? undefined : loader.build(modelContextJSON, ["chat_completion_context"]);
  const memory = reader.components("memory").map((part) => loader.build(part, ["memory"]));
  const structured = structuredOutputOf(reader);
  // AutoGen keeps `metadata` on the agent for the app to read; a run does not use it.
  reader.ignore("metadata");
  const options = {
    name,
    modelClient,
    tools,
    ...(workbench.length === 0 ? {} : { workbench }),
    ...(handoffs.length === 0 ? {} : { handoffs }),
    ...present("modelContext", modelContext),
    ...(memory.length === 0 ? {} : { memory }),
    ...present("description", reader.optionalString("description")),
    // AutoGen's _from_config passes system_message as it is: left out, the agent has none.
    systemMessage: reader.optionalString("system_message") ?? null,
    ...present("modelClientStream", reader.optionalBoolean("model_client_stream")),
    ...present("reflectOnToolUse", reader.optionalBoolean("reflect_on_tool_use")),
    ...present("toolCallSummaryFormat", reader.optionalString("tool_call_summary_format")),
    ...present("maxToolIterations", reader.optionalNumber("max_tool_iterations", "positive integer")),
    ...(structured ?? {}),
  };
  reader.done();
  return construct(reader, () => new AssistantAgent(options));
}

/** `autogen_agentchat.agents.UserProxyAgent`. */
export function userProxyAgent(component: ComponentJSON, loader: Loader): UserProxyAgent {
  const reader = ConfigReader.of(component);
  const name = reader.string("name");
  const description = reader.optionalString("description");
  // AutoGen's _from_config drops input_func too (it is a function's name, not the function).
  reader.ignore("input_func");
  reader.done();
  return construct(
    reader,
    () =>
      new UserProxyAgent({
        name,
        ...present("description", description),
        ...present("inputFunc", loader.options.inputFunc),
      }),
  );
}

/** `autogen_agentchat.agents.SocietyOfMindAgent`: an inner team, and a model that writes the reply. */
export function societyOfMindAgent(component: ComponentJSON, loader: Loader): SocietyOfMindAgent {
  const reader = ConfigReader.of(component);
  const name = reader.string("name");
  const team = loader.build(reader.component("team"), ["team"]);
  const modelClient = loader.modelClient(reader.component("model_client"));
  const modelContextJSON = reader.optionalComponent("model_context");
  // AutoGen's _from_config reads an empty text as the default (`or`).
  const text = (key: string) => {
    const value = reader.optionalString(key);
    return value === "" ? undefined : value;
  };
  const options = {
    name,
    team,
    modelClient,
    ...present("description", text("description")),
    ...present("instruction", text("instruction")),
    ...present("responsePrompt", text("response_prompt")),
    ...present(
      "modelContext",
      modelContextJSON === undefined ? undefined : loader.build(modelContextJSON, ["chat_completion_context"]),
    ),
  };
  reader.done();
  return construct(reader, () => new SocietyOfMindAgent(options));
}
