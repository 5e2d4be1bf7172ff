import { withOperation } from "../core/operations.ts";
import type { RunContext } from "../core/run-context.ts";
import type { ChatAgent, RunOptions, RunStreamItem } from "../core/agent.ts";
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
import { invalidSession, Session, type SessionJSON, type TeamState } from "../core/session.ts";
import type { TerminationCondition } from "../core/team.ts";
import { checkAgentName, parseState, runTask, streamTask, type TaskWork } from "../agents/base-chat-agent.ts";
import { teamSessionFromAutoGen } from "./autogen-team-state.ts";
import { taskMessageOf } from "../agents/runner/task-message.ts";
import { holdsImages } from "../core/images.ts";
import { approvalResume, type ApprovalResume, type ToolApproval } from "../core/tool-approval.ts";
import { isInnerTeam, runInside, type InnerRun, type InnerTeam } from "../core/inner-team.ts";
import { blindMember, runMemberTurn, type TeamParticipant } from "./team-member.ts";

/** A team's saved state: the whole session it runs. JSON-safe and versioned. */
export interface TeamStateJSON {
  readonly type: "hearth.team-state";
  readonly version: 1;
  readonly team: string;
  readonly session: SessionJSON;
}

export interface GroupChatOptions {
  /**
   * The agents of the team, and teams that take part as one member (AutoGen's `ChatAgent | Team`):
   * such a team runs, on the messages new to it, until its own termination condition or `maxTurns`
   * stops it. Their names must differ.
   */
  readonly participants: readonly TeamParticipant[];
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
  readonly speaker: TeamParticipant;
  /** Tokens the choice itself used (a selector's model call). */
  readonly usage?: Usage;
}

/** One run of the team's loop: a run of its own (`run`, `runStream`) or one inside another's turn. */
interface LoopRun extends Omit<InnerRun, "approvals"> {
  readonly approvals: readonly ToolApproval[] | undefined;
  /** Emit the task messages and put them in the result: a run's own task, not an inner run's. */
  readonly showTask: boolean;
}

/**
 * The loop every team shares. A team is an immutable definition; everything a run changes lives in
 * the session: the thread, each member's context, whose turn it is and what each member has
 * received. Each member's turn (an agent's, or a whole run of a team among the members) is applied
 * to the session as a whole, with the team's state, so a run aborted midway leaves the session at
 * its last complete message, and the next run resumes there.
 */
export abstract class BaseGroupChat implements InnerTeam {
  readonly name: string;
  readonly description: string;
  readonly participants: readonly TeamParticipant[];
  readonly termination: TerminationCondition | undefined;
  readonly maxTurns: number | undefined;
  protected abstract readonly kind: string;
  readonly #byName: ReadonlyMap<string, TeamParticipant>;

  /** `endsOnItsOwn`: the team stops by itself (an acyclic GraphFlow), so it needs no termination or maxTurns. */
  constructor(options: GroupChatOptions, defaultName: string, endsOnItsOwn = false) {
    const name = options?.name ?? defaultName;
    checkAgentName(name, "Team");
    const participants = options.participants;
    if (!Array.isArray(participants) || participants.length === 0)
      throw new UserError(`Team "${name}" needs at least one participant.`, { field: "participants" });
    const byName = new Map<string, TeamParticipant>();
    for (const participant of participants) {
      if (typeof (participant as Partial<ChatAgent>)?.onMessages !== "function" && !isInnerTeam(participant))
        throw new UserError(
          `Team "${name}": every participant must be a chat agent or a hearth team (a RoundRobinGroupChat, SelectorGroupChat, Swarm or GraphFlow).`,
          { field: "participants" },
        );
      if (byName.has(participant.name))
        throw new UserError(`Team "${name}" has two participants named "${participant.name}".`, {
          field: "participants",
        });
      byName.set(participant.name, participant);
    }
    if (options.maxTurns !== undefined && (!Number.isInteger(options.maxTurns) || options.maxTurns < 1)) {
      throw new UserError(`Team "${name}": maxTurns must be a whole number, 1 or more.`, { field: "maxTurns" });
    }
    if (!endsOnItsOwn && options.termination === undefined && options.maxTurns === undefined) {
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
  protected abstract advance(state: TeamState, speaker: TeamParticipant, message: ChatMessage): TeamState;

  /**
   * Why the run is over by the team's own state after a turn (a GraphFlow with no node left to
   * run), checked before the termination condition; undefined to go on.
   */
  protected completed(_state: TeamState): string | undefined {
    return undefined;
  }

  protected initialState(): TeamState {
    return { team: this.name, kind: this.kind, turn: 0, delivered: {} };
  }

  protected participant(name: string): TeamParticipant | undefined {
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
        blind: this.participants.filter((member) => blindMember([member]) !== undefined).map((member) => member.name),
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
      (traced) =>
        this.#runLoop({
          session,
          messages: task === undefined ? [] : [taskMessageOf(task)],
          showTask: true,
          signal,
          emit,
          run: traced,
          approvals,
        }),
      (result) => result.usage,
    );

