import type { AgentResponse, AgentTurn, Emit, RunOptions } from "../core/agent.ts";
import { reportConstruction } from "../core/construction.ts";
import { abortError, HearthError, UserError } from "../core/errors.ts";
import { holdsImages } from "../core/images.ts";
import type { JsonSchema } from "../core/json-schema.ts";
import {
  addUsage,
  zeroUsage,
  type AgentMessage,
  type ChatMessage,
  type TaskResult,
  type ToolCall,
  type ToolResult,
  type Usage,
} from "../core/messages.ts";
import type { ModelClient, ModelMessage, ModelRequest, ModelResponse, ResponseFormat } from "../core/model-client.ts";
import type { StandardSchemaV1 } from "../core/standard-schema.ts";
import type { AnyTool, ArgumentCheck } from "../core/tool.ts";
import type { RunContext } from "../core/run-context.ts";
import {
  waitingCalls,
  type ApprovalResume,
  type PendingApproval,
  type SuspendedToolCall,
} from "../core/tool-approval.ts";
import { isWorkbench, type Workbench } from "../core/workbench.ts";
import { isMemory, type Memory } from "../core/memory.ts";
import { checkerOf, jsonSchemaOf } from "../tools/schema.ts";
import { BaseChatAgent, checkAgentName } from "./base-chat-agent.ts";
import { knownOptions } from "../core/known-options.ts";
import { assistantAgentOptionNames, type AssistantAgentAutoGenNames } from "./option-names.ts";
import { toHandoff, type Handoff, type HandoffOptions } from "./handoff.ts";
import { unboundedContext, type ModelContext } from "./model-context.ts";
import { createModelResponse, streamModelResponse } from "./runner/call-model.ts";
import { makeMessage } from "./runner/make-message.ts";
import { assistantEntry, refusedOutput, replyText } from "./runner/model-reply.ts";
import { parseStructuredOutput } from "./runner/structured-output.ts";
import { summarizeToolCalls } from "./runner/summarize-tool-calls.ts";
import { runAnswered, runOrHold } from "./runner/approve-calls.ts";
import { ToolSet, type Tools } from "./tool-set.ts";
import { toModelMessages } from "./runner/to-model-messages.ts";
import { TurnMemory } from "./runner/turn-memory.ts";

export interface AssistantAgentOptions<Output = unknown> {
  /** Letters, digits, `_` and `-`; it is the `source` of every message the agent produces. */
  readonly name: string;
  readonly description?: string;
  readonly modelClient: ModelClient;
  readonly tools?: readonly AnyTool[];
  /**
   * Tools from outside the agent, as AutoGen's `workbench`: an MCP server's (`McpWorkbench`, or an
   * `mcpServer` resource of the app, from `hearth/mcp`). The model is offered the workbench's tools
   * as they are at each model call, beside the agent's own (which win a clash of names).
   */
  readonly workbench?: Workbench | readonly Workbench[];
  /** Agents (or "user") this agent may hand the conversation to; each is a tool its model can call. */
  readonly handoffs?: readonly (string | HandoffOptions)[];
  /**
   * The system message; `null` sends none. A function makes it for each turn from the run (its
   * request `context`, tenant and session): in a synthetic warm-up turn, `context` is undefined.
   */
  readonly systemMessage?: SystemMessage;
  /** After the last tool iteration, ask the model to answer from the tool results. Default false, or true with an output schema. */
  readonly reflectOnToolUse?: boolean;
  /** Used when not reflecting; see summarizeToolCalls. Default "{result}". */
  readonly toolCallSummaryFormat?: string;
  /** How many rounds of tool calls one turn may make. Default 1. */
  readonly maxToolIterations?: number;
  /**
   * Whether the model may ask for several tool calls in one answer (AutoGen's `parallel_tool_calls`,
   * sent only with tools). Default: unset, the model client's own setting, else the provider's (on).
   */
  readonly parallelToolCalls?: boolean;
  /** Stream the model's reply as `message-delta` events. Default false. */
  readonly modelClientStream?: boolean;
  /** Which part of the stored context the model sees. Default: all of it. */
  readonly modelContext?: ModelContext;
  /** Ask for a structured reply (a `json_schema` response format) and validate it. */
  readonly outputSchema?: StandardSchemaV1<unknown, Output> | JsonSchema;
  /** The JSON Schema to send, for a Standard Schema library that cannot produce one. */
  readonly outputJsonSchema?: JsonSchema;
  /** The response format's name. Default "output". */
  readonly outputName?: string;
  /** Ask the provider for strict adherence to the output schema. Default false. */
  readonly outputStrict?: boolean;
  /**
   * Memories (AutoGen's `memory`: a `ListMemory`, a vector index) queried once per turn, before its
   * first model call; what they add goes into that turn's model requests only, never into the
   * session's context. Each that finds something is reported in a `memory-query` event.
   */
  readonly memory?: readonly Memory[];
}

