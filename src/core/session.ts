import { HearthError } from "./errors.ts";
import type { AgentMessage } from "./messages.ts";
import type { ModelMessage } from "./model-client.ts";

export const sessionFormatVersion = 1;

/** The JSON form of a session: plain data, safe to store anywhere and load in another process. */
export interface SessionJSON {
  readonly version: typeof sessionFormatVersion;
  readonly id: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The visible transcript: every message and event of every turn, stream deltas excepted. */
  readonly messages: readonly AgentMessage[];
  /** The conversation as the model sees it, without the system message. */
  readonly context: readonly ModelMessage[];
}

export interface SessionInit {
  readonly id?: string;
  /** ISO 8601; defaults to now. */
  readonly createdAt?: string;
}

/**
 * One conversation. Cheap to create, JSON-safe, and the only mutable thing in a run: agents append
 * whole turns to it, never half a tool exchange. Runs on one session are serialised in arrival order.
 */
export class Session {
  readonly id: string;
  readonly createdAt: string;
  #updatedAt: string;
  #messages: AgentMessage[];
  #context: ModelMessage[];
  #tail: Promise<void> = Promise.resolve();

  constructor(init: SessionInit = {}) {
    this.id = init.id ?? crypto.randomUUID();
    this.createdAt = init.createdAt ?? new Date().toISOString();
    this.#updatedAt = this.createdAt;
    this.#messages = [];
    this.#context = [];
  }

  get updatedAt(): string {
    return this.#updatedAt;
  }

  get messages(): readonly AgentMessage[] {
    return this.#messages;
  }

  get context(): readonly ModelMessage[] {
    return this.#context;
  }

  /** Appends a complete unit of a turn: its visible messages and what the model will see next time. */
  append(messages: readonly AgentMessage[], context: readonly ModelMessage[]): void {
    this.#messages.push(...messages);
    this.#context.push(...context);
    this.#updatedAt = new Date().toISOString();
  }

  /**
   * Waits for every earlier holder of this session to release it, then returns the release
   * function. Turns on one session run one after another, in the order they asked.
   */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => released);
    await previous;
    return release;
  }

  toJSON(): SessionJSON {
    return {
      version: sessionFormatVersion,
      id: this.id,
      createdAt: this.createdAt,
      updatedAt: this.#updatedAt,
      messages: structuredClone(this.#messages),
      context: structuredClone(this.#context),
    };
  }

  static fromJSON(input: unknown): Session {
    const json = typeof input === "string" ? parseJson(input) : input;
    const data = checkSessionJson(json);
    const session = new Session({ id: data.id, createdAt: data.createdAt });
    session.#updatedAt = data.updatedAt;
    session.#messages = structuredClone(data.messages) as AgentMessage[];
    session.#context = structuredClone(data.context) as ModelMessage[];
    return session;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw invalid("session JSON does not parse", cause);
  }
}

function invalid(why: string, cause?: unknown): HearthError {
  return new HearthError("HEARTH_SESSION_INVALID", `Invalid session: ${why}.`, { cause });
}

const roles = new Set(["system", "user", "assistant", "tool"]);

function checkSessionJson(json: unknown): SessionJSON {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw invalid("expected an object");
  const data = json as Record<string, unknown>;
  if (data.version !== sessionFormatVersion) {
    throw invalid(`unknown version ${JSON.stringify(data.version)} (this hearth reads version ${sessionFormatVersion})`);
  }
  if (typeof data.id !== "string" || data.id === "") throw invalid("id must be a non-empty string");
  for (const key of ["createdAt", "updatedAt"] as const) {
    const value = data[key];
    if (typeof value !== "string" || Number.isNaN(Date.parse(value))) throw invalid(`${key} must be an ISO date string`);
  }
  if (!Array.isArray(data.messages)) throw invalid("messages must be an array");
  data.messages.forEach((message: unknown, index) => {
    if (typeof message !== "object" || message === null || typeof (message as { type?: unknown }).type !== "string") {
      throw invalid(`messages[${index}] has no type`);
    }
  });
  if (!Array.isArray(data.context)) throw invalid("context must be an array");
  data.context.forEach((message: unknown, index) => {
    const role = typeof message === "object" && message !== null ? (message as { role?: unknown }).role : undefined;
    if (typeof role !== "string" || !roles.has(role)) throw invalid(`context[${index}] has no valid role`);
  });
  return data as unknown as SessionJSON;
}
