import { withOperation } from "../core/operations.ts";
import type { RunContext } from "../core/run-context.ts";
import type { AgentTurn, ChatAgent, Emit, RunOptions, RunStreamItem } from "../core/agent.ts";
import { reportConstruction } from "../core/construction.ts";
import { abortError, HearthError, UserError } from "../core/errors.ts";
import {
  addUsage,
  isChatMessage,
  zeroUsage,
  type AgentMessage,
  type ChatMessage,
  type StopMessage,
  type TaskResult,
  type Usage,
} from "../core/messages.ts";
import type { ModelClient, ModelMessage } from "../core/model-client.ts";
import { invalidSession, Session, type SessionJSON, type TeamState } from "../core/session.ts";
import type { Team, TerminationCondition } from "../core/team.ts";
import { checkAgentName, parseState, runTask, streamTask, type TaskWork } from "../agents/base-chat-agent.ts";
import { runAgentTurn } from "../agents/turn-runner.ts";
import { teamSessionFromAutoGen } from "./autogen-team-state.ts";
import { taskMessageOf } from "../agents/runner/task-message.ts";
import { holdsImages, type Task } from "../core/images.ts";
import { approvalResume, type ApprovalResume, type ToolApproval } from "../core/tool-approval.ts";

/** A team's saved state: the whole session it runs. JSON-safe and versioned. */
export interface TeamStateJSON {
  readonly type: "hearth.team-state";
  readonly version: 1;
  readonly team: string;
  readonly session: SessionJSON;
}

export interface GroupChatOptions {
  /** The agents of the team; their names must differ. */
  readonly participants: readonly ChatAgent[];
  /** Names the team; a session run by one team cannot be run by another. */
  readonly name?: string;
  readonly description?: string;
  /** When the run stops. A team needs this, `maxTurns`, or both. */
  readonly termination?: TerminationCondition;
  /** At most this many agent turns per run. */
  readonly maxTurns?: number;
}

/** What a team's speaker choice sees. */
export interface SpeakerContext {
  readonly state: TeamState;
  readonly thread: readonly ChatMessage[];
  /** True when this run started with a new task and no agent has spoken yet. */
  readonly freshTask: boolean;
  readonly signal: AbortSignal;
  /** The run the team is in: a selector passes it to its model call. */
  readonly run: RunContext;
}

export interface SpeakerChoice {
  readonly speaker: ChatAgent;
  /** Tokens the choice itself used (a selector's model call). */
  readonly usage?: Usage;
}

/**
 * The loop every team shares. A team is an immutable definition; everything a run changes lives in
 * the session: the thread, each member's context, whose turn it is and what each member has
 * received. Each agent turn is applied to the session as a whole, with the team's state, so a run
 * aborted midway leaves the session at its last complete message, and the next run resumes there.
 */
export abstract class BaseGroupChat implements Team {
  readonly name: string;
  readonly description: string;
  readonly participants: readonly ChatAgent[];
  readonly termination: TerminationCondition | undefined;
  readonly maxTurns: number | undefined;
  protected abstract readonly kind: string;
  readonly #byName: ReadonlyMap<string, ChatAgent>;

  constructor(options: GroupChatOptions, defaultName: string) {
    const name = options?.name ?? defaultName;
    checkAgentName(name, "Team");
    const participants = options.participants;
    if (!Array.isArray(participants) || participants.length === 0)
      throw new UserError(`Team "${name}" needs at least one participant.`, { field: "participants" });
    const byName = new Map<string, ChatAgent>();
    for (const participant of participants) {
      if (typeof participant?.onMessages !== "function")
        throw new UserError(`Team "${name}": every participant must be a chat agent.`, { field: "participants" });
      if (byName.has(participant.name))
        throw new UserError(`Team "${name}" has two participants named "${participant.name}".`, {
          field: "participants",
        });
      byName.set(participant.name, participant);
    }
    if (options.maxTurns !== undefined && (!Number.isInteger(options.maxTurns) || options.maxTurns < 1)) {
      throw new UserError(`Team "${name}": maxTurns must be a whole number, 1 or more.`, { field: "maxTurns" });
    }
    if (options.termination === undefined && options.maxTurns === undefined) {
      throw new UserError(`Team "${name}" would never stop: give it a termination condition, maxTurns, or both.`, {
        field: "termination",
      });
    }
    this.name = name;
    this.description =
      options.description ?? `A team of ${participants.map((participant) => participant.name).join(", ")}.`;
    this.participants = Object.freeze([...participants]);
    this.termination = options.termination;
    this.maxTurns = options.maxTurns;
    this.#byName = byName;
    reportConstruction("team", name);
  }

