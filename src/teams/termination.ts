import { isoNow } from "../internal/clock.ts";
import { UserError } from "../core/errors.ts";
import { chatMessageText, isChatMessage, newId, type AgentMessage, type StopMessage } from "../core/messages.ts";
import type { TerminationCheck, TerminationCondition, TerminationContext } from "../core/team.ts";
import { knownOptions } from "../core/known-options.ts";
import {
  maxMessageTerminationOptionNames,
  textMentionTerminationOptionNames,
  type TokenUsageAutoGenNames,
  tokenUsageTerminationOptionNames,
} from "./option-names.ts";

function stop(source: string, content: string): StopMessage {
  return { id: newId("msg"), type: "stop", source, content, createdAt: isoNow() };
}

/** The check of a condition that never waits: its answer is at hand. */
export interface ImmediateTerminationCheck extends TerminationCheck {
  check(delta: readonly AgentMessage[]): StopMessage | null;
}

type Checked = StopMessage | null | Promise<StopMessage | null>;

function isPromise(value: Checked): value is Promise<StopMessage | null> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * The base of every condition: an immutable value whose `start` gives one run its own check.
 * `.or()` stops when either condition fires; `.and()` when both have fired (AutoGen's `|` and `&`).
 */
export abstract class BaseTermination implements TerminationCondition {
  abstract readonly description: string;
  abstract start(context: TerminationContext): TerminationCheck;

  or(other: TerminationCondition): TerminationCondition {
    return new OrTermination([this, other]);
  }

  and(other: TerminationCondition): TerminationCondition {
    return new AndTermination([this, other]);
  }
}

/** A condition whose check holds no state between calls: it looks only at the latest messages. */
abstract class StatelessTermination extends BaseTermination {
  /** The condition's name, the source of its StopMessage. */
  protected abstract readonly kind: string;
  protected abstract fires(message: AgentMessage): string | null;

  start(_context?: TerminationContext): ImmediateTerminationCheck {
    return {
      check: (delta) => {
        for (const message of delta) {
          const reason = this.fires(message);
          if (reason !== null) return stop(this.kind, reason);
        }
        return null;
      },
    };
  }
}

/** Several conditions combined; each run starts a check of every part. */
abstract class CombinedTermination extends BaseTermination {
  readonly description: string;
  readonly #conditions: readonly TerminationCondition[];

  constructor(conditions: readonly TerminationCondition[], joiner: string) {
    super();
    this.#conditions = Object.freeze([...conditions]);
    this.description = this.#conditions.map((condition) => condition.description).join(joiner);
    Object.freeze(this);
  }

  protected abstract combine(checks: readonly TerminationCheck[]): (delta: readonly AgentMessage[]) => Checked;

  start(context: TerminationContext): TerminationCheck {
    const checks = this.#conditions.map((condition) => condition.start(context));
    return {
      check: this.combine(checks),
      dispose: () => {
        for (const check of checks) check.dispose?.();
      },
    };
  }
}

export class OrTermination extends CombinedTermination {
  constructor(conditions: readonly TerminationCondition[]) {
    super(conditions, " or ");
  }

  protected combine(checks: readonly TerminationCheck[]) {
    // In order, stopping at the first that fires; one that must wait is awaited before the next is asked.
    const firstFired = (delta: readonly AgentMessage[], from: number): Checked => {
      for (let index = from; index < checks.length; index++) {
        const fired = (checks[index] as TerminationCheck).check(delta);
        if (isPromise(fired)) return fired.then((settled) => settled ?? firstFired(delta, index + 1));
        if (fired !== null) return fired;
      }
      return null;
    };
    return (delta: readonly AgentMessage[]) => firstFired(delta, 0);
  }
}

export class AndTermination extends CombinedTermination {
  constructor(conditions: readonly TerminationCondition[]) {
    super(conditions, " and ");
  }

  protected combine(checks: readonly TerminationCheck[]) {
    // Each part stays fired once it has fired; the whole fires when every part has.
    const fired: (StopMessage | null)[] = checks.map(() => null);
    const whole = (): StopMessage | null => {
      if (fired.some((message) => message === null)) return null;
      const messages = fired as StopMessage[];
      return stop(
        messages.map((message) => message.source).join(", "),
        messages.map((message) => message.content).join("; "),
      );
    };
    const askFrom = (delta: readonly AgentMessage[], from: number): Checked => {
      for (let index = from; index < checks.length; index++) {
        if (fired[index] !== null) continue;
        const answer = (checks[index] as TerminationCheck).check(delta);
        if (isPromise(answer))
          return answer.then((settled) => {
            fired[index] = settled;
            return askFrom(delta, index + 1);
          });
        fired[index] = answer;
      }
      return whole();
    };
    return (delta: readonly AgentMessage[]) => askFrom(delta, 0);
  }
}

function nonEmpty(value: unknown, field: string, where: string, what: string): asserts value is string {
  if (typeof value !== "string" || value === "") throw new UserError(`${where} needs ${what}.`, { field });
}

function positive(value: number, field: string, where: string): void {
  if (!Number.isFinite(value) || value <= 0)
    throw new UserError(`${where}: ${field} must be a positive number.`, { field });
}

/** Stops after `maxMessages` messages in the run (events too, with `includeAgentEvent`). */
export class MaxMessageTermination extends BaseTermination {
  readonly description: string;
  readonly maxMessages: number;
  readonly includeAgentEvent: boolean;

  constructor(maxMessages: number, options: { readonly includeAgentEvent?: boolean } = {}) {
    super();
    options = knownOptions("MaxMessageTermination", options, maxMessageTerminationOptionNames);
    positive(maxMessages, "maxMessages", "MaxMessageTermination");
    this.maxMessages = maxMessages;
    this.includeAgentEvent = options.includeAgentEvent ?? false;
    this.description = `${maxMessages} messages`;
    Object.freeze(this);
  }

  start(_context?: TerminationContext): ImmediateTerminationCheck {
    let count = 0;
    return {
      check: (delta) => {
        count += delta.filter(
          (message) => message.type !== "message-delta" && (this.includeAgentEvent || isChatMessage(message)),
        ).length;
        return count >= this.maxMessages
          ? stop(
              "MaxMessageTermination",
              `Maximum number of messages ${this.maxMessages} reached, current message count: ${count}`,
            )
          : null;
      },
    };
  }
}

/** Stops when a chat message contains `text` (from one of `sources`, when given). */
export class TextMentionTermination extends StatelessTermination {
  protected readonly kind = "TextMentionTermination";
  readonly description: string;
  readonly text: string;
  readonly sources: readonly string[] | undefined;

  constructor(text: string, options: { readonly sources?: readonly string[] } = {}) {
    super();
    options = knownOptions("TextMentionTermination", options, textMentionTerminationOptionNames);
    nonEmpty(text, "text", "TextMentionTermination", "a non-empty text");
    this.text = text;
    this.sources = options.sources === undefined ? undefined : Object.freeze([...options.sources]);
    this.description = `"${text}" mentioned`;
    Object.freeze(this);
  }

  protected fires(message: AgentMessage): string | null {
    if (!isChatMessage(message)) return null;
    if (this.sources !== undefined && !this.sources.includes(message.source)) return null;
    return chatMessageText(message).includes(this.text) ? `Text '${this.text}' mentioned` : null;
  }
}

/** Stops when the run's token usage reaches any of the limits. */
export class TokenUsageTermination extends BaseTermination {
  readonly description: string;
  readonly maxTotalTokens: number | undefined;
  readonly maxPromptTokens: number | undefined;
  readonly maxCompletionTokens: number | undefined;

  constructor(
    limits: {
      readonly maxTotalTokens?: number;
      readonly maxPromptTokens?: number;
      readonly maxCompletionTokens?: number;
    } & TokenUsageAutoGenNames,
  ) {
    super();
    const { maxTotalTokens, maxPromptTokens, maxCompletionTokens } =
      knownOptions("TokenUsageTermination", limits, tokenUsageTerminationOptionNames) ?? {};
    if (maxTotalTokens === undefined && maxPromptTokens === undefined && maxCompletionTokens === undefined) {
      throw new UserError(
        "TokenUsageTermination needs at least one of maxTotalTokens, maxPromptTokens, maxCompletionTokens.",
        { field: "maxTotalTokens" },
      );
    }
    for (const [field, value] of Object.entries({ maxTotalTokens, maxPromptTokens, maxCompletionTokens })) {
      if (value !== undefined) positive(value, field, "TokenUsageTermination");
    }
    this.maxTotalTokens = maxTotalTokens;
    this.maxPromptTokens = maxPromptTokens;
    this.maxCompletionTokens = maxCompletionTokens;
    this.description = "token limit";
    Object.freeze(this);
  }

  start(_context?: TerminationContext): ImmediateTerminationCheck {
    let prompt = 0;
    let completion = 0;
    return {
      check: (delta) => {
        for (const message of delta) {
          prompt += message.usage?.promptTokens ?? 0;
          completion += message.usage?.completionTokens ?? 0;
        }
        const total = prompt + completion;
        const reached =
          (this.maxTotalTokens !== undefined && total >= this.maxTotalTokens) ||
          (this.maxPromptTokens !== undefined && prompt >= this.maxPromptTokens) ||
          (this.maxCompletionTokens !== undefined && completion >= this.maxCompletionTokens);
        return reached
          ? stop(
              "TokenUsageTermination",
              `Token usage limit reached, total token count: ${total}, prompt token count: ${prompt}, completion token count: ${completion}.`,
            )
          : null;
      },
    };
  }
}

/** Stops at the first check after `timeoutMs` has passed since the run began. */
export class TimeoutTermination extends BaseTermination {
  readonly description: string;
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super();
    positive(timeoutMs, "timeoutMs", "TimeoutTermination");
    this.timeoutMs = timeoutMs;
    this.description = `${timeoutMs} ms`;
    Object.freeze(this);
  }

  start(_context?: TerminationContext): ImmediateTerminationCheck {
    const began = performance.now();
    return {
      check: () =>
        performance.now() - began >= this.timeoutMs
          ? stop("TimeoutTermination", `Timeout of ${this.timeoutMs / 1000} seconds reached`)
          : null,
    };
  }
}

