import { isoNow } from "../internal/clock.ts";
import { HearthError } from "./errors.ts";
import { isChatMessage, type AgentMessage, type ChatMessage } from "./messages.ts";
import { Mutex } from "../internal/mutex.ts";
import type { ModelMessage } from "./model-client.ts";
import { decodeContext, encodeContext, isContextRef, type StoredContextEntry } from "./session-contexts.ts";
import { pendingApprovalProblem, type PendingApproval } from "./tool-approval.ts";

/**
 * The JSON format sessions are written in. 2 stores model-context entries that repeat the
 * transcript as references to it (session-contexts.ts); 1 (every entry whole) is still read, and
 * written as 2 the next time the session is stored.
 */
export const sessionFormatVersion = 2;

/**
 * The format of a session that holds what a hearth reading only format 2 would drop without a word
 * (a step waiting for approvals, a multimodal message, the session of a team that is a member of
 * the session's team, a handoff's context read from AutoGen): 3, so that such a hearth, in a rolling
 * deploy, refuses the session rather than writing it back without them. Otherwise the same as 2.
 */
export const sessionFormatVersionWithApprovals = 3;

/** Every format this hearth reads. */
const readableVersions: ReadonlySet<unknown> = new Set([1, 2, 3]);

/** A team's progress in a session: whose turn it is and what each member has already received. */
export interface TeamState {
  /** The name of the team this session belongs to. */
  readonly team: string;
  readonly kind: string;
  /** Turns taken in this session, over all runs (AutoGen's `current_turn`). */
  readonly turn: number;
  /** For each member, how many messages of the thread it has received. */
  readonly delivered: Readonly<Record<string, number>>;
  /** Round-robin: the index of the next speaker. */
  readonly nextSpeakerIndex?: number;
  /** Selector: the last speaker. Swarm: the member that speaks next. */
  readonly speaker?: string | null;
  /**
   * GraphFlow: where the run is in its graph. Every hearth reads `team` whole and writes it back
   * unchanged, so a session holding it keeps format 2: an older hearth cannot drop it.
   */
  readonly graph?: GraphProgress;
}

/** A GraphFlow's progress through its graph (AutoGen's GraphFlowManager state), in the session. */
export interface GraphProgress {
  /** Nodes whose activation is met and that have not been taken yet, in the order they became ready. */
  readonly ready: readonly string[];
  /** Nodes taken from `ready` together (AutoGen runs them at once), still to speak, in order. */
  readonly running: readonly string[];
  /** For each node and activation group, how many of its edges must still fire (read for "all" groups). */
  readonly remaining: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** For each node and activation group, whether one edge fired and the node waits (read for "any" groups). */
  readonly enqueuedAny: Readonly<Record<string, Readonly<Record<string, boolean>>>>;
  /** For each node in `ready`, the activation groups that made it ready: reset when it is taken. */
  readonly triggered: Readonly<Record<string, readonly string[]>>;
}

/** The JSON form of a session: plain data, safe to store anywhere and load in another process. */
export interface SessionJSON {
  readonly version: typeof sessionFormatVersion | typeof sessionFormatVersionWithApprovals;
  readonly id: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The visible transcript: every message and event of every turn, stream deltas excepted. */
  readonly messages: readonly AgentMessage[];
  /**
   * Each agent's model context (the conversation as that model sees it), by agent name. An entry
   * that repeats a transcript message is stored as `{ "m": <its index in messages> }`.
   */
  readonly contexts: Readonly<Record<string, readonly StoredContextEntry[]>>;
  /** Present when a team drives the session. */
  readonly team?: TeamState;
  /** The request context kept with the conversation, when the app keeps it (`context.keep`). */
  readonly requestContext?: Readonly<Record<string, unknown>>;
  /** The step of a turn that stopped on tool calls waiting for a person's approval, until they are answered. */
  readonly pendingApproval?: PendingApproval;
  /**
   * The sessions of the team's members that are teams themselves, by member name: each one's own
   * thread, member contexts and team state, carried from turn to turn inside this session.
   */
  readonly memberSessions?: Readonly<Record<string, SessionJSON>>;
}

export interface SessionInit {
  readonly id?: string;
  /** ISO 8601; defaults to now. */
  readonly createdAt?: string;
}

/** One atomic change to a session: all of it is applied, or none. */
export interface SessionChange {
  readonly messages?: readonly AgentMessage[];
  readonly contexts?: Readonly<Record<string, readonly ModelMessage[]>>;
  readonly team?: TeamState;
  /** Keep this request context with the conversation, in place of the one kept before. */
  readonly requestContext?: Readonly<Record<string, unknown>>;
  /** Keep this step waiting for approvals; null: its calls are answered, it waits no more. */
  readonly pendingApproval?: PendingApproval | null;
  /** Keep these sessions of members that are teams, in place of theirs before (handed over: not copied). */
  readonly memberSessions?: Readonly<Record<string, SessionJSON>>;
}

