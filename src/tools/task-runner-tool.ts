import { HearthError, UserError } from "../core/errors.ts";
import type { JsonSchema } from "../core/json-schema.ts";
import { chatMessageText, isChatMessage } from "../core/messages.ts";
import type { TaskRunner } from "../core/agent.ts";
import type { ArgumentCheck, NeedsApproval, Tool, ToolContext } from "../core/tool.ts";
import { toolNamePattern } from "./define-tool.ts";
import { validateJsonSchema } from "./json-schema-validator.ts";

export type { TaskRunner };

export interface TaskRunnerToolOptions {
  /** Default: the agent's or team's name. */
  readonly name?: string;
  readonly description?: string;
  /** Default 120 s: an inner agent may call its own model and tools. */
  readonly timeoutMs?: number;
  /**
   * Wait for a person's approval before the agent or team is given its task (see defineTool's
   * `needsApproval`). The approval is asked here, at the call, because an inner run is a fresh
   * session that ends with the call: an inner tool that waits for approval cannot be answered later.
   */
  readonly needsApproval?: NeedsApproval<{ task: string }>;
}

const parameters: JsonSchema = Object.freeze({
  type: "object",
  properties: Object.freeze({ task: Object.freeze({ type: "string", description: "The task to perform." }) }),
  required: Object.freeze(["task"]),
  additionalProperties: false,
});

/**
 * An agent or team as a tool (AutoGen's AgentTool and TeamTool). Each call runs the task in a fresh
 * session, so concurrent calls never share a conversation, and returns the final message's text.
 * An inner run that stops on a tool call waiting for approval fails the call with an error the
 * model reads: the inner session ends with the call, so nothing could resume it. Ask for approval
 * at the AgentTool itself (`needsApproval`), where the outer turn waits and resumes.
 */
class TaskRunnerTool implements Tool<{ task: string }, string> {
  readonly name: string;
  readonly description: string;
  readonly parameters = parameters;
  readonly strict = false;
  readonly timeoutMs: number;
  readonly needsApproval?: NeedsApproval<{ task: string }>;
  readonly #runner: TaskRunner;

  constructor(runner: TaskRunner, options: TaskRunnerToolOptions, kind: string) {
    if (typeof runner?.run !== "function")
      throw new UserError(`${kind} needs an agent or a team.`, { field: kind === "AgentTool" ? "agent" : "team" });
    this.name = options.name ?? runner.name;
    if (!toolNamePattern.test(this.name))
      throw new UserError(`${kind} name ${JSON.stringify(this.name)} is invalid.`, { field: "name" });
    this.description = options.description ?? runner.description;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    const needsApproval = options.needsApproval;
    if (needsApproval !== undefined && typeof needsApproval !== "boolean" && typeof needsApproval !== "function")
      throw new UserError(
        `${kind} "${this.name}": needsApproval must be true, false or a function of the call's arguments.`,
        {
          field: "needsApproval",
        },
      );
    if (needsApproval !== undefined && needsApproval !== false) this.needsApproval = needsApproval;
    this.#runner = runner;
    Object.freeze(this);
  }

  checkArguments(value: unknown): ArgumentCheck<{ task: string }> {
    const problems = validateJsonSchema(parameters, value);
    return problems.length === 0
      ? { ok: true, value: value as { task: string } }
      : { ok: false, message: problems.join("; ") };
  }

  async execute({ task }: { task: string }, { signal, run }: ToolContext): Promise<string> {
    // The nested run is part of the caller's: its model and tool calls count in the same request.
    const result = await this.#runner.run({ task, signal, run });
    const waiting = result.messages.at(-1);
    if (waiting?.type === "tool-approval-request")
      throw new HearthError(
        "HEARTH_TOOL_FAILED",
        `${this.#runner.name} stopped on ${waiting.toolCalls.map((call) => call.name).join(", ")}, which waits for a person's approval; inside ${this.name} nobody can answer it. Give ${this.name} \`needsApproval\` to ask before the call instead.`,
        { toolName: this.name },
      );
    const last = result.messages.findLast(isChatMessage);
    return last === undefined ? "" : chatMessageText(last);
  }
}

export class AgentTool extends TaskRunnerTool {
  constructor(agent: TaskRunner, options: TaskRunnerToolOptions = {}) {
    super(agent, options, "AgentTool");
  }
}

export class TeamTool extends TaskRunnerTool {
  constructor(team: TaskRunner, options: TaskRunnerToolOptions = {}) {
    super(team, options, "TeamTool");
  }
}
