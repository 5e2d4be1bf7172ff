import type { AgentResponse, AgentTurn, ChatAgent, Emit } from "../core/agent.ts";
import { isInnerTeam, runInside, type InnerTeam } from "../core/inner-team.ts";
import {
  isChatMessage,
  newId,
  type AgentMessage,
  type ChatMessage,
  type StopMessage,
  type TaskResult,
} from "../core/messages.ts";
import type { ModelClient, ModelMessage } from "../core/model-client.ts";
import type { RunContext } from "../core/run-context.ts";
import { Session, type SessionJSON } from "../core/session.ts";
import type { Team } from "../core/team.ts";
import type { ApprovalResume } from "../core/tool-approval.ts";
import { UserError } from "../core/errors.ts";
import { isoNow } from "../internal/clock.ts";
import { runAgentTurn } from "../agents/turn-runner.ts";

/** A member of a team: an agent, or a hearth team that runs inside it (AutoGen's `ChatAgent | Team`). */
export type TeamParticipant = ChatAgent | Team;

/** What a member's turn is given. */
export interface MemberTurnInput {
  /** What others said since the member last spoke. */
  readonly newMessages: readonly ChatMessage[];
  readonly signal: AbortSignal;
  readonly run: RunContext;
  /** Set when the turn resumes the member's step that waited for approvals. */
  readonly resume: ApprovalResume | undefined;
  /**
   * With `resume`: given what a turn that then fails had done since its answered step ran, before
   * the error goes on, for the team to keep: the approved calls ran, and must not run again.
   */
  readonly keepAnswered?: (done: MemberSteps) => void;
}

/** One member's whole turn, which the team applies to its session in one change, with its own state. */
export interface MemberTurn {
  /** What the turn adds to the transcript. */
  readonly messages: readonly AgentMessage[];
  /** An agent member: what it added to its model context. */
  readonly contexts?: Readonly<Record<string, readonly ModelMessage[]>>;
  /** A team member: its session after the turn. */
  readonly memberSessions?: Readonly<Record<string, SessionJSON>>;
  readonly response: AgentResponse;
}

/** What a member's turn changed, without its response. */
export type MemberSteps = Omit<MemberTurn, "response">;

/** Runs one member's turn, an agent's or a team's, buffering what it would change in `session`. */
export function runMemberTurn(
  member: TeamParticipant,
  session: Session,
  input: MemberTurnInput,
  emit: Emit,
): Promise<MemberTurn> {
  return isInnerTeam(member)
    ? runTeamTurn(member, session, input, emit)
    : runAgentMemberTurn(member as ChatAgent, session, input, emit);
}

/** An agent's turn: its committed steps are kept aside until the whole turn is done. */
async function runAgentMemberTurn(
  agent: ChatAgent,
  session: Session,
  { newMessages, signal, run, resume, keepAnswered }: MemberTurnInput,
  emit: Emit,
): Promise<MemberTurn> {
  const messages: AgentMessage[] = [];
  const context: ModelMessage[] = [];
  const turn: AgentTurn = {
    get context() {
      return [...session.contextOf(agent.name), ...context];
    },
    newMessages,
    signal,
    run,
    ...(resume === undefined ? {} : { resume }),
    commit(committed, added) {
      messages.push(...committed);
      context.push(...added);
    },
  };
  let response: AgentResponse;
  try {
    response = await runAgentTurn(agent, turn, emit);
  } catch (error) {
    // A resumed turn's first commit is its answered step: once made, the approved calls have run.
    if (resume !== undefined && messages.length > 0) keepAnswered?.({ messages, contexts: { [agent.name]: context } });
    throw error;
  }
  return { messages, contexts: { [agent.name]: context }, response };
}

/**
 * A team's turn (AutoGen's ChatAgentContainer around a Team): the team runs on its own session,
 * which the outer session keeps, with the messages new to it as its task, until its own
 * termination condition or `maxTurns` stops it. Everything it said joins the outer transcript.
 * Like an agent's steps, its inner turns reach the outer session only with the whole turn: a run
 * aborted inside it leaves both sessions as they were, and the next run starts the turn again
 * (but for a step whose approved calls ran, which both keep: see MemberTurnInput.keepAnswered).
 */
async function runTeamTurn(
  team: InnerTeam,
  outer: Session,
  { newMessages, signal, run, resume, keepAnswered }: MemberTurnInput,
  emit: Emit,
): Promise<MemberTurn> {
  const stored = outer.memberSession(team.name);
  // The conversation's id: an ExternalTermination set for it reaches the inner run too.
  const session = stored === undefined ? new Session({ id: outer.id }) : Session.fromJSON(stored);
  const before = session.messages.length;
  const waited = session.pendingApproval !== undefined;
  let result: TaskResult;
  try {
    result = await team[runInside]({
      session,
      messages: newMessages,
      signal,
      emit,
      run,
      ...(resume === undefined ? {} : { approvals: [...resume.answers.values()] }),
    });
  } catch (error) {
    // The inner team kept its answered step (it waits no more): the outer session keeps it too.
    if (resume !== undefined && waited && session.pendingApproval === undefined)
      keepAnswered?.({ messages: session.messages.slice(before), memberSessions: { [team.name]: session.toJSON() } });
    throw error;
  }
  const memberSessions = { [team.name]: session.toJSON() };
  const last = result.messages.at(-1);
  const waiting = session.pendingApproval;
  if (last?.type === "tool-approval-request" && waiting !== undefined) {
    // The outer session waits for the same calls, in this member's turn; answering them resumes the inner run.
    const pendingApproval = { ...waiting, agent: team.name };
    return {
      messages: result.messages,
      memberSessions,
      response: { message: last, usage: result.usage, pendingApproval },
    };
  }
  const reply = result.messages.findLast(isChatMessage) ?? silentTurn(team.name, result.stopReason);
  return { messages: result.messages, memberSessions, response: { message: reply, usage: result.usage } };
}

/**
 * How the turn of a team that said nothing ended (its condition fired on the messages it was
 * given): what the outer team's speaker order reads. Not stored, not emitted.
 */
function silentTurn(source: string, stopReason: string): StopMessage {
  return { id: newId("msg"), type: "stop", source, content: stopReason, createdAt: isoNow() };
}

/** The first member, at any depth, whose model cannot read images. */
export function blindMember(participants: readonly TeamParticipant[]): TeamParticipant | undefined {
  for (const member of participants) {
    if (isInnerTeam(member)) {
      const inner = blindMember((member as { participants?: readonly TeamParticipant[] }).participants ?? []);
      if (inner !== undefined) return inner;
    } else if ((member as { modelClient?: ModelClient }).modelClient?.modelInfo.vision === false) return member;
  }
  return undefined;
}

/** For a team whose members must be agents (a Swarm: a team cannot hand off): a UserError naming the first team among them. */
export function checkAgentsOnly(kind: string, teamName: string, participants: readonly TeamParticipant[]): void {
  const team = participants.find(isInnerTeam);
  if (team !== undefined)
    throw new UserError(
      `${kind} "${teamName}": its participants must be agents, and "${team.name}" is a team. A team can be a member of a RoundRobinGroupChat or a SelectorGroupChat, or run inside a SocietyOfMindAgent.`,
      { field: "participants" },
    );
}
