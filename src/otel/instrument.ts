import * as otel from "@opentelemetry/api";
import type { Attributes, Context, Histogram, MeterProvider, Span, Tracer, TracerProvider } from "@opentelemetry/api";
import { diagnosticsChannel, type ModelCallEvent, type ToolCallEvent } from "../core/diagnostics.ts";
import type { ModelMessage } from "../core/model-client.ts";
import { clearTraceparentSource, type Operation, type OperationEnd, setTraceparentSource } from "../core/operations.ts";
import { redactValue } from "../internal/redact.ts";

type Api = typeof import("@opentelemetry/api");

export interface InstrumentOptions {
  /** Where spans go; default the global provider (`trace.getTracerProvider()`). */
  readonly tracerProvider?: TracerProvider;
  /**
   * Where the GenAI client metrics go (`gen_ai.client.token.usage`, `gen_ai.client.operation.duration`);
   * default the global provider (`metrics.getMeterProvider()`), which records nothing until an SDK registers one.
   */
  readonly meterProvider?: MeterProvider;
  /**
   * Record what was said on each `chat` span, as the conventions' opt-in has it
   * (`gen_ai.system_instructions`, `gen_ai.input.messages`, `gen_ai.output.messages`), after
   * hearth's redaction (known keys, secrets, key-shaped text). Default false: no content.
   */
  readonly captureContent?: boolean;
}

/** A phase or step of the startup trace, as `hearth:startup` and `hearth:step` publish them. */
interface StartupEntry {
  readonly app: string;
  readonly name: string;
  readonly phase?: string;
  readonly kind?: string;
  readonly status?: string;
  readonly startMs: number;
  readonly durationMs: number;
}

/** `performance.now()` milliseconds as the epoch milliseconds OpenTelemetry takes. */
const epochMs = (ms: number) => performance.timeOrigin + ms;

/**
 * Subscribes to hearth's diagnostics channels and turns what they publish into spans (and the
 * GenAI client metrics, token usage and call duration, per model call) in the
 * OpenTelemetry GenAI semantic conventions: `invoke_workflow {team}` per team run,
 * `invoke_agent {agent}` per agent turn, `chat {model}` per model call (a selector's choice of
 * speaker included), `execute_tool {tool}` per tool call, each under the one it ran in, and a
 * request's outermost span under the caller's `traceparent`. The startup trace becomes one
 * `hearth.startup` span with a child per phase and a grandchild per step, at their real times.
 * Returns a function that unsubscribes. Message content is recorded only with `captureContent`.
 *
 * Call it before the runtime starts (at the top of the app's module), so the startup is traced too.
 * `@opentelemetry/api` is an optional peer dependency, loaded with `hearth/otel`: an app that does
 * not import `hearth/otel` loads none of it.
 */