  /** A run of the team inside another's turn (see core/inner-team.ts), traced as a workflow of its own. */
  [runInside](inner: InnerRun): Promise<TaskResult> {
    return withOperation(
      inner.run,
      "workflow",
      this.name,
      (traced) => this.#runLoop({ ...inner, approvals: inner.approvals, showTask: false, run: traced }),
      (result) => result.usage,
    );
  }

  async #runLoop(loop: LoopRun): Promise<TaskResult> {
    const { session, messages: task, signal, emit, run } = loop;
    // A synthetic warm-up's stub never says what ends a team (a condition may wait for a word it
    // never says, and a stubbed turn never yields to the event loop): one turn runs the loop.
    const maxTurns = run.synthetic ? 1 : this.maxTurns;
    // An image for the team: every member that will read the thread must read images, else it
    // would fail on its turn, after the others' model calls were paid for.
    if (holdsImages(task)) {
      const blind = blindMember(this.participants);
      if (blind !== undefined)
        throw new HearthError(
          "HEARTH_INVALID_REQUEST",
          `Team "${this.name}" cannot take images: its member "${blind.name}" has a model that does not read them (modelInfo.vision is false).`,
          { field: "message" },
        );
    }
    let state = this.stateOf(session);
    // A run that answers approvals first resumes the member whose turn waits for them, unchosen.
    let resume: ApprovalResume | undefined = approvalResume(session.id, session.pendingApproval, loop.approvals);
    if (resume !== undefined && this.participant(resume.pending.agent) === undefined)
      throw this.unknownSpeaker(resume.pending.agent, "the session waits for approvals in a turn of");
    const check = this.termination?.start({ sessionId: session.id });
    const produced: AgentMessage[] = [];
    let usage: Usage = zeroUsage;
    const result = (stopReason: string): TaskResult => ({ type: "task-result", messages: produced, stopReason, usage });
    const stopped = (fired: StopMessage | null | undefined) =>
      fired === null || fired === undefined ? undefined : fired.content;
    try {
      if (task.length > 0) {
        session.apply({ messages: task, team: state });
        if (loop.showTask) {
          produced.push(...task);
          for (const message of task) emit(message);
        }
        const reason = stopped(await check?.check(task));
        if (reason !== undefined) return result(reason);
      }
      for (let turns = 0; ; turns++) {
        if (signal.aborted) throw abortError(signal);
        if (maxTurns !== undefined && turns >= maxTurns) return result(`Maximum number of turns ${maxTurns} reached.`);
        const thread = session.thread;
        const resumed = resume;
        resume = undefined;
        const choice =
          resumed === undefined
            ? await this.selectSpeaker({ state, thread, freshTask: task.length > 0 && turns === 0, signal, run })
            : { speaker: this.participant(resumed.pending.agent) as TeamParticipant };
        usage = addUsage(usage, choice.usage);
        const speaker = choice.speaker;

        // The result holds what the turn showed (AutoGen's output): a SocietyOfMindAgent shows its
        // inner team's messages but stores only its reply.
        const shown: AgentMessage[] = [];
        const turn = await runMemberTurn(
          speaker,
          session,
          {
            newMessages: thread.slice(state.delivered[speaker.name] ?? 0),
            signal,
            run,
            resume: resumed,
            // As a lone agent's turn does, one that fails after its answered step ran keeps that
            // step, and the session waits no more: the approved calls must not run again.
            keepAnswered: (done) =>
              session.apply({
                ...done,
                team: {
                  ...state,
                  delivered: {
                    ...state.delivered,
                    [speaker.name]: thread.length + done.messages.filter(isChatMessage).length,
                  },
                },
                pendingApproval: null,
              }),
          },
          (message) => {
            if (message.type !== "message-delta") shown.push(message);
            emit(message);
          },
        );
        const { messages: turnMessages, response } = turn;
        const memberChange = {
          ...(turn.contexts === undefined ? {} : { contexts: turn.contexts }),
          ...(turn.memberSessions === undefined ? {} : { memberSessions: turn.memberSessions }),
        };

        const threadLength = thread.length + turnMessages.filter(isChatMessage).length;
        if (response.message.type === "tool-approval-request") {
          // The turn waits for a person: the speaker keeps the floor, and the run stops until they answer.
          state = { ...state, delivered: { ...state.delivered, [speaker.name]: threadLength } };
          session.apply({
            messages: turnMessages,
            ...memberChange,
            team: state,
            ...(response.pendingApproval === undefined ? {} : { pendingApproval: response.pendingApproval }),
          });
          produced.push(...shown);
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
          ...memberChange,
          team: state,
          ...(resumed === undefined ? {} : { pendingApproval: null }),
        });
        produced.push(...shown);
        usage = addUsage(usage, response.usage);
        const reason = this.completed(state) ?? stopped(await check?.check(turnMessages));
        if (reason !== undefined) return result(reason);
      }
    } finally {
      check?.dispose?.();
    }
  }
}
