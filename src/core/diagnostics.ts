import type { Channel } from "node:diagnostics_channel";
import type { RunContext } from "./run-context.ts";

/**
 * hearth's named diagnostics channels. Publishers check `hasSubscribers` first, so telemetry costs
 * nothing until something (metrics, request logs, a user's tracer) subscribes.
 *
 * - `hearth:model-call`: `{ durationMs, model?, errorCode? }` after each model call.
 * - `hearth:tool-call`: `{ tool, durationMs, isError, errorCode? }` after each tool call.
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

export interface ModelCallEvent {
  readonly durationMs: number;
  readonly errorCode?: string;
}

export interface ToolCallEvent {
  readonly tool: string;
  readonly durationMs: number;
  readonly isError: boolean;
  readonly errorCode?: string;
}

// A synthetic warm-up run's calls are not calls: telemetry never sees them, nor the request's log line.
export function publishModelCall(event: ModelCallEvent, run: RunContext): void {
  if (run.synthetic) return;
  run.measure?.("model", event.durationMs);
  const channel = diagnosticsChannel("hearth:model-call");
  if (channel.hasSubscribers) channel.publish(event);
}

export function publishToolCall(event: ToolCallEvent, run: RunContext): void {
  if (run.synthetic) return;
  run.measure?.("tool", event.durationMs);
  const channel = diagnosticsChannel("hearth:tool-call");
  if (channel.hasSubscribers) channel.publish(event);
}
