import type { AgentResponse, AgentTurn, Emit } from "../core/agent.ts";
import { reportConstruction } from "../core/construction.ts";
import { abortError, UserError } from "../core/errors.ts";
import { userContentOf } from "../core/images.ts";
import { isInnerTeam, runInside, type InnerTeam } from "../core/inner-team.ts";
import { addUsage, isChatMessage, type TaskResult, type TextMessage } from "../core/messages.ts";
import type { ModelClient, ModelMessage } from "../core/model-client.ts";
import { Session } from "../core/session.ts";
import type { Team } from "../core/team.ts";
import { BaseChatAgent, checkAgentName } from "./base-chat-agent.ts";
import { knownOptions } from "../core/known-options.ts";
import { societyOfMindAgentOptionNames } from "./option-names.ts";
import { unboundedContext, type ModelContext } from "./model-context.ts";
import { createModelResponse } from "./runner/call-model.ts";
import { makeMessage } from "./runner/make-message.ts";
import { replyText } from "./runner/model-reply.ts";
import { toModelMessages } from "./runner/to-model-messages.ts";

export interface SocietyOfMindAgentOptions {
  /** Letters, digits, `_` and `-`; the `source` of its replies. */
  readonly name: string;
  /** The inner team that works on each turn's messages: a RoundRobinGroupChat, SelectorGroupChat, Swarm or GraphFlow. */
  readonly team: Team;
  /** The model that writes the agent's reply from the inner team's transcript. */
  readonly modelClient: ModelClient;
  readonly description?: string;
  /** Shown to the model before the inner transcript. Default: AutoGen's. */
  readonly instruction?: string;
  /** Shown to the model after the inner transcript. Default: AutoGen's. */
  readonly responsePrompt?: string;
  /** Which part of what the agent received before its inner team is shown. Default: all of it. */
  readonly modelContext?: ModelContext;
}

export const defaultSocietyOfMindInstruction =
  "Earlier you were asked to fulfill a request. You and your team worked diligently to address that request. Here is a transcript of that conversation:";

export const defaultSocietyOfMindResponsePrompt =
  "Output a standalone response to the original request, without mentioning any of the intermediate discussion.";

const defaultDescription = "An agent that uses an inner team of agents to generate responses.";

/**
 * AutoGen's SocietyOfMindAgent: each turn runs its inner team on the messages new to the agent,
 * then asks its own model for one reply from the inner transcript. As in AutoGen the inner team
 * starts afresh every turn (nothing of it is kept); what the agent keeps in its model context is
 * what it received, which the next turn's inner team is given first. The inner team's messages are
 * emitted as they happen and are in the run's result, but only the reply is stored and read by the
 * agent's teammates.
 */
export class SocietyOfMindAgent extends BaseChatAgent {
  readonly name: string;
  readonly description: string;
  readonly team: Team;
  readonly modelClient: ModelClient;
  readonly instruction: string;
  readonly responsePrompt: string;
  readonly modelContext: ModelContext;
  readonly #team: InnerTeam;

  constructor(options: SocietyOfMindAgentOptions) {
    super();
    options = knownOptions("SocietyOfMindAgent", options, societyOfMindAgentOptionNames);
    checkAgentName(options?.name, "Agent");
    const where = `SocietyOfMindAgent "${options.name}"`;
    if (!isInnerTeam(options.team))
      throw new UserError(
        `${where} needs a hearth team (a RoundRobinGroupChat, SelectorGroupChat, Swarm or GraphFlow); an agent alone is not one.`,
        { field: "team" },
      );
    if (options.modelClient === undefined || typeof options.modelClient.create !== "function")
      throw new UserError(`${where} needs a modelClient to write its reply.`, { field: "modelClient" });
    for (const field of ["instruction", "responsePrompt", "description"] as const)
      if (options[field] !== undefined && typeof options[field] !== "string")
        throw new UserError(`${where}: ${field} must be a string.`, { field });
    const modelContext = options.modelContext ?? unboundedContext();
    if (typeof modelContext?.view !== "function")
      throw new UserError(`${where}: modelContext must be a model context strategy (bufferedContext(n), ...).`, {
        field: "modelContext",
      });
    this.name = options.name;
    this.description = options.description ?? defaultDescription;
    this.team = options.team;
    this.modelClient = options.modelClient;
    this.instruction = options.instruction ?? defaultSocietyOfMindInstruction;
    this.responsePrompt = options.responsePrompt ?? defaultSocietyOfMindResponsePrompt;
    this.modelContext = modelContext;
    this.#team = options.team;
    Object.freeze(this);
    reportConstruction("agent", this.name);
  }

