import type { ChatAgent, RunOptions, RunStreamItem } from "../core/agent.ts";
import { abortError, UserError } from "../core/errors.ts";
import { addUsage, zeroUsage, type AgentMessage, type TaskResult, type Usage } from "../core/messages.ts";
import type { ModelClient, ModelMessage, ToolSchema } from "../core/model-client.ts";
import { Session } from "../core/session.ts";
import type { AnyTool } from "../core/tool.ts";
import { executeToolCalls } from "../tools/execute-tool-calls.ts";
import { callModel } from "./runner/call-model.ts";
import { makeMessage } from "./runner/make-message.ts";
import { prepareRequest } from "./runner/prepare-request.ts";
import { summarizeToolCalls } from "./runner/summarize-tool-calls.ts";

export interface AssistantAgentOptions {
  /** Letters, digits, `_` and `-`; it is the `source` of every message the agent produces. */
  readonly name: string;
  readonly description?: string;
  readonly modelClient: ModelClient;
  readonly tools?: readonly AnyTool[];
  /** `null` sends no system message. */
  readonly systemMessage?: string | null;
  /** After the last tool iteration, ask the model to answer from the tool results. Default false. */
  readonly reflectOnToolUse?: boolean;
  /** Used when not reflecting; see summarizeToolCalls. Default "{result}". */
  readonly toolCallSummaryFormat?: string;
  /** How many rounds of tool calls one turn may make. Default 1. */
  readonly maxToolIterations?: number;
  /** Stream the model's reply as `message-delta` events. Default false. */
  readonly modelClientStream?: boolean;
}

export const defaultSystemMessage = "You are a helpful AI assistant. Solve tasks using your tools. Reply with TERMINATE when the task has been completed.";
const namePattern = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * AutoGen's AssistantAgent as a warm definition: immutable after construction, holding no
 * conversation, so one instance serves any number of concurrent sessions. Each run reads and
 * appends to the Session it is given, a whole step at a time (a tool call is never stored without
 * its results), so an aborted or failed run leaves the session as it was after its last complete step.
 */
export class AssistantAgent implements ChatAgent {
  readonly name: string;
  readonly description: string;
  readonly modelClient: ModelClient;
  readonly tools: readonly AnyTool[];
  readonly systemMessage: string | null;
  readonly reflectOnToolUse: boolean;
  readonly toolCallSummaryFormat: string;
  readonly maxToolIterations: number;
  readonly modelClientStream: boolean;
  readonly #toolsByName: ReadonlyMap<string, AnyTool>;
  readonly #toolSchemas: readonly ToolSchema[];

  constructor(options: AssistantAgentOptions) {
    if (typeof options?.name !== "string" || !namePattern.test(options.name)) {
      throw new UserError(`Agent name ${JSON.stringify(options?.name)} is invalid: start with a letter or "_", then letters, digits, "_" or "-".`, { field: "name" });
    }
    const where = `AssistantAgent "${options.name}"`;
    if (options.modelClient === undefined || typeof options.modelClient.create !== "function") throw new UserError(`${where} needs a modelClient.`, { field: "modelClient" });
    const tools = options.tools ?? [];
    if (tools.length > 0 && !options.modelClient.modelInfo.functionCalling) {
      throw new UserError(`${where} has tools, but its model does not support function calling (modelInfo.functionCalling is false).`, { field: "tools" });
    }
    const toolsByName = new Map<string, AnyTool>();
    for (const tool of tools) {
      if (toolsByName.has(tool.name)) throw new UserError(`${where} has two tools named "${tool.name}".`, { field: "tools", toolName: tool.name });
      toolsByName.set(tool.name, tool);
    }
    const maxToolIterations = options.maxToolIterations ?? 1;
    if (!Number.isInteger(maxToolIterations) || maxToolIterations < 1) throw new UserError(`${where}: maxToolIterations must be a whole number, 1 or more.`, { field: "maxToolIterations" });

    this.name = options.name;
    this.description = options.description ?? "An agent that provides assistance with ability to use tools.";
    this.modelClient = options.modelClient;
    this.tools = Object.freeze([...tools]);
    this.systemMessage = options.systemMessage === undefined ? defaultSystemMessage : options.systemMessage;
    this.reflectOnToolUse = options.reflectOnToolUse ?? false;
    this.toolCallSummaryFormat = options.toolCallSummaryFormat ?? "{result}";
    this.maxToolIterations = maxToolIterations;
    this.modelClientStream = options.modelClientStream ?? false;
    this.#toolsByName = toolsByName;
    this.#toolSchemas = Object.freeze(tools.map((tool) => Object.freeze({ name: tool.name, description: tool.description, parameters: tool.parameters, strict: tool.strict })));
    Object.freeze(this);
  }