/** A step's tool calls after they ran (see runOrHold), and the handoff among them. */
interface ExecutedCalls {
  readonly results: ToolResult[];
  readonly handoff: Handoff | undefined;
  readonly waiting?: ToolCall[];
  readonly suspended?: SuspendedToolCall[];
}

/** A system message: fixed, none (`null`), or made for each turn from its run. */
export type SystemMessage = string | null | ((run: RunContext) => string);

export const defaultSystemMessage =
  "You are a helpful AI assistant. Solve tasks using your tools. Reply with TERMINATE when the task has been completed.";

/**
 * AutoGen's AssistantAgent as a warm definition: immutable after construction, holding no
 * conversation, so one instance serves any number of concurrent sessions. Each turn reads its
 * context from the session and commits whole steps to it (a tool call is never stored without its
 * results), so an aborted or failed run leaves the session as it was after its last complete step.
 */
export class AssistantAgent<Output = unknown> extends BaseChatAgent {
  readonly name: string;
  readonly description: string;
  readonly modelClient: ModelClient;
  readonly tools: readonly AnyTool[];
  readonly handoffs: readonly Handoff[];
  readonly systemMessage: SystemMessage;
  readonly reflectOnToolUse: boolean;
  readonly toolCallSummaryFormat: string;
  readonly maxToolIterations: number;
  readonly parallelToolCalls: boolean | undefined;
  readonly modelClientStream: boolean;
  readonly modelContext: ModelContext;
  readonly workbenches: readonly Workbench[];
  readonly memory: readonly Memory[];
  readonly #tools: ToolSet;
  readonly #handoffsByName: ReadonlyMap<string, Handoff>;
  readonly #responseFormat: ResponseFormat | undefined;
  /** For a model with JSON mode but no json_schema format (DeepSeek): the schema, told in the system message. */
  readonly #jsonInstruction: string | undefined;
  readonly #checkOutput: ((value: unknown) => ArgumentCheck<unknown> | Promise<ArgumentCheck<unknown>>) | undefined;
  readonly #options: AssistantAgentOptions<Output>;

