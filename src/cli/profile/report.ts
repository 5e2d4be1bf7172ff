import { escapeHtml, waterfallBars, waterfallSvg } from "../../telemetry/startup-waterfall.ts";
import type { ProfileSummary, Spread } from "./run-profile.ts";

const spreadText = (value: Spread) => `${value.median.toFixed(1)} ms (${value.min.toFixed(1)}-${value.max.toFixed(1)})`;

/** The report for a terminal: the figures, a waterfall drawn with blocks, the import breakdown. */
export function textReport(summary: ProfileSummary, noTools?: ProfileSummary, width = 48): string {
  const lines: string[] = [];
  const column = (label: string, value: string, other?: string) =>
    lines.push(`  ${label.padEnd(28)} ${value.padEnd(28)}${other === undefined ? "" : ` ${other}`}`);
  lines.push(
    `hearth profile: ${summary.app}, ${summary.runs} cold start${summary.runs === 1 ? "" : "s"} (median, min-max), Node ${summary.node}`,
  );
  lines.push("");
  if (noTools !== undefined) column("", "with tools", "without tools");
  column(
    "spawn to listening",
    spreadText(summary.spawnToListeningMs),
    noTools === undefined ? undefined : spreadText(noTools.spawnToListeningMs),
  );
  column(
    "spawn to ready",
    spreadText(summary.spawnToReadyMs),
    noTools === undefined ? undefined : spreadText(noTools.spawnToReadyMs),
  );
  column(
    "spawn to first reply",
    spreadText(summary.spawnToFirstReplyMs),
    noTools === undefined ? undefined : spreadText(noTools.spawnToFirstReplyMs),
  );
  column(
    "first request",
    spreadText(summary.firstRequestMs),
    noTools === undefined ? undefined : spreadText(noTools.firstRequestMs),
  );
  column(
    "warm request (median)",
    spreadText(summary.warmMedianMs),
    noTools === undefined ? undefined : spreadText(noTools.warmMedianMs),
  );
  column(
    "first / warm",
    `${summary.firstToWarmRatio}x`,
    noTools === undefined ? undefined : `${noTools.firstToWarmRatio}x`,
  );
  if (summary.rssMb !== undefined)
    column(
      "resident memory",
      `${summary.rssMb.median} MB`,
      noTools?.rssMb === undefined ? undefined : `${noTools.rssMb.median} MB`,
    );
  column(
    "constructions after ready",
    String(summary.constructionsAfterReady),
    noTools === undefined ? undefined : String(noTools.constructionsAfterReady),
  );
  const errors = Object.entries(summary.firstCallErrors);
  column(
    "first-call errors",
    errors.length === 0 ? "none" : errors.map(([code, count]) => `${code} x${count}`).join(", "),
  );
  lines.push("");
  const bars = waterfallBars(summary.trace);
  const total = Math.max(summary.trace.readyMs ?? 0, ...bars.map((bar) => bar.startMs + bar.durationMs), 1);
  lines.push(`startup waterfall (the run closest to the median; ready at ${summary.trace.readyMs} ms)`);
  for (const bar of bars) {
    const start = Math.round((bar.startMs / total) * width);
    const length = Math.max(1, Math.round((bar.durationMs / total) * width));
    const drawn =
      `${" ".repeat(start)}${(bar.kind === "phase" ? "█" : bar.kind === "failed" ? "x" : "▒").repeat(length)}`.padEnd(
        width + 1,
      );
    lines.push(
      `  ${bar.label.slice(0, 34).padEnd(34)} ${drawn} ${bar.startMs.toFixed(1).padStart(7)} +${bar.durationMs.toFixed(1)} ms`,
    );
  }
  lines.push("");
  lines.push("CPU time while loading, by package (median ms)");
  for (const [name, ms] of Object.entries(summary.imports).slice(0, 10))
    lines.push(`  ${name.padEnd(34)} ${ms.toFixed(1).padStart(7)} ms`);
  if ("node (built-in)" in summary.imports) lines.push(`  ${builtInNote}`);
  return `${lines.join("\n")}\n`;
}

