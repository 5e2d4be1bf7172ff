import { diagnosticsChannel } from "../core/diagnostics.ts";
import { errorMessage } from "../internal/error-message.ts";
import type { LogEntry } from "../internal/log.ts";
import { redact } from "../internal/redact.ts";

export type PhaseName = "node" | "load" | "init" | "warm" | "ready";
export type StepKind =
  | "asset"
  | "resource"
  | "model"
  | "agent"
  | "team"
  | "tenant"
  | "warmup"
  | "synthetic"
  | "after-ready";

export interface TracePhase {
  readonly name: PhaseName;
  /** Milliseconds from the process's start (performance.timeOrigin). */
  readonly startMs: number;
  readonly durationMs: number;
}

export interface TraceStep {
  readonly phase: "init" | "warm" | "after-ready";
  readonly kind: StepKind;
  readonly name: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly status: "ok" | "failed" | "skipped";
  readonly attempts?: number;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface StartupTraceJSON {
  readonly app: string;
  readonly pid: number;
  readonly node: string;
  /** When the process started, ISO 8601. */
  readonly startedAt: string;
  /** Process start to ready, in milliseconds; undefined until ready. */
  readonly readyMs: number | undefined;
  readonly phases: readonly TracePhase[];
  readonly steps: readonly TraceStep[];
  /** The first request after ready, kept apart: it is the one a cold start hurts. */
  readonly firstRequest: { readonly startMs: number; readonly durationMs: number } | undefined;
}

const round = (value: number) => Math.round(value * 100) / 100;

/** An error as a trace step records it: its code (a HearthError's, or a system one) and its message, redacted. */
export function errorSummary(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown } | undefined)?.code;
  return { code: typeof code === "string" ? code : "ERROR", message: redact(errorMessage(error)) };
}

/**
 * The startup trace: every phase and step with its offset from the process's own start, so it adds
 * up to spawn-to-ready. Each entry is also published on `hearth:startup` (phases) and `hearth:step`
 * (steps), where nobody pays for it unless something subscribes.
 */
export class StartupTrace {
  readonly #app: string;
  readonly #phases: TracePhase[] = [];
  readonly #steps: TraceStep[] = [];
  #readyMs: number | undefined;
  #firstRequest: { startMs: number; durationMs: number } | undefined;

  constructor(app: string) {
    this.#app = app;
  }

  /** Node's own startup, from the process's start to the end of its bootstrap. */
  recordNode(): void {
    const bootstrap = performance.nodeTiming.bootstrapComplete;
    this.phase("node", 0, bootstrap);
  }

  phase(name: PhaseName, startMs: number, endMs: number): void {
    const entry: TracePhase = { name, startMs: round(startMs), durationMs: round(endMs - startMs) };
    this.#phases.push(entry);
    if (name === "ready") this.#readyMs = round(endMs);
    const channel = diagnosticsChannel("hearth:startup");
    if (channel.hasSubscribers) channel.publish({ app: this.#app, ...entry });
  }

  step(entry: Omit<TraceStep, "startMs" | "durationMs">, startMs: number, endMs: number): void {
    const step: TraceStep = { ...entry, startMs: round(startMs), durationMs: round(endMs - startMs) };
    this.#steps.push(step);
    const channel = diagnosticsChannel("hearth:step");
    if (channel.hasSubscribers) channel.publish({ app: this.#app, ...step });
  }

  /** Records a request's duration; only the first is kept here. Returns whether it was the first. */
  recordRequest(startMs: number, durationMs: number): boolean {
    if (this.#firstRequest !== undefined) return false;
    this.#firstRequest = { startMs: round(startMs), durationMs: round(durationMs) };
    return true;
  }

  get readyMs(): number | undefined {
    return this.#readyMs;
  }

  toJSON(): StartupTraceJSON {
    return {
      app: this.#app,
      pid: process.pid,
      node: process.version,
      startedAt: new Date(performance.timeOrigin).toISOString(),
      readyMs: this.#readyMs,
      phases: [...this.#phases],
      steps: [...this.#steps].sort((a, b) => a.startMs - b.startMs),
      firstRequest: this.#firstRequest,
    };
  }

  /** The one line logged at ready: the phases and the slowest steps. */
  summary(): LogEntry {
    const phases = Object.fromEntries(this.#phases.map((phase) => [phase.name, phase.durationMs]));
    const slowest = [...this.#steps]
      .sort((a, b) => b.durationMs - a.durationMs)
      .slice(0, 5)
      .map((step) => `${step.kind}:${step.name}=${step.durationMs}ms`);
    return { level: "info", msg: "hearth ready", app: this.#app, readyMs: this.#readyMs, phases, slowest };
  }
}