  createSession(): Session {
    return new Session();
  }

  async run(options: RunOptions = {}): Promise<TaskResult> {
    let result: TaskResult | undefined;
    for await (const item of this.runStream(options)) if (item.type === "task-result") result = item;
    // runStream always ends with a TaskResult or throws; this satisfies the type checker.
    if (result === undefined) throw new Error("unreachable: runStream ended without a TaskResult");
    return result;
  }

  async *runStream(options: RunOptions = {}): AsyncGenerator<RunStreamItem> {
    const { task, signal } = options;
    if (task !== undefined && typeof task !== "string") throw new UserError("`task` must be a string.", { field: "task" });
    const session = options.session ?? this.createSession();
    if (signal?.aborted === true) throw abortError(signal);
    const release = await session.acquire();
    // Our own controller, so a consumer that stops iterating early also cancels the model call.
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      yield* this.#turn(session, task, controller.signal, signal);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      controller.abort();
      release();
    }
  }

  async *#turn(session: Session, task: string | undefined, runSignal: AbortSignal, callerSignal: AbortSignal | undefined): AsyncGenerator<RunStreamItem> {
    const produced: AgentMessage[] = [];
    let usage: Usage = zeroUsage;
    // Steps not yet in the session. The task is stored with the first complete step, so a turn that
    // fails before any step leaves the session exactly as it was.
    let pendingMessages: AgentMessage[] = [];
    let pendingContext: ModelMessage[] = [];
    const emit = (message: AgentMessage) => {
      produced.push(message);
      pendingMessages.push(message);
      return message;
    };
    const commit = () => {
      session.append(pendingMessages, pendingContext);
      pendingMessages = [];
      pendingContext = [];
    };
    const checkAbort = () => {
      if (runSignal.aborted) throw abortError(callerSignal ?? runSignal);
    };

    if (task !== undefined) {
      yield emit(makeMessage("user", { type: "text", content: task }));
      pendingContext.push({ role: "user", content: task, source: "user" });
    }

    for (let iteration = 1; ; iteration++) {
      const request = prepareRequest(this.systemMessage, session.context, pendingContext, this.#toolSchemas);
      const response = yield* this.#callModel(request, runSignal, callerSignal);
      usage = addUsage(usage, response.usage);
      if (response.thought !== undefined) yield emit(makeMessage(this.name, { type: "thought", content: response.thought }));

      if (response.toolCalls.length === 0) {
        yield emit(makeMessage(this.name, { type: "text", content: response.content }, response.usage));
        pendingContext.push({ role: "assistant", content: response.content, source: this.name, ...(response.thought === undefined ? {} : { thought: response.thought }) });
        commit();
        yield { type: "task-result", messages: produced, stopReason: "text-reply", usage };
        return;
      }

      yield emit(makeMessage(this.name, { type: "tool-call-request", toolCalls: response.toolCalls }, response.usage));
      const results = await executeToolCalls(this.#toolsByName, response.toolCalls, runSignal);
      checkAbort();
      yield emit(makeMessage(this.name, { type: "tool-call-execution", results }));
      pendingContext.push({ role: "assistant", content: response.content, toolCalls: response.toolCalls, source: this.name }, { role: "tool", results });
      commit();

      if (iteration < this.maxToolIterations) continue;

      if (this.reflectOnToolUse) {
        const reflection = yield* this.#callModel(prepareRequest(this.systemMessage, session.context, [], undefined), runSignal, callerSignal);
        usage = addUsage(usage, reflection.usage);
        if (reflection.thought !== undefined) yield emit(makeMessage(this.name, { type: "thought", content: reflection.thought }));
        yield emit(makeMessage(this.name, { type: "text", content: reflection.content }, reflection.usage));
        pendingContext.push({ role: "assistant", content: reflection.content, source: this.name });
        commit();
        yield { type: "task-result", messages: produced, stopReason: "text-reply", usage };
        return;
      }

      const summary = summarizeToolCalls(this.toolCallSummaryFormat, response.toolCalls, results);
      // As in AutoGen, the model context already holds the calls and their results; the summary is
      // for the reader and is not repeated to the model.
      yield emit(makeMessage(this.name, { type: "tool-call-summary", content: summary, toolCalls: response.toolCalls, results }));
      commit();
      yield { type: "task-result", messages: produced, stopReason: "tool-call-summary", usage };
      return;
    }
  }

  async *#callModel(request: Parameters<typeof callModel>[1], runSignal: AbortSignal, callerSignal: AbortSignal | undefined) {
    try {
      return yield* callModel(this.modelClient, request, { stream: this.modelClientStream, source: this.name, signal: runSignal });
    } catch (error) {
      if (runSignal.aborted) throw abortError(callerSignal ?? runSignal);
      throw error;
    }
  }
}