const builtInNote =
  "node (built-in): Node's own modules, the module loader resolving and linking imports, type stripping and V8 compiling what loads; it grows with the number of files loaded (see docs/ci.md).";

function barChartSvg(entries: readonly [string, number][], unit: string): string {
  const max = Math.max(...entries.map(([, value]) => value), 1);
  const left = 230;
  const plot = 520;
  const row = 22;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + plot + 90}" height="${entries.length * row + 12}" role="img">
${entries
  .map(([label, value], index) => {
    const y = 6 + index * row;
    return `<text x="${left - 8}" y="${y + 13}" font-size="12" text-anchor="end">${escapeHtml(label)}</text><rect x="${left}" y="${y}" width="${Math.max(1.5, (value / max) * plot)}" height="16" fill="#3b6ea8"/><text x="${left + (value / max) * plot + 4}" y="${y + 13}" font-size="11" fill="#555">${value.toFixed(1)} ${unit}</text>`;
  })
  .join("\n")}
</svg>`;
}

/** A self-contained HTML report: figures, an SVG waterfall, and charts. No script, no external file. */
export function htmlReport(summary: ProfileSummary, noTools?: ProfileSummary): string {
  const rows: [string, string, string | undefined][] = [
    [
      "spawn to listening",
      spreadText(summary.spawnToListeningMs),
      noTools === undefined ? undefined : spreadText(noTools.spawnToListeningMs),
    ],
    [
      "spawn to ready",
      spreadText(summary.spawnToReadyMs),
      noTools === undefined ? undefined : spreadText(noTools.spawnToReadyMs),
    ],
    [
      "spawn to first reply",
      spreadText(summary.spawnToFirstReplyMs),
      noTools === undefined ? undefined : spreadText(noTools.spawnToFirstReplyMs),
    ],
    [
      "first request",
      spreadText(summary.firstRequestMs),
      noTools === undefined ? undefined : spreadText(noTools.firstRequestMs),
    ],
    [
      "warm request (median)",
      spreadText(summary.warmMedianMs),
      noTools === undefined ? undefined : spreadText(noTools.warmMedianMs),
    ],
    [
      "first / warm",
      `${summary.firstToWarmRatio}x`,
      noTools === undefined ? undefined : `${noTools.firstToWarmRatio}x`,
    ],
    [
      "resident memory",
      summary.rssMb === undefined ? "n/a" : `${summary.rssMb.median} MB`,
      noTools?.rssMb === undefined ? undefined : `${noTools.rssMb.median} MB`,
    ],
    [
      "constructions after ready",
      String(summary.constructionsAfterReady),
      noTools === undefined ? undefined : String(noTools.constructionsAfterReady),
    ],
  ];
  const latency: [string, number][] = [
    ["first request", summary.firstRequestMs.median],
    ["warm request", summary.warmMedianMs.median],
    ...(noTools === undefined
      ? []
      : ([
          ["first, no tools", noTools.firstRequestMs.median],
          ["warm, no tools", noTools.warmMedianMs.median],
        ] as [string, number][])),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hearth profile: ${escapeHtml(summary.app)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{padding:4px 12px;border-bottom:1px solid #eee;text-align:left}h2{margin-top:28px}</style>
</head><body>
<h1>hearth profile: ${escapeHtml(summary.app)}</h1>
<p>${summary.runs} cold starts, each in a fresh process (median, min-max). Node ${escapeHtml(summary.node)}. Ready at ${summary.trace.readyMs} ms in the run shown.</p>
<table><tr><th></th><th>with tools</th>${noTools === undefined ? "" : "<th>without tools</th>"}</tr>
${rows.map(([label, value, other]) => `<tr><td>${escapeHtml(label)}</td><td>${escapeHtml(value)}</td>${noTools === undefined ? "" : `<td>${escapeHtml(other ?? "")}</td>`}</tr>`).join("\n")}
</table>
<h2>Startup waterfall</h2>
${waterfallSvg(summary.trace)}
<h2>First request against warm</h2>
${barChartSvg(latency, "ms")}
<h2>CPU time while loading, by package</h2>
${barChartSvg(Object.entries(summary.imports).slice(0, 10), "ms")}
<p>${escapeHtml(builtInNote)}</p>
</body></html>
`;
}
