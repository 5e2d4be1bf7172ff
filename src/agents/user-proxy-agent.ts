import type { AgentResponse, AgentTurn, Emit } from "../core/agent.ts";
import { reportConstruction } from "../core/construction.ts";
import { abortError, HearthError, UserError } from "../core/errors.ts";
import { withDeadline } from "../internal/deadline.ts";
import { zeroUsage, type ChatMessage } from "../core/messages.ts";
import { BaseChatAgent, checkAgentName } from "./base-chat-agent.ts";
import { makeMessage } from "./runner/make-message.ts";
import { knownOptions } from "../core/known-options.ts";
import { userProxyAgentOptionNames } from "./option-names.ts";

/** Asks a person; resolves with their answer. The signal aborts when the run does or the timeout passes. */
export type InputFunction = (prompt: string, options: { readonly signal: AbortSignal }) => string | Promise<string>;

export interface UserProxyAgentOptions {
  readonly name: string;
  readonly description?: string;
  /** Default: a line read from standard input. */
  readonly inputFunc?: InputFunction;
  /** No answer within this long is HEARTH_USER_INPUT_TIMEOUT. Default: wait as long as the run lasts. */
  readonly timeoutMs?: number;
  /** What the person is asked. Default "Enter your response: ". */
  readonly prompt?: string;
}

/**
 * A person in the conversation (AutoGen's UserProxyAgent): each turn asks `inputFunc` for an answer.
 * When the conversation was handed to it, it answers with a handoff back to the sender. For a
 * server, prefer ending the run with a handoff to "user" (HandoffTermination) and resuming when the
 * person's next message arrives: nothing waits while they think.
 */
export class UserProxyAgent extends BaseChatAgent {
  readonly name: string;
  readonly description: string;
  readonly timeoutMs: number | undefined;
  readonly prompt: string;
  readonly #inputFunc: InputFunction;

  constructor(options: UserProxyAgentOptions) {
    super();
    options = knownOptions("UserProxyAgent", options, userProxyAgentOptionNames);
    checkAgentName(options?.name, "Agent");
    if (options.inputFunc !== undefined && typeof options.inputFunc !== "function")
      throw new UserError(`UserProxyAgent "${options.name}": inputFunc must be a function.`, { field: "inputFunc" });
    if (options.timeoutMs !== undefined && (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0)) {
      throw new UserError(`UserProxyAgent "${options.name}": timeoutMs must be a positive number.`, {
        field: "timeoutMs",
      });
    }
    this.name = options.name;
    this.description = options.description ?? "A human user";
    this.timeoutMs = options.timeoutMs;
    this.prompt = options.prompt ?? "Enter your response: ";
    this.#inputFunc = options.inputFunc ?? readLine;
    Object.freeze(this);
    reportConstruction("agent", this.name);
  }

  override async onMessages(turn: AgentTurn, emit: Emit): Promise<AgentResponse> {
    const request = makeMessage(this.name, { type: "user-input-requested", content: this.prompt });
    emit(request);
    const answer = await this.#ask(turn.signal);
    const handoff = turn.newMessages.findLast((message) => message.type === "handoff" && message.target === this.name);
    const message: ChatMessage =
      handoff === undefined
        ? makeMessage(this.name, { type: "text", content: answer })
        : makeMessage(this.name, { type: "handoff", target: handoff.source, content: answer });
    emit(message);
    turn.commit([request, message], []);
    return { message, usage: zeroUsage };
  }

  async #ask(runSignal: AbortSignal): Promise<string> {
    const expire = () =>
      new HearthError("HEARTH_USER_INPUT_TIMEOUT", `${this.name} got no input within ${this.timeoutMs} ms.`, {
        timeoutMs: this.timeoutMs as number,
      }); // called only when there is a timeout
    try {
      // Once the question is over, an input function still waiting (a readline prompt) is told to stop.
      const answer = await withDeadline(
        [runSignal],
        this.timeoutMs,
        expire,
        (signal) => this.#inputFunc(this.prompt, { signal }),
        new Error("the question is over"),
      );
      if (typeof answer !== "string")
        throw new UserError(`UserProxyAgent "${this.name}": inputFunc must resolve with a string.`, {
          field: "inputFunc",
        });
      return answer;
    } catch (error) {
      // The run was aborted, whatever the input function made of it.
      if (runSignal.aborted) throw abortError(runSignal);
      throw error;
    }
  }
}

async function readLine(prompt: string, { signal }: { readonly signal: AbortSignal }): Promise<string> {
  const readline = process.getBuiltinModule("node:readline/promises");
  const reader = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await reader.question(prompt, { signal });
  } finally {
    reader.close();
  }
}