export function instrument(options: InstrumentOptions = {}): () => void {
  const api: Api = otel;
  const tracer: Tracer = (options.tracerProvider ?? api.trace.getTracerProvider()).getTracer("hearth");
  const meter = (options.meterProvider ?? api.metrics.getMeterProvider()).getMeter("hearth");
  // The bucket boundaries the GenAI conventions give (the SDK's defaults would put nearly every
  // call in the first bucket).
  const tokenUsage: Histogram = meter.createHistogram("gen_ai.client.token.usage", {
    description: "Tokens used by each model call, by type.",
    unit: "{token}",
    advice: { explicitBucketBoundaries: Array.from({ length: 14 }, (_, index) => 4 ** index) },
  });
  const callDuration: Histogram = meter.createHistogram("gen_ai.client.operation.duration", {
    description: "Duration of each model call.",
    unit: "s",
    advice: { explicitBucketBoundaries: Array.from({ length: 14 }, (_, index) => 0.01 * 2 ** index) },
  });
  const spans = new WeakMap<Operation, Span>();
  const parentOf = (operation: Operation | undefined): Context => {
    if (operation !== undefined) {
      const span = spans.get(operation);
      if (span !== undefined) return api.trace.setSpan(api.ROOT_CONTEXT, span);
    }
    return api.context.active();
  };
  const ids = (event: { tenant: string | undefined; sessionId: string | undefined; requestId: string | undefined }) => {
    const attributes: Attributes = {};
    if (event.sessionId !== undefined) attributes["gen_ai.conversation.id"] = event.sessionId;
    if (event.tenant !== undefined) attributes["hearth.tenant"] = event.tenant;
    if (event.requestId !== undefined) attributes["hearth.request.id"] = event.requestId;
    return attributes;
  };
  const failed = (span: Span, code: string | undefined) => {
    if (code === undefined) return;
    span.setAttribute("error.type", code);
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: code });
  };

  const onStart = (message: unknown) => {
    const operation = message as Operation;
    const parent =
      operation.parent === undefined && operation.traceparent !== undefined
        ? remoteParent(api, operation.traceparent)
        : parentOf(operation.parent);
    const name = operation.kind === "workflow" ? "invoke_workflow" : "invoke_agent";
    const span = tracer.startSpan(
      `${name} ${operation.name}`,
      {
        kind: api.SpanKind.INTERNAL,
        startTime: epochMs(operation.startMs),
        attributes: {
          "gen_ai.operation.name": name,
          [operation.kind === "workflow" ? "gen_ai.workflow.name" : "gen_ai.agent.name"]: operation.name,
          ...ids(operation),
        },
      },
      parent,
    );
    spans.set(operation, span);
  };
  const onEnd = (message: unknown) => {
    const end = message as OperationEnd;
    const span = spans.get(end.operation);
    if (span === undefined) return;
    if (end.usage !== undefined) {
      span.setAttribute("gen_ai.usage.input_tokens", end.usage.promptTokens);
      span.setAttribute("gen_ai.usage.output_tokens", end.usage.completionTokens);
    }
    failed(span, end.errorCode);
    span.end(epochMs(end.operation.startMs + end.durationMs));
  };
  const onModelCall = (message: unknown) => {
    const call = message as ModelCallEvent;
    const end = performance.now();
    const attributes: Attributes = {
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": call.model,
      // A selector team's choice of speaker is not an agent's call: its caller is `<team>/selector`.
      [call.caller.includes("/") ? "hearth.caller" : "gen_ai.agent.name"]: call.caller,
      ...ids(call),
    };
    if (call.errorCode === undefined) {
      attributes["gen_ai.usage.input_tokens"] = call.usage.promptTokens;
      attributes["gen_ai.usage.output_tokens"] = call.usage.completionTokens;
    }
    if (call.provider !== undefined) attributes["gen_ai.provider.name"] = call.provider;
    if (call.responseModel !== undefined) attributes["gen_ai.response.model"] = call.responseModel;
    if (call.finishReason !== undefined) attributes["gen_ai.response.finish_reasons"] = [call.finishReason];
    const span = tracer.startSpan(
      `chat ${call.model}`,
      { kind: api.SpanKind.CLIENT, startTime: epochMs(end - call.durationMs), attributes },
      parentOf(call.parent),
    );
    // Content is serialised and redacted only for a span that is kept.
    if (options.captureContent === true && span.isRecording()) span.setAttributes(contentAttributes(call));
    failed(span, call.errorCode);
    span.end(epochMs(end));
    const measured: Attributes = { "gen_ai.operation.name": "chat", "gen_ai.request.model": call.model };
    if (call.provider !== undefined) measured["gen_ai.provider.name"] = call.provider;
    if (call.responseModel !== undefined) measured["gen_ai.response.model"] = call.responseModel;
    callDuration.record(
      call.durationMs / 1000,
      call.errorCode === undefined ? measured : { ...measured, "error.type": call.errorCode },
    );
    if (call.usage.promptTokens > 0)
      tokenUsage.record(call.usage.promptTokens, { ...measured, "gen_ai.token.type": "input" });
    if (call.usage.completionTokens > 0)
      tokenUsage.record(call.usage.completionTokens, { ...measured, "gen_ai.token.type": "output" });
  };
  const onToolCall = (message: unknown) => {
    const call = message as ToolCallEvent;
    const end = performance.now();
    // The model chooses a tool's name: one no agent has is not put in a span's name.
    const tool = call.errorCode === "HEARTH_TOOL_UNKNOWN" ? "_unknown" : call.tool;
    const span = tracer.startSpan(
      `execute_tool ${tool}`,
      {
        kind: api.SpanKind.INTERNAL,
        startTime: epochMs(end - call.durationMs),
        attributes: {
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": tool,
          "gen_ai.tool.call.id": call.callId,
          ...ids(call),
        },
      },
      parentOf(call.parent),
    );
    failed(span, call.isError ? (call.errorCode ?? "HEARTH_TOOL_FAILED") : undefined);
    span.end(epochMs(end));
  };

  // Startup: phases and steps are collected as they are published; at ready they become spans.
  const phases: StartupEntry[] = [];
  const steps: StartupEntry[] = [];
  // Steps after ready (work the app does once serving) are not part of startup: dropped.
  let collecting = true;
  const onPhase = (message: unknown) => {
    const phase = message as StartupEntry;
    if (phase.name === "node") collecting = true;
    if (!collecting) return;
    phases.push(phase);
    if (phase.name === "ready") {
      collecting = false;
      emitStartup(api, tracer, phases.splice(0), steps.splice(0));
    }
  };
  const onStep = (message: unknown) => {
    if (collecting) steps.push(message as StartupEntry);
  };

  const subscriptions: [string, (message: unknown) => void][] = [
    ["hearth:operation-start", onStart],
    ["hearth:operation-end", onEnd],
    ["hearth:model-call", onModelCall],
    ["hearth:tool-call", onToolCall],
    ["hearth:startup", onPhase],
    ["hearth:step", onStep],
  ];
  for (const [name, listener] of subscriptions) diagnosticsChannel(name).subscribe(listener);
  // Provider calls made inside an agent turn carry its span, so the provider's own traces join ours.
  const traceparentOf = (operation: Operation) => {
    const span = spans.get(operation);
    // No SDK, or a no-op tracer: its spans have no real ids, and none is sent.
    if (span === undefined || !api.trace.isSpanContextValid(span.spanContext())) return undefined;
    const { traceId, spanId, traceFlags } = span.spanContext();
    return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, "0")}`;
  };
  setTraceparentSource(traceparentOf);
  return () => {
    for (const [name, listener] of subscriptions) diagnosticsChannel(name).unsubscribe(listener);
    clearTraceparentSource(traceparentOf);
  };
}

/** A message's parts, in the shape the GenAI conventions give them. */
function parts(message: ModelMessage): Record<string, unknown>[] {
  switch (message.role) {
    case "system":
      return [{ type: "text", content: message.content }];
    case "user":
      return typeof message.content === "string"
        ? [{ type: "text", content: message.content }]
        : message.content.map((part) =>
            part.type === "text"
              ? { type: "text", content: part.text }
              : { type: "uri", uri: part.url, modality: "image" },
          );
    case "assistant":
      return [
        ...(message.content === "" ? [] : [{ type: "text", content: message.content }]),
        ...(message.toolCalls ?? []).map((call) => ({
          type: "tool_call",
          id: call.id,
          name: call.name,
          arguments: call.arguments,
        })),
      ];
    case "tool":
      return message.results.map((result) => ({
        type: "tool_call_response",
        id: result.callId,
        response: result.content,
      }));
  }
}

/** What was said in a model call, redacted, as the conventions' opt-in content attributes. */
function contentAttributes(call: ModelCallEvent): Attributes {
  // Redacted before serialising: JSON escaping could hide a secret with a quote in it from the redactor.
  const json = (value: unknown) => JSON.stringify(redactValue(value));
  const attributes: Attributes = {};
  const input = call.input ?? [];
  const system = input.filter((message) => message.role === "system");
  if (system.length > 0) attributes["gen_ai.system_instructions"] = json(system.flatMap(parts));
  attributes["gen_ai.input.messages"] = json(
    input
      .filter((message) => message.role !== "system")
      .map((message) => ({ role: message.role, parts: parts(message) })),
  );
  if (call.output !== undefined)
    attributes["gen_ai.output.messages"] = json([
      {
        role: "assistant",
        parts: parts({ role: "assistant", content: call.output.content, toolCalls: call.output.toolCalls }),
        ...(call.finishReason === undefined ? {} : { finish_reason: call.finishReason }),
      },
    ]);
  return attributes;
}

/** The caller's span, from its `traceparent`, as the parent of a request's outermost span. */
function remoteParent(api: Api, traceparent: string): Context {
  const [, traceId, spanId, flags] = traceparent.split("-") as [string, string, string, string];
  return api.trace.setSpanContext(api.ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16),
    isRemote: true,
  });
}

/** One `hearth.startup` span from the process's start to ready, a child per phase, and each step under its phase. */
function emitStartup(api: Api, tracer: Tracer, phases: StartupEntry[], steps: StartupEntry[]): void {
  const first = phases[0];
  const ready = phases.at(-1);
  if (first === undefined || ready === undefined) return;
  const root = tracer.startSpan(
    "hearth.startup",
    { startTime: epochMs(first.startMs), attributes: { "hearth.app": first.app } },
    api.ROOT_CONTEXT,
  );
  const rootContext = api.trace.setSpan(api.ROOT_CONTEXT, root);
  const phaseSpans = new Map<string, Context>();
  for (const phase of phases) {
    if (phase.name === "ready") continue;
    const span = tracer.startSpan(
      `hearth.startup.${phase.name}`,
      { startTime: epochMs(phase.startMs), attributes: { "hearth.phase": phase.name } },
      rootContext,
    );
    span.end(epochMs(phase.startMs + phase.durationMs));
    phaseSpans.set(phase.name, api.trace.setSpan(api.ROOT_CONTEXT, span));
  }
  for (const step of steps) {
    const span = tracer.startSpan(
      `${step.kind}:${step.name}`,
      {
        startTime: epochMs(step.startMs),
        attributes: {
          "hearth.phase": step.phase ?? "",
          "hearth.step.kind": step.kind ?? "",
          "hearth.step.name": step.name,
          "hearth.step.status": step.status ?? "",
        },
      },
      phaseSpans.get(step.phase ?? "") ?? rootContext,
    );
    if (step.status === "failed") span.setStatus({ code: api.SpanStatusCode.ERROR });
    span.end(epochMs(step.startMs + step.durationMs));
  }
  root.end(epochMs(ready.startMs));
}
