import type { Channel } from "node:diagnostics_channel";
import { type ToolCall, type Usage, zeroUsage } from "./messages.ts";
import type { ModelMessage } from "./model-client.ts";
import type { Operation } from "./operations.ts";
import type { RunContext } from "./run-context.ts";

/**
 * hearth's named diagnostics channels. Publishers check `hasSubscribers` first, so telemetry costs
 * nothing until something (metrics, request logs, a user's tracer) subscribes.
 *
 * - `hearth:model-call`: a `ModelCallEvent` after each model call (the selector's included).
 * - `hearth:tool-call`: a `ToolCallEvent` after each tool call.
 * - `hearth:startup`, `hearth:step`: the startup trace's phases and steps.
 * - `hearth:construction`: a definition built while serving.
 * - `hearth:asset-reload`: a dev-mode asset reload.
 */
const channels = new Map<string, Channel>();

export function diagnosticsChannel(name: string): Channel {
  let channel = channels.get(name);
  if (channel === undefined) {
    channel = process.getBuiltinModule("node:diagnostics_channel").channel(name);
    channels.set(name, channel);
  }
  return channel;
}

/** One model call, as `hearth:model-call` publishes it once it has ended. Every field is present. */
export interface ModelCallEvent {
  readonly durationMs: number;
  /** Set when the call failed. */
  readonly errorCode: string | undefined;
  /** The model asked for (the client's `model`); "unknown" for a client without one (the provider's answer is `responseModel`: never a label, as a provider could name anything). */
  readonly model: string;
  /** The model the provider says answered, when it said. */
  readonly responseModel: string | undefined;
  /** Who called: the agent's name, or `<team>/selector` for a selector team's choice of speaker. */
  readonly caller: string;
  /** The provider's label (the client's `provider`: "openai", "azure.ai.openai"), when the client has one. */
  readonly provider: string | undefined;
  /** The agent turn or team run the call was made in, when a tracer listens (see operations.ts). */
  readonly parent: Operation | undefined;
  /** The messages sent (the request's own array, not a copy: read it, never change it). */
  readonly input: readonly ModelMessage[] | undefined;
  /** What the model answered, for a call that succeeded. */
  readonly output: { readonly content: string; readonly toolCalls: readonly ToolCall[] } | undefined;
  /** Tokens the provider reported (zero for a failed call). */
  readonly usage: Usage;
  readonly finishReason: string | undefined;
  readonly tenant: string | undefined;
  readonly sessionId: string | undefined;
  readonly requestId: string | undefined;
}

/** One tool call, as `hearth:tool-call` publishes it once it has ended. */
export interface ToolCallEvent {
  readonly tool: string;
  readonly durationMs: number;
  readonly isError: boolean;
  readonly errorCode: string | undefined;
  readonly callId: string;
  /** The agent turn the call was made in, when a tracer listens (see operations.ts). */
  readonly parent: Operation | undefined;
  readonly tenant: string | undefined;
  readonly sessionId: string | undefined;
  readonly requestId: string | undefined;
}

/** What a model call's publisher knows; the event is made from it only when something listens. */
export interface ModelCallFacts {
  readonly durationMs: number;
  readonly client: unknown;
  readonly caller: string;
  readonly request?: { readonly messages: readonly ModelMessage[] };
  readonly response?: {
    readonly usage: Usage;
    readonly model?: string | undefined;
    readonly finishReason?: string;
    readonly content: string;
    readonly toolCalls: readonly ToolCall[];
  };
  readonly errorCode?: string;
}

// A synthetic warm-up run's calls are not calls: telemetry never sees them, nor the request's log line.
export function publishModelCall(facts: ModelCallFacts, run: RunContext): void {
  if (run.synthetic) return;
  run.measure?.("model", facts.durationMs, facts.response?.usage);
  const channel = diagnosticsChannel("hearth:model-call");
  if (!channel.hasSubscribers) return;
  const { model: asked, provider } = (facts.client ?? {}) as { model?: unknown; provider?: unknown };
  const response = facts.response;
  const event: ModelCallEvent = {
    durationMs: facts.durationMs,
    errorCode: facts.errorCode,
    model: typeof asked === "string" ? asked : "unknown",
    responseModel: response?.model,
    caller: facts.caller,
    provider: typeof provider === "string" ? provider : undefined,
    parent: run.operation,
    input: facts.request?.messages,
    output: response === undefined ? undefined : { content: response.content, toolCalls: response.toolCalls },
    usage: response?.usage ?? zeroUsage,
    finishReason: response?.finishReason,
    tenant: run.tenant,
    sessionId: run.sessionId,
    requestId: run.requestId,
  };
  channel.publish(event);
}

/** What a tool call's publisher knows. */
export interface ToolCallFacts {
  readonly tool: string;
  readonly durationMs: number;
  readonly isError: boolean;
  readonly errorCode: string | undefined;
  readonly callId: string;
}

export function publishToolCall(facts: ToolCallFacts, run: RunContext): void {
  if (run.synthetic) return;
  run.measure?.("tool", facts.durationMs);
  const channel = diagnosticsChannel("hearth:tool-call");
  if (!channel.hasSubscribers) return;
  const event: ToolCallEvent = {
    tool: facts.tool,
    durationMs: facts.durationMs,
    isError: facts.isError,
    errorCode: facts.errorCode,
    callId: facts.callId,
    parent: run.operation,
    tenant: run.tenant,
    sessionId: run.sessionId,
    requestId: run.requestId,
  };
  channel.publish(event);
}