/**
 * One conversation. Cheap to create, JSON-safe, and the only mutable thing in a run: agents and
 * teams apply whole steps to it, never half a tool exchange. Runs on one session are serialised in
 * arrival order.
 */
export class Session {
  readonly id: string;
  readonly createdAt: string;
  #updatedAt: string;
  #messages: AgentMessage[] = [];
  #contexts = new Map<string, ModelMessage[]>();
  #team: TeamState | undefined;
  #requestContext: Readonly<Record<string, unknown>> | undefined;
  #pendingApproval: PendingApproval | undefined;
  readonly #memberSessions = new Map<string, SessionJSON>();
  // Each context as stored, kept between writes: contexts only grow, so each write encodes only
  // the entries added since the last (`count` of them are encoded; `after` is the last reference).
  readonly #stored = new Map<string, { encoded: StoredContextEntry[]; count: number; after: number }>();
  readonly #turns = new Mutex();

  constructor(init: SessionInit = {}) {
    this.id = init.id ?? crypto.randomUUID();
    this.createdAt = init.createdAt ?? isoNow();
    this.#updatedAt = this.createdAt;
  }

  get updatedAt(): string {
    return this.#updatedAt;
  }

  get messages(): readonly AgentMessage[] {
    return this.#messages;
  }

  /** The messages agents send each other (the transcript without events): a team's shared thread. */
  get thread(): readonly ChatMessage[] {
    return this.#messages.filter(isChatMessage);
  }

  /** One agent's model context. */
  contextOf(agentName: string): readonly ModelMessage[] {
    return this.#contexts.get(agentName) ?? [];
  }

  get team(): TeamState | undefined {
    return this.#team;
  }

  /** The request context kept with the conversation (see SessionJSON.requestContext). */
  get requestContext(): Readonly<Record<string, unknown>> | undefined {
    return this.#requestContext;
  }

  /** The tool calls the session's last turn stopped on, waiting for approval (see SessionJSON.pendingApproval). */
  get pendingApproval(): PendingApproval | undefined {
    return this.#pendingApproval;
  }

  /** The session of the member `name`, a team, as it stood after its last turn (see SessionJSON.memberSessions). */
  memberSession(name: string): SessionJSON | undefined {
    return this.#memberSessions.get(name);
  }

  apply(change: SessionChange): void {
    if (change.messages !== undefined) this.#messages.push(...change.messages);
    for (const [name, added] of Object.entries(change.contexts ?? {})) {
      if (added.length === 0) continue;
      const context = this.#contexts.get(name);
      if (context === undefined) this.#contexts.set(name, [...added]);
      else context.push(...added);
    }
    if (change.team !== undefined) this.#team = change.team;
    if (change.requestContext !== undefined) this.#requestContext = structuredClone(change.requestContext);
    if (change.pendingApproval !== undefined)
      this.#pendingApproval = change.pendingApproval === null ? undefined : change.pendingApproval;
    for (const [name, member] of Object.entries(change.memberSessions ?? {})) this.#memberSessions.set(name, member);
    this.#updatedAt = isoNow();
  }

  /**
   * Waits for every earlier holder of this session to release it, then returns the release
   * function. Turns on one session run one after another, in the order they asked.
   */
  acquire(): Promise<() => void> {
    return this.#turns.acquire();
  }