/** Stops when an agent hands off to `target` (for example "user", for a person to answer). */
export class HandoffTermination extends StatelessTermination {
  protected readonly kind = "HandoffTermination";
  readonly description: string;
  readonly target: string;

  constructor(target: string) {
    super();
    nonEmpty(target, "target", "HandoffTermination", "a target");
    this.target = target;
    this.description = `handoff to ${target}`;
    Object.freeze(this);
  }

  protected fires(message: AgentMessage): string | null {
    return message.type === "handoff" && message.target === this.target
      ? `Handoff to ${this.target} from ${message.source} detected.`
      : null;
  }
}

/** Stops when an agent sends a StopMessage. */
export class StopMessageTermination extends StatelessTermination {
  protected readonly kind = "StopMessageTermination";
  readonly description = "stop message";

  constructor() {
    super();
    Object.freeze(this);
  }

  protected fires(message: AgentMessage): string | null {
    return message.type === "stop" ? "Stop message received" : null;
  }
}

/** Stops when one of `sources` has sent a chat message. */
export class SourceMatchTermination extends StatelessTermination {
  protected readonly kind = "SourceMatchTermination";
  readonly description: string;
  readonly sources: readonly string[];

  constructor(sources: readonly string[]) {
    super();
    if (!Array.isArray(sources) || sources.length === 0)
      throw new UserError("SourceMatchTermination needs at least one source.", { field: "sources" });
    this.sources = Object.freeze([...sources]);
    this.description = `${sources.join(" or ")} answered`;
    Object.freeze(this);
  }