  constructor(options: AssistantAgentOptions<Output> & AssistantAgentAutoGenNames<Output>) {
    super();
    options = knownOptions("AssistantAgent", options, assistantAgentOptionNames);
    this.#options = options;
    checkAgentName(options?.name, "Agent");
    const where = `AssistantAgent "${options.name}"`;
    if (options.modelClient === undefined || typeof options.modelClient.create !== "function")
      throw new UserError(`${where} needs a modelClient.`, { field: "modelClient" });
    const system = options.systemMessage;
    if (system !== undefined && system !== null && typeof system !== "string" && typeof system !== "function")
      throw new UserError(`${where}: systemMessage must be a string, null or a function of the run.`, {
        field: "systemMessage",
      });
    const tools = options.tools ?? [];
    const handoffs = (options.handoffs ?? []).map((handoff) => toHandoff(handoff, options.name));
    const workbenches =
      options.workbench === undefined ? [] : isWorkbench(options.workbench) ? [options.workbench] : options.workbench;
    if (!Array.isArray(workbenches) || !workbenches.every(isWorkbench))
      throw new UserError(`${where}: workbench must be a workbench (an McpWorkbench, say) or a list of them.`, {
        field: "workbench",
      });
    if (tools.length + handoffs.length + workbenches.length > 0 && !options.modelClient.modelInfo.functionCalling) {
      throw new UserError(
        `${where} has tools or handoffs, but its model does not support function calling (modelInfo.functionCalling is false).`,
        { field: "tools" },
      );
    }
    const names = new Set<string>();
    for (const name of [...tools.map((tool) => tool.name), ...handoffs.map((handoff) => handoff.name)]) {
      if (names.has(name))
        throw new UserError(`${where} has two tools or handoffs named "${name}".`, { field: "tools", toolName: name });
      names.add(name);
    }
    const maxToolIterations = options.maxToolIterations ?? 1;
    if (!Number.isInteger(maxToolIterations) || maxToolIterations < 1)
      throw new UserError(`${where}: maxToolIterations must be a whole number, 1 or more.`, {
        field: "maxToolIterations",
      });

    if (options.parallelToolCalls !== undefined && typeof options.parallelToolCalls !== "boolean")
      throw new UserError(`${where}: parallelToolCalls must be true or false.`, { field: "parallelToolCalls" });

    const memory = options.memory ?? [];
    if (!Array.isArray(memory) || !memory.every(isMemory))
      throw new UserError(
        `${where}: memory must be a list of memories (each with a name, updateContext, query, add, clear and close).`,
        { field: "memory" },
      );

    if (options.outputSchema !== undefined) {
      const info = options.modelClient.modelInfo;
      if (!info.structuredOutput && !info.jsonOutput)
        throw new UserError(
          `${where} has an outputSchema, but its model supports neither structured nor JSON output.`,
          { field: "outputSchema" },
        );
      const schema = jsonSchemaOf(options.outputSchema, options.outputJsonSchema, where, "outputSchema");
      // JSON mode alone does not follow a schema: the model is told it, and the reply is validated as always.
      this.#responseFormat = info.structuredOutput
        ? Object.freeze({
            type: "json_schema",
            name: options.outputName ?? "output",
            schema,
            ...(options.outputStrict === true ? { strict: true } : {}),
          })
        : Object.freeze({ type: "json_object" });
      this.#jsonInstruction = info.structuredOutput
        ? undefined
        : `Reply with one JSON object and nothing else. It must follow this JSON Schema:\n${JSON.stringify(schema)}`;
      this.#checkOutput = checkerOf(options.outputSchema, schema);
    } else {
      this.#responseFormat = undefined;
      this.#jsonInstruction = undefined;
      this.#checkOutput = undefined;
    }

    this.name = options.name;
    this.description = options.description ?? "An agent that provides assistance with ability to use tools.";
    this.modelClient = options.modelClient;
    this.tools = Object.freeze([...tools]);
    this.handoffs = Object.freeze(handoffs);
    this.systemMessage = options.systemMessage === undefined ? defaultSystemMessage : options.systemMessage;
    this.reflectOnToolUse = options.reflectOnToolUse ?? options.outputSchema !== undefined;
    this.toolCallSummaryFormat = options.toolCallSummaryFormat ?? "{result}";
    this.maxToolIterations = maxToolIterations;
    this.parallelToolCalls = options.parallelToolCalls;
    this.modelClientStream = options.modelClientStream ?? false;
    this.modelContext = options.modelContext ?? unboundedContext();
    this.workbenches = Object.freeze([...workbenches]);
    this.memory = Object.freeze([...memory]);
    this.#handoffsByName = new Map(handoffs.map((handoff) => [handoff.name, handoff]));
    this.#tools = new ToolSet(
      this.tools,
      handoffs.map((handoff) => handoff.schema),
      this.workbenches,
    );
    Object.freeze(this);
    reportConstruction("agent", this.name);
  }

  /** A new agent with these options changed (for example `{ tools: [] }`); this one is unchanged. */
  withOptions(overrides: Partial<AssistantAgentOptions<Output>>): AssistantAgent<Output> {
    return new AssistantAgent({ ...this.#options, ...overrides });
  }

  /** This agent without its tools (and so without reflecting on them): what `hearth profile --no-tools` measures. */
  withoutTools(): AssistantAgent<Output> {
    return this.withOptions({ tools: [], workbench: [], reflectOnToolUse: false });
  }

  override run(options?: RunOptions): Promise<TaskResult & { readonly output?: Output }> {
    return super.run(options) as Promise<TaskResult & { readonly output?: Output }>;
  }

  override async onMessages(turn: AgentTurn, emit: Emit): Promise<AgentResponse> {
    if (!this.modelClient.modelInfo.vision && holdsImages(turn.newMessages))
      throw new HearthError(
        "HEARTH_INVALID_REQUEST",
        `Agent "${this.name}" cannot take images: its model does not read them (modelInfo.vision is false).`,
        { field: "message" },
      );
    let usage: Usage = zeroUsage;
    // The step in progress: stored together once complete. What others said since this agent's
    // last turn enters its context with the first step.
    let messages: AgentMessage[] = [];
    let context: ModelMessage[] = toModelMessages(this.name, turn.newMessages);
    const add = (message: AgentMessage) => {
      messages.push(message);
      emit(message);
      return message;
    };
    const commit = () => {
      turn.commit(messages, context);
      messages = [];
      context = [];
    };
    const finish = (message: ChatMessage, output?: unknown): AgentResponse => ({
      message,
      usage,
      ...(output === undefined ? {} : { output }),
    });

    const system = this.#systemText(turn.run);
    // Queried at the turn's first model call. Not in a synthetic warm-up turn, where tools are not called either.
    const memory =
      this.memory.length === 0 || turn.run.synthetic
        ? undefined
        : new TurnMemory(this.memory, this.name, turn.run, turn.signal, add);
    // A resumed turn starts at the step that waited for approvals: its model call was made before.
    let resumed = turn.resume;
    for (let iteration = resumed?.pending.iteration ?? 1; ; iteration++) {
      // Taken once per model call: the tools offered are the tools its calls run against.
      const tools = this.#tools.current();
      let response: Pick<ModelResponse, "content" | "toolCalls" | "thought" | "thoughtSignature" | "thoughtField">;
      let executed: ExecutedCalls;
      if (resumed === undefined) {
        const request = this.#request(system, turn.context, context, tools);
        const answer = await this.#callModel(
          memory === undefined ? request : await memory.apply(request, turn.context, context),
          turn,
          emit,
        );
        response = answer;
        usage = addUsage(usage, answer.usage);
        if (answer.thought !== undefined) add(makeMessage(this.name, { type: "thought", content: answer.thought }));

        if (answer.toolCalls.length === 0) {
          const reply = await this.#reply(answer, add);
          context.push(assistantEntry(answer, this.name));
          commit();
          return finish(reply.message, reply.output);
        }

        add(makeMessage(this.name, { type: "tool-call-request", toolCalls: answer.toolCalls }, answer.usage));
        executed = await this.#executeCalls(answer.toolCalls, turn, tools.byName, undefined);
      } else {
        response = resumed.pending;
        executed = await this.#executeCalls(resumed.pending.toolCalls, turn, tools.byName, resumed);
        resumed = undefined;
      }
      if (executed.waiting !== undefined || executed.suspended !== undefined) {
        // The step waits (again, when resumed calls stop anew): stored is what came before it and
        // the request; the step itself waits in the session.
        const pendingApproval = this.#pending(iteration, response, executed);
        const request = makeMessage(this.name, {
          type: "tool-approval-request",
          toolCalls: waitingCalls(pendingApproval),
          results: executed.results,
        });
        add(request);
        commit();
        return { message: request, usage, pendingApproval };
      }
      const { results, handoff } = executed;
      add(makeMessage(this.name, { type: "tool-call-execution", results }));
      context.push(assistantEntry(response, this.name), { role: "tool", results });

      if (handoff !== undefined) {
        const message = makeMessage(this.name, { type: "handoff", target: handoff.target, content: handoff.message });
        add(message);
        commit();
        return finish(message);
      }
      commit();
      if (iteration < this.maxToolIterations) continue;

      if (this.reflectOnToolUse) {
        const request = this.#request(system, turn.context, context, undefined);
        const reflection = await this.#callModel(
          memory === undefined ? request : await memory.apply(request, turn.context, context),
          turn,
          emit,
        );
        usage = addUsage(usage, reflection.usage);
        if (reflection.thought !== undefined)
          add(makeMessage(this.name, { type: "thought", content: reflection.thought }));
        const reply = await this.#reply(reflection, add);
        context.push(assistantEntry(reflection, this.name));
        commit();
        return finish(reply.message, reply.output);
      }

      // As in AutoGen, the context already holds the calls and their results; the summary is for
      // the reader and is not repeated to the model.
      const summary = summarizeToolCalls(this.toolCallSummaryFormat, response.toolCalls, results);
      const message = makeMessage(this.name, {
        type: "tool-call-summary",
        content: summary,
        toolCalls: response.toolCalls,
        results,
      });
      add(message);
      commit();
      return finish(message);
    }
  }

  #systemText(run: RunContext): string | null {
    const text = this.#ownSystemText(run);
    const instruction = this.#jsonInstruction;
    if (instruction === undefined) return text;
    return text === null ? instruction : `${text}\n\n${instruction}`;
  }

  #ownSystemText(run: RunContext): string | null {
    if (typeof this.systemMessage !== "function") return this.systemMessage;
    const text = this.systemMessage(run);
    if (typeof text !== "string")
      throw new UserError(`AssistantAgent "${this.name}": a systemMessage function must return a string.`, {
        field: "systemMessage",
      });
    return text;
  }

  #request(
    system: string | null,
    stored: readonly ModelMessage[],
    pending: readonly ModelMessage[],
    tools: Tools | undefined,
  ): ModelRequest {
    const viewed = this.modelContext.view(pending.length === 0 ? stored : stored.concat(pending));
    // A view may hand back the session's own array: the request never shares it.
    let messages: ModelMessage[];
    if (system !== null) messages = [{ role: "system", content: system }, ...viewed];
    else if (viewed === stored) messages = [...viewed];
    else messages = viewed;
    return {
      messages,
      ...(tools !== undefined && tools.schemas.length > 0
        ? {
            tools: tools.schemas,
            ...(this.parallelToolCalls === undefined ? {} : { parallelToolCalls: this.parallelToolCalls }),
          }
        : {}),
      ...(this.#responseFormat === undefined ? {} : { responseFormat: this.#responseFormat }),
    };
  }

  /** The final reply: text, or a validated structured message when the agent has an output schema. */
  async #reply(
    response: ModelResponse,
    add: (message: AgentMessage) => AgentMessage,
  ): Promise<{ message: ChatMessage; output?: unknown }> {
    if (this.#checkOutput === undefined) {
      const message = makeMessage(
        this.name,
        // A refusal is the reply, marked so a reader can tell it from an answer.
        {
          type: "text",
          content: replyText(response),
          ...(response.refusal === undefined ? {} : { metadata: { refusal: "true" } }),
        },
        response.usage,
      );
      add(message);
      return { message };
    }
    const refused = refusedOutput(response, this.name);
    if (refused !== undefined) throw refused;
    const { json, value } = await parseStructuredOutput(response.content, this.#checkOutput, this.name);
    const message = makeMessage(this.name, { type: "structured", content: json }, response.usage);
    add(message);
    return { message, output: value };
  }

  /** The step of a turn that stops on calls waiting for approval, as the session keeps it. */
  #pending(
    iteration: number,
    response: Pick<ModelResponse, "content" | "toolCalls" | "thought" | "thoughtSignature" | "thoughtField">,
    { results, waiting, suspended }: ExecutedCalls,
  ): PendingApproval {
    return {
      agent: this.name,
      iteration,
      content: response.content,
      ...(response.thought === undefined ? {} : { thought: response.thought }),
      ...(response.thoughtSignature === undefined ? {} : { thoughtSignature: response.thoughtSignature }),
      ...(response.thoughtField === undefined ? {} : { thoughtField: response.thoughtField }),
      toolCalls: response.toolCalls,
      pending: waiting ?? [],
      results,
      ...(suspended === undefined ? {} : { suspended }),
    };
  }

  /**
   * Runs the tool calls in parallel, holding back those that wait for approval (or, resuming, runs
   * the answered ones and resumes the agents or teams that waited inside their calls); a handoff
   * call ends the turn (the first one wins, as in AutoGen).
   */
  async #executeCalls(
    calls: readonly ToolCall[],
    turn: AgentTurn,
    tools: ReadonlyMap<string, AnyTool>,
    resume: ApprovalResume | undefined,
  ): Promise<ExecutedCalls> {
    const { signal, run } = turn;
    const toolCalls =
      this.#handoffsByName.size === 0 ? calls : calls.filter((call) => !this.#handoffsByName.has(call.name));
    const ran =
      resume === undefined
        ? await runOrHold(tools, toolCalls, signal, run)
        : await runAnswered(tools, resume, signal, run);
    if (signal.aborted) throw abortError(signal);
    if (ran.waiting !== undefined || ran.suspended !== undefined) return { ...ran, handoff: undefined };
    if (this.#handoffsByName.size === 0 && resume === undefined) return { results: ran.results, handoff: undefined };
    const handoffCalls = calls.filter((call) => this.#handoffsByName.has(call.name));
    const byId = new Map(ran.results.map((result) => [result.callId, result]));
    const results = calls.map((call) => {
      const handoff = this.#handoffsByName.get(call.name);
      return handoff === undefined
        ? (byId.get(call.id) as ToolResult)
        : { callId: call.id, name: call.name, content: handoff.message, isError: false };
    });
    const first = handoffCalls[0];
    return { results, handoff: first === undefined ? undefined : this.#handoffsByName.get(first.name) };
  }

  async #callModel(request: ModelRequest, turn: AgentTurn, emit: Emit): Promise<ModelResponse> {
    const { signal, run } = turn;
    try {
      const options = { source: this.name, signal, run };
      return await (this.modelClientStream
        ? streamModelResponse(this.modelClient, request, options, emit)
        : createModelResponse(this.modelClient, request, options));
    } catch (error) {
      if (signal.aborted) throw abortError(signal);
      throw error;
    }
  }
}
