import { HearthError, UserError } from "../core/errors.ts";
import type { JsonSchema } from "../core/json-schema.ts";
import { chatMessageText } from "../core/messages.ts";
import type { RunOptions, TaskRunner } from "../core/agent.ts";
import { Session } from "../core/session.ts";
import type { ArgumentCheck, NeedsApproval, ResumableTool, ToolContext, ToolOutcome } from "../core/tool.ts";
import { waitingCalls, type ToolApproval, type ToolSuspension } from "../core/tool-approval.ts";
import { toolNamePattern } from "./define-tool.ts";
import { validateJsonSchema } from "./json-schema-validator.ts";
import { knownOptions } from "../core/known-options.ts";
import { taskRunnerToolOptionNames } from "./option-names.ts";

export type { TaskRunner };

export interface TaskRunnerToolOptions {
  /** Default: the agent's or team's name. */
  readonly name?: string;
  readonly description?: string;
  /** Default 120 s: an inner agent may call its own model and tools. */
  readonly timeoutMs?: number;
  /**
   * Wait for a person's approval before the agent or team is given its task (see defineTool's
   * `needsApproval`). A tool inside the agent or team may ask for approval on its own: its call
   * makes the calling turn wait too (see ResumableTool).
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
 * An inner run that stops on tool calls waiting for approval suspends the call: the calling turn
 * waits too, keeping the inner session's JSON in its own, and the run that answers resumes the
 * inner one from it (`resume`), in any process. Recursive: an agent behind an AgentTool may itself
 * call one.
 */
class TaskRunnerTool implements ResumableTool<{ task: string }, string> {
  readonly name: string;
  readonly description: string;
  readonly parameters = parameters;
  readonly strict = false;
  readonly timeoutMs: number;
  readonly needsApproval?: NeedsApproval<{ task: string }>;
  readonly #runner: TaskRunner;

  constructor(runner: TaskRunner, options: TaskRunnerToolOptions, kind: string) {
    options = knownOptions(kind, options, taskRunnerToolOptionNames);
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

  /** Runs the task; an inner run that waits for approval fails the call, since nobody keeps its session. */
  async execute(args: { task: string }, context: ToolContext): Promise<string> {
    const outcome = await this.executeOrSuspend(args, context);
    if ("output" in outcome) return outcome.output;
    const waiting = outcome.suspension.waiting;
    throw new HearthError(
      "HEARTH_TOOL_FAILED",
      `${this.#runner.name} stopped on ${waiting.map((call) => call.name).join(", ")}, which waits for a person's approval; called through execute(), nobody keeps its session to answer it. Run ${this.name} inside an agent, whose turn waits with it.`,
      { toolName: this.name },
    );
  }

  executeOrSuspend({ task }: { task: string }, context: ToolContext): Promise<ToolOutcome<string>> {
    return this.#runOn(this.#runner.createSession(), { task }, context);
  }

  resume(
    state: ToolSuspension["state"],
    answers: readonly ToolApproval[],
    context: ToolContext,
  ): Promise<ToolOutcome<string>> {
    return this.#runOn(Session.fromJSON(state), { approvals: answers }, context);
  }

  async #runOn(
    session: Session,
    input: Pick<RunOptions, "task" | "approvals">,
    { signal, run }: ToolContext,
  ): Promise<ToolOutcome<string>> {
    // The nested run is part of the caller's: its model and tool calls count in the same request.
    const result = await this.#runner.run({ ...input, session, signal, run });
    const pending = session.pendingApproval;
    if (result.stopReason === "tool-approval-request" && pending !== undefined)
      return { suspension: { agent: pending.agent, waiting: waitingCalls(pending), state: session.toJSON() } };
    // The inner conversation's last message: the answer, whether this run started it or resumed it.
    const last = session.thread.at(-1);
    return { output: last === undefined ? "" : chatMessageText(last) };
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
