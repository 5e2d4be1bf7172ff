// The option names AgentTool and TeamTool take, and AutoGen's names where they differ (checked by
// knownOptions; docs/autogen.md lists them side by side).
import { optionNames, type OptionNames } from "../core/known-options.ts";
import type { JsonSchema } from "../core/json-schema.ts";
import type { ToolDefinition } from "./define-tool.ts";
import type { TaskRunnerToolOptions } from "./task-runner-tool.ts";

export const taskRunnerToolOptionNames: OptionNames = {
  accepted: optionNames<TaskRunnerToolOptions>()(["name", "description", "timeoutMs", "needsApproval"]),
  refused: {
    returnValueAsLastMessage:
      "hearth's AgentTool and TeamTool always answer with the text of the run's last message (AutoGen's `true`); leave the option out.",
  },
};

/** defineTool's definition (AutoGen's FunctionTool). */
export const toolDefinitionOptionNames: OptionNames = {
  accepted: optionNames<ToolDefinition<JsonSchema, unknown>>()([
    "name",
    "description",
    "parameters",
    "execute",
    "timeoutMs",
    "strict",
    "jsonSchema",
    "needsApproval",
    // A tool defineTool made, spread into a new definition (`defineTool({ ...tool, name })`): its
    // checker is made again from `parameters`.
    "checkArguments",
  ]),
  refused: {
    func: "give the function as `execute(args, context)`, and its arguments' schema as `parameters` (a JSON Schema or a Standard Schema such as zod's): hearth does not read a function's signature.",
  },
};
