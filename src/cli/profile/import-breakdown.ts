/** A V8 CPU profile, as `node --cpu-prof` writes it. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly url: string; readonly functionName: string };
  }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Which package a script URL belongs to: an npm package, hearth, Node itself, or the app. */
export function packageOf(url: string, hearthRoots: readonly string[]): string {
  if (url.startsWith("node:")) return "node (built-in)";
  const modules = url.lastIndexOf("/node_modules/");
  if (modules !== -1) {
    const parts = url.slice(modules + "/node_modules/".length).split("/");
    return parts[0]?.startsWith("@") === true ? `${parts[0]}/${parts[1] ?? ""}` : (parts[0] ?? url);
  }
  if (hearthRoots.some((root) => url.includes(root))) return "hearth";
  return "app";
}

/**
 * CPU time by package during the first `windowMs` of the profile: where the time of importing the
 * app went. Idle, garbage collection and the profiler's own bookkeeping are left out.
 */
export function importBreakdown(
  profile: CpuProfile,
  windowMs: number,
  hearthRoots: readonly string[],
): Record<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals: Record<string, number> = {};
  let elapsed = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    elapsed += (profile.timeDeltas[index] ?? 0) / 1000;
    if (elapsed > windowMs) break;
    const node = byId.get(profile.samples[index] as number);
    if (node === undefined) continue;
    const { url, functionName } = node.callFrame;
    if (url === "" && ["(idle)", "(program)", "(garbage collector)", "(root)"].includes(functionName)) continue;
    const owner = url === "" ? "node (built-in)" : packageOf(url, hearthRoots);
    totals[owner] = (totals[owner] ?? 0) + (profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0) / 1000;
  }
  return Object.fromEntries(
    Object.entries(totals)
      .map(([name, ms]) => [name, Math.round(ms * 100) / 100])
      .sort((a, b) => (b[1] as number) - (a[1] as number)),
  );
}