  /**
   * The session's JSON without copying it: for writing it out at once (a store serialises it
   * immediately). Do not keep or change it; use toJSON() for a copy of your own.
   */
  snapshot(): SessionJSON {
    return {
      version: this.#needsVersion3() ? sessionFormatVersionWithApprovals : sessionFormatVersion,
      id: this.id,
      createdAt: this.createdAt,
      updatedAt: this.#updatedAt,
      messages: this.#messages,
      contexts: this.#storedContexts(),
      ...(this.#team === undefined ? {} : { team: this.#team }),
      ...(this.#requestContext === undefined ? {} : { requestContext: this.#requestContext }),
      ...(this.#pendingApproval === undefined ? {} : { pendingApproval: this.#pendingApproval }),
      ...(this.#memberSessions.size === 0 ? {} : { memberSessions: Object.fromEntries(this.#memberSessions) }),
    };
  }

  #needsVersion3(): boolean {
    return (
      this.#pendingApproval !== undefined ||
      this.#memberSessions.size > 0 ||
      this.#messages.some(
        (message) => message.type === "multi-modal" || (message.type === "handoff" && message.context !== undefined),
      )
    );
  }

  #storedContexts(): Record<string, readonly StoredContextEntry[]> {
    const contexts: Record<string, readonly StoredContextEntry[]> = {};
    for (const [name, context] of this.#contexts) {
      let stored = this.#stored.get(name);
      if (stored === undefined) {
        stored = { encoded: [], count: 0, after: -1 };
        this.#stored.set(name, stored);
      }
      if (stored.count < context.length) {
        const { encoded, after } = encodeContext(context, stored.count, this.#messages, name, stored.after);
        stored.encoded.push(...encoded);
        stored.count = context.length;
        stored.after = after;
      }
      contexts[name] = stored.encoded;
    }
    return contexts;
  }

  toJSON(): SessionJSON {
    return structuredClone(this.snapshot());
  }

  static fromJSON(input: unknown): Session {
    const json = typeof input === "string" ? parseJson(input) : input;
    const data = checkSessionJson(json);
    const session = new Session({ id: data.id, createdAt: data.createdAt });
    session.#updatedAt = data.updatedAt;
    session.#messages = structuredClone(data.messages) as AgentMessage[];
    for (const [name, stored] of Object.entries(structuredClone(data.contexts))) {
      const context = decodeContext(stored, session.#messages, name);
      if (context === undefined) throw invalidSession(`contexts.${name} refers to a message it cannot stand for`);
      session.#contexts.set(name, context);
      // Read as version 2 (or 3): kept as stored, so the next write need not encode it again.
      if (Number(data.version) !== 1) {
        const after = stored.reduce(
          (last: number, entry) => (isContextRef(entry) ? Math.max(last, entry.m) : last),
          -1,
        );
        session.#stored.set(name, { encoded: [...stored], count: stored.length, after });
      }
    }
    session.#team = data.team === undefined ? undefined : structuredClone(data.team);
    session.#requestContext = data.requestContext === undefined ? undefined : structuredClone(data.requestContext);
    session.#pendingApproval = data.pendingApproval === undefined ? undefined : structuredClone(data.pendingApproval);
    for (const [name, member] of Object.entries(structuredClone(data.memberSessions ?? {})))
      session.#memberSessions.set(name, member);
    return session;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw invalidSession("session JSON does not parse", cause);
  }
}

export function invalidSession(why: string, cause?: unknown): HearthError {
  return new HearthError("HEARTH_SESSION_INVALID", `Invalid session: ${why}.`, { cause });
}

const roles = new Set(["system", "user", "assistant", "tool"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkSessionJson(json: unknown): SessionJSON {
  if (!isObject(json)) throw invalidSession("expected an object");
  if (!readableVersions.has(json.version)) {
    throw invalidSession(
      `unknown version ${JSON.stringify(json.version)} (this hearth reads version ${sessionFormatVersion})`,
    );
  }
  if (typeof json.id !== "string" || json.id === "") throw invalidSession("id must be a non-empty string");
  for (const key of ["createdAt", "updatedAt"] as const) {
    const value = json[key];
    if (typeof value !== "string" || Number.isNaN(Date.parse(value)))
      throw invalidSession(`${key} must be an ISO date string`);
  }
  if (!Array.isArray(json.messages)) throw invalidSession("messages must be an array");
  json.messages.forEach((message: unknown, index) => {
    if (!isObject(message) || typeof message.type !== "string") throw invalidSession(`messages[${index}] has no type`);
  });
  if (!isObject(json.contexts)) throw invalidSession("contexts must be an object");
  for (const [name, context] of Object.entries(json.contexts)) {
    if (!Array.isArray(context)) throw invalidSession(`contexts.${name} must be an array`);
    const count = (json.messages as unknown[]).length;
    context.forEach((message: unknown, index) => {
      if (isContextRef(message)) {
        if (json.version === 1 || message.m < 0 || message.m >= count)
          throw invalidSession(`contexts.${name}[${index}] refers to no message`);
      } else if (!isObject(message) || typeof message.role !== "string" || !roles.has(message.role))
        throw invalidSession(`contexts.${name}[${index}] has no valid role`);
    });
  }
  if (json.team !== undefined) {
    const team = json.team;
    if (
      !isObject(team) ||
      typeof team.team !== "string" ||
      typeof team.kind !== "string" ||
      typeof team.turn !== "number" ||
      !isObject(team.delivered)
    ) {
      throw invalidSession("team must have team, kind, turn and delivered");
    }
  }
  if (json.requestContext !== undefined && !isObject(json.requestContext))
    throw invalidSession("requestContext must be an object");
  if (json.pendingApproval !== undefined) {
    const problem = pendingApprovalProblem(json.pendingApproval);
    if (problem !== undefined) throw invalidSession(`pendingApproval ${problem}`);
  }
  if (json.memberSessions !== undefined) {
    if (!isObject(json.memberSessions)) throw invalidSession("memberSessions must be an object");
    for (const [name, member] of Object.entries(json.memberSessions)) {
      try {
        checkSessionJson(member);
      } catch (cause) {
        const why = cause instanceof Error ? cause.message.replace(/^Invalid session: |\.$/g, "") : String(cause);
        throw invalidSession(`memberSessions.${name}: ${why}`, cause);
      }
    }
  }
  return json as unknown as SessionJSON;
}