  /** Chooses who speaks next. */
  protected abstract selectSpeaker(context: SpeakerContext): Promise<SpeakerChoice> | SpeakerChoice;

  /** The team state after `speaker` said `message`. */
  protected abstract advance(state: TeamState, speaker: ChatAgent, message: ChatMessage): TeamState;

  protected initialState(): TeamState {
    return { team: this.name, kind: this.kind, turn: 0, delivered: {} };
  }

  protected participant(name: string): ChatAgent | undefined {
    return this.#byName.get(name);
  }

  protected unknownSpeaker(name: string, why: string): HearthError {
    return new HearthError(
      "HEARTH_TEAM_UNKNOWN_SPEAKER",
      `Team "${this.name}": ${why} "${name}", which is not one of its participants (${[...this.#byName.keys()].join(", ")}).`,
    );
  }

  createSession(): Session {
    return new Session();
  }

  run(options: RunOptions = {}): Promise<TaskResult> {
    return runTask(options, () => this.createSession(), this.#runTeam);
  }

  runStream(options: RunOptions = {}): AsyncGenerator<RunStreamItem> {
    return streamTask(options, () => this.createSession(), this.#runTeam);
  }

  /** The team's state in `session`: the session itself (thread, members' contexts, whose turn). */
  saveState(session: Session): TeamStateJSON {
    this.stateOf(session);
    return { type: "hearth.team-state", version: 1, team: this.name, session: session.toJSON() };
  }

  /**
   * A session holding a saved state: hearth's own (`saveState`), or the JSON that AutoGen 0.7's
   * `save_state()` writes for this kind of team (`{"type": "TeamState", "agent_states": ...}`).
   */
  loadState(state: unknown): Session {
    const json = typeof state === "string" ? parseState(state) : state;
    if (typeof json !== "object" || json === null) throw invalidSession("team state must be an object");
    const data = json as Record<string, unknown>;
    let session: Session;
    if (data.type === "hearth.team-state") {
      if (data.version !== 1) throw invalidSession(`unknown team state version ${JSON.stringify(data.version)}`);
      session = Session.fromJSON(data.session);
    } else if (data.type === "TeamState") {
      session = teamSessionFromAutoGen(data, {
        team: this.name,
        kind: this.kind,
        participants: this.participants.map((participant) => participant.name),
      });
    } else {
      throw invalidSession(`unknown team state type ${JSON.stringify(data.type)}`);
    }
    this.stateOf(session);
    return session;
  }

  /** The team's state as stored in this session, or a fresh one; a session of another team is refused. */
  stateOf(session: Session): TeamState {
    const state = session.team;
    if (state === undefined) return this.initialState();
    if (state.team !== this.name || state.kind !== this.kind) {
      throw invalidSession(
        `session ${session.id} belongs to team "${state.team}" (${state.kind}), not "${this.name}" (${this.kind})`,
      );
    }
    return state;
  }

  /** A run of the team, traced as one workflow when a tracer listens (see core/operations.ts). */
  readonly #runTeam: TaskWork = (session, task, signal, emit, run, approvals) =>
    withOperation(
      run,
      "workflow",
      this.name,
      (traced) => this.#runLoop(session, task, signal, emit, traced, approvals),
      (result) => result.usage,
    );

  async #runLoop(
    session: Session,
    task: Task | undefined,
    signal: AbortSignal,
    emit: Emit,
    run: RunContext,
    approvals: readonly ToolApproval[] | undefined,
  ): Promise<TaskResult> {
    // An image for the team: every member that will read the thread must read images, else it
    // would fail on its turn, after the others' model calls were paid for.
    if (task !== undefined && typeof task !== "string" && holdsImages([taskMessageOf(task)])) {
      const blind = this.participants.find(
        (member) => (member as { modelClient?: ModelClient }).modelClient?.modelInfo.vision === false,
      );
      if (blind !== undefined)
        throw new HearthError(
          "HEARTH_INVALID_REQUEST",
          `Team "${this.name}" cannot take images: its member "${blind.name}" has a model that does not read them (modelInfo.vision is false).`,
          { field: "message" },
        );
    }
    let state = this.stateOf(session);
    // A run that answers approvals first resumes the member whose turn waits for them, unchosen.
    let resume: ApprovalResume | undefined = approvalResume(session.id, session.pendingApproval, approvals);
    if (resume !== undefined && this.participant(resume.pending.agent) === undefined)
      throw this.unknownSpeaker(resume.pending.agent, "the session waits for approvals in a turn of");
    const check = this.termination?.start({ sessionId: session.id });
    const produced: AgentMessage[] = [];
    let usage: Usage = zeroUsage;
    const result = (stopReason: string): TaskResult => ({ type: "task-result", messages: produced, stopReason, usage });
    const stopped = (fired: StopMessage | null | undefined) =>
      fired === null || fired === undefined ? undefined : fired.content;
    try {
      if (task !== undefined) {
        const taskMessage = taskMessageOf(task);
        session.apply({ messages: [taskMessage], team: state });
        produced.push(taskMessage);
        emit(taskMessage);
        const reason = stopped(check?.check([taskMessage]));
        if (reason !== undefined) return result(reason);
      }
      for (let turns = 0; ; turns++) {
        if (signal.aborted) throw abortError(signal);
        if (this.maxTurns !== undefined && turns >= this.maxTurns)
          return result(`Maximum number of turns ${this.maxTurns} reached.`);
        const thread = session.thread;
        const resumed = resume;
        resume = undefined;
        const choice =
          resumed === undefined
            ? await this.selectSpeaker({ state, thread, freshTask: task !== undefined && turns === 0, signal, run })
            : { speaker: this.participant(resumed.pending.agent) as ChatAgent };
        usage = addUsage(usage, choice.usage);
        const speaker = choice.speaker;

        const turnMessages: AgentMessage[] = [];
        const turnContext: ModelMessage[] = [];
        const turn: AgentTurn = {
          get context() {
            return [...session.contextOf(speaker.name), ...turnContext];
          },
          newMessages: thread.slice(state.delivered[speaker.name] ?? 0),
          signal,
          run,
          ...(resumed === undefined ? {} : { resume: resumed }),
          commit(messages, context) {
            turnMessages.push(...messages);
            turnContext.push(...context);
          },
        };
        const response = await runAgentTurn(speaker, turn, emit);

        const threadLength = thread.length + turnMessages.filter(isChatMessage).length;
        if (response.message.type === "tool-approval-request") {
          // The turn waits for a person: the speaker keeps the floor, and the run stops until they answer.
          state = { ...state, delivered: { ...state.delivered, [speaker.name]: threadLength } };
          session.apply({
            messages: turnMessages,
            contexts: { [speaker.name]: turnContext },
            team: state,
            ...(response.pendingApproval === undefined ? {} : { pendingApproval: response.pendingApproval }),
          });
          produced.push(...turnMessages);
          usage = addUsage(usage, response.usage);
          return result("tool-approval-request");
        }
        state = {
          ...this.advance(state, speaker, response.message),
          turn: state.turn + 1,
          delivered: { ...state.delivered, [speaker.name]: threadLength },
        };
        session.apply({
          messages: turnMessages,
          contexts: { [speaker.name]: turnContext },
          team: state,
          ...(resumed === undefined ? {} : { pendingApproval: null }),
        });
        produced.push(...turnMessages);
        usage = addUsage(usage, response.usage);
        const reason = stopped(check?.check(turnMessages));
        if (reason !== undefined) return result(reason);
      }
    } finally {
      check?.dispose?.();
    }
  }
}