  protected fires(message: AgentMessage): string | null {
    return isChatMessage(message) && this.sources.includes(message.source) ? `'${message.source}' answered` : null;
  }
}

/** Stops once a tool named `functionName` has run. */
export class FunctionCallTermination extends StatelessTermination {
  protected readonly kind = "FunctionCallTermination";
  readonly description: string;
  readonly functionName: string;

  constructor(functionName: string) {
    super();
    nonEmpty(functionName, "functionName", "FunctionCallTermination", "a function name");
    this.functionName = functionName;
    this.description = `${functionName} executed`;
    Object.freeze(this);
  }

  protected fires(message: AgentMessage): string | null {
    return message.type === "tool-call-execution" && message.results.some((result) => result.name === this.functionName)
      ? `Function '${this.functionName}' was executed.`
      : null;
  }
}

/** Stops when an agent sends a text message (from `source`, when given): a plain reply, not a tool summary or a handoff. */
export class TextMessageTermination extends StatelessTermination {
  protected readonly kind = "TextMessageTermination";
  readonly description: string;
  readonly source: string | undefined;

  constructor(source?: string) {
    super();
    if (source !== undefined) nonEmpty(source, "source", "TextMessageTermination", "a non-empty source, or none");
    this.source = source;
    this.description = source === undefined ? "a text message" : `a text message from ${source}`;
    Object.freeze(this);
  }