  override async onMessages(turn: AgentTurn, emit: Emit): Promise<AgentResponse> {
    const { signal, run } = turn;
    const previous = this.modelContext.view(turn.context);
    const result = await this.#team[runInside]({
      session: this.#innerSession(previous, run.sessionId),
      // AutoGen's marker of the earlier messages, when there are any, then the new ones.
      messages:
        previous.length === 0
          ? turn.newMessages
          : [
              makeMessage(this.name, { type: "handoff", target: "", content: "relevant previous messages" }),
              ...turn.newMessages,
            ],
      signal,
      emit,
      run,
    });
    const waiting = result.messages.at(-1);
    if (waiting?.type === "tool-approval-request")
      throw new UserError(
        `SocietyOfMindAgent "${this.name}": its inner team stopped on ${waiting.toolCalls.map((call) => call.name).join(", ")}, which waits for a person's approval; the inner team starts afresh each turn, so nothing could answer it. Ask for approval outside the agent, or put the team itself in the outer team.`,
        { field: "team" },
      );
    let usage = result.usage;
    let reply: TextMessage;
    if (result.messages.length === 0) reply = makeMessage(this.name, { type: "text", content: "No response." });
    else {
      try {
        const response = await createModelResponse(
          this.modelClient,
          { messages: this.#responseRequest(result) },
          { source: this.name, signal, run },
        );
        usage = addUsage(usage, response.usage);
        reply = makeMessage(this.name, { type: "text", content: replyText(response) }, response.usage);
      } catch (error) {
        if (signal.aborted) throw abortError(signal);
        throw error;
      }
    }
    emit(reply);
    // As in AutoGen, the agent's context keeps what it received (not its replies): the next turn's inner team starts from it.
    turn.commit([reply], toModelMessages(this.name, turn.newMessages));
    return { message: reply, usage };
  }

  /**
   * A fresh session for the inner team. What the agent received before (its model context, as its
   * strategy shows it) starts each inner agent's context: AutoGen hands it over inside a
   * HandoffMessage, whose context every inner AssistantAgent adds to its own.
   */
  #innerSession(previous: readonly ModelMessage[], sessionId: string | undefined): Session {
    const session = new Session(sessionId === undefined ? {} : { id: sessionId });
    if (previous.length === 0) return session;
    const members = (this.#team as { participants?: readonly unknown[] }).participants ?? [];
    const contexts: Record<string, readonly ModelMessage[]> = {};
    for (const member of members)
      if (!isInnerTeam(member) && typeof (member as { name?: unknown }).name === "string")
        contexts[(member as { name: string }).name] = previous;
    session.apply({ contexts });
    return session;
  }

  /**
   * The instruction, the inner transcript's chat messages, then the response prompt. Each as a
   * user message, as AutoGen sends them to a model without multiple system messages: hearth's
   * model info does not say which models take them, and Anthropic's API joins system messages
   * into one before the conversation.
   */
  #responseRequest(result: TaskResult): ModelMessage[] {
    return [
      { role: "user", content: this.instruction, source: "user" },
      ...result.messages
        .filter(isChatMessage)
        .map((message): ModelMessage => ({ role: "user", content: userContentOf(message), source: message.source })),
      { role: "user", content: this.responsePrompt, source: "user" },
    ];
  }
}
