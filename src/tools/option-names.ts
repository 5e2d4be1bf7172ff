// The option names AgentTool and TeamTool take, and AutoGen's names where they differ (checked by
// knownOptions; docs/autogen.md lists them side by side).
import { optionNames, type OptionNames } from "../core/known-options.ts";
import type { TaskRunnerToolOptions } from "./task-runner-tool.ts";

export const taskRunnerToolOptionNames: OptionNames = {
  accepted: optionNames<TaskRunnerToolOptions>()(["name", "description", "timeoutMs", "needsApproval"]),
  refused: {
    returnValueAsLastMessage:
      "hearth's AgentTool and TeamTool always answer with the text of the run's last message (AutoGen's `true`); leave the option out.",
  },
};