  protected fires(message: AgentMessage): string | null {
    return message.type === "text" && (this.source === undefined || message.source === this.source)
      ? `Text message received from '${message.source}'`
      : null;
  }
}

/** What a FunctionalTermination asks: true to stop the run, given the messages of the latest turn. */
export type TerminationFunction = (delta: readonly AgentMessage[]) => boolean | Promise<boolean>;

/**
 * Stops when `func`, given the task messages and then each turn's messages, returns true (or a
 * promise of true): any rule written as code. Only `true` stops the run, as in AutoGen.
 */
export class FunctionalTermination extends BaseTermination {
  readonly description = "a function of the messages";
  readonly #func: TerminationFunction;

  constructor(func: TerminationFunction) {
    super();
    if (typeof func !== "function")
      throw new UserError("FunctionalTermination needs a function of the latest messages that returns true to stop.", {
        field: "func",
      });
    this.#func = func;
    Object.freeze(this);
  }

  start(_context?: TerminationContext): TerminationCheck {
    const fired = (answer: boolean) =>
      answer === true ? stop("FunctionalTermination", "Functional termination condition met") : null;
    return {
      check: (delta) => {
        const answer = this.#func(delta);
        return typeof (answer as { then?: unknown })?.then === "function"
          ? Promise.resolve(answer).then(fired)
          : fired(answer as boolean);
      },
    };
  }
}

/**
 * Stopped from outside: `set(sessionId)` stops that session's run at its next check (after the
 * current turn), `set()` stops every run in progress. For example, an HTTP "stop" endpoint.
 */
export class ExternalTermination extends BaseTermination {
  readonly description = "external stop";
  readonly #active = new Map<symbol, { sessionId: string; stopped: boolean }>();

  constructor() {
    super();
    Object.freeze(this);
  }

  /** Stops the run of `sessionId`, or every run in progress. Returns how many runs it reached. */
  set(sessionId?: string): number {
    let reached = 0;
    for (const run of this.#active.values()) {
      if (sessionId === undefined || run.sessionId === sessionId) {
        run.stopped = true;
        reached += 1;
      }
    }
    return reached;
  }

  start(context: TerminationContext): ImmediateTerminationCheck {
    const key = Symbol(context.sessionId);
    const run = { sessionId: context.sessionId, stopped: false };
    this.#active.set(key, run);
    return {
      check: () => (run.stopped ? stop("ExternalTermination", "External termination requested") : null),
      dispose: () => this.#active.delete(key),
    };
  }
}
