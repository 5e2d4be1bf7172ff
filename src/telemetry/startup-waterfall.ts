import type { StartupTraceJSON } from "../runtime/startup-trace.ts";

export interface Bar {
  readonly label: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly kind: string;
}

/** Phases, then steps, as bars on one time axis from the process's start. */
export function waterfallBars(trace: StartupTraceJSON): Bar[] {
  return [
    ...trace.phases
      .filter((phase) => phase.name !== "ready")
      .map((phase) => ({ label: phase.name, startMs: phase.startMs, durationMs: phase.durationMs, kind: "phase" })),
    ...trace.steps
      .filter((step) => step.phase !== "after-ready")
      .map((step) => ({
        label: `${step.kind}:${step.name}`,
        startMs: step.startMs,
        durationMs: step.durationMs,
        kind: step.status === "ok" ? "step" : "failed",
      })),
  ];
}

export const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The startup waterfall as an SVG drawing: phases and steps on one time axis, no script. */
export function waterfallSvg(trace: StartupTraceJSON): string {
  const bars = waterfallBars(trace);
  const total = Math.max(trace.readyMs ?? 0, ...bars.map((bar) => bar.startMs + bar.durationMs), 1);
  const left = 230;
  const plot = 620;
  const row = 22;
  const height = bars.length * row + 40;
  const x = (ms: number) => left + (ms / total) * plot;
  const ticks = Array.from({ length: 6 }, (_, index) => (total / 5) * index);
  const colour = (kind: string) => (kind === "phase" ? "#3b6ea8" : kind === "failed" ? "#c0392b" : "#e08e2b");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + plot + 90}" height="${height}" viewBox="0 0 ${left + plot + 90} ${height}" role="img" aria-label="startup waterfall">
${ticks.map((tick) => `<line x1="${x(tick)}" y1="10" x2="${x(tick)}" y2="${height - 20}" stroke="#ddd"/><text x="${x(tick)}" y="${height - 5}" font-size="11" text-anchor="middle">${tick.toFixed(0)} ms</text>`).join("\n")}
${bars
  .map((bar, index) => {
    const y = 12 + index * row;
    return `<text x="${left - 8}" y="${y + 14}" font-size="12" text-anchor="end">${escapeHtml(bar.label)}</text><rect x="${x(bar.startMs)}" y="${y}" width="${Math.max(1.5, (bar.durationMs / total) * plot)}" height="16" fill="${colour(bar.kind)}"><title>${escapeHtml(bar.label)}: ${bar.startMs} + ${bar.durationMs} ms</title></rect><text x="${x(bar.startMs + bar.durationMs) + 4}" y="${y + 13}" font-size="11" fill="#555">${bar.durationMs.toFixed(1)}</text>`;
  })
  .join("\n")}
</svg>`;
}
