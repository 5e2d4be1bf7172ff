import type { ChildProcess } from "node:child_process";
import { UserError } from "../../core/errors.ts";
import type { StartupTraceJSON } from "../../runtime/startup-trace.ts";
import { importBreakdown, type CpuProfile } from "./import-breakdown.ts";

export interface ProfileOptions {
  /** The app module to serve. */
  readonly file: string;
  /** Cold starts to measure. Default 5. */
  readonly runs: number;
  /** The sample request each run sends. */
  readonly message: string;
  readonly agent?: string;
  /** Warm requests after the first, for the warm median. Default 10. */
  readonly warmRequests: number;
  /** Measure with the agents' tools taken away. */
  readonly noTools: boolean;
  /** Extra environment for the app (a model server's URL, say). */
  readonly env: Readonly<Record<string, string>>;
  /** One of the app's API keys, sent with every request: an app with keys answers none without one. */
  readonly apiKey?: string;
}

export interface RunMeasurement {
  readonly spawnToListeningMs: number;
  readonly spawnToReadyMs: number;
  readonly spawnToFirstReplyMs: number;
  readonly firstRequestMs: number;
  readonly warmMedianMs: number;
  readonly firstStatus: number;
  readonly firstErrorCode: string | undefined;
  readonly constructionsAfterReady: number;
  readonly rssMb: number | undefined;
  readonly trace: StartupTraceJSON;
  readonly imports: Record<string, number>;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface ProfileSummary {
  readonly app: string;
  readonly runs: number;
  readonly noTools: boolean;
  readonly node: string;
  readonly spawnToListeningMs: Spread;
  readonly spawnToReadyMs: Spread;
  readonly spawnToFirstReplyMs: Spread;
  readonly firstRequestMs: Spread;
  readonly warmMedianMs: Spread;
  /** The first request's latency over the warm median: 1 means no cold start at all. */
  readonly firstToWarmRatio: number;
  readonly rssMb: Spread | undefined;
  readonly constructionsAfterReady: number;
  readonly firstCallErrors: Readonly<Record<string, number>>;
  /** Median CPU ms by package while the app loaded. */
  readonly imports: Readonly<Record<string, number>>;
  /** The run closest to the median spawn-to-ready: its trace is the waterfall shown. */
  readonly trace: StartupTraceJSON;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const median =
    sorted.length % 2 === 1
      ? (sorted[(sorted.length - 1) / 2] as number)
      : ((sorted[sorted.length / 2 - 1] as number) + (sorted[sorted.length / 2] as number)) / 2;
  const round = (value: number) => Math.round(value * 100) / 100;
  return { median: round(median), min: round(sorted[0] ?? 0), max: round(sorted.at(-1) ?? 0) };
}

function residentMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = process.getBuiltinModule("node:fs").readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? Math.round((kb / 1024) * 10) / 10 : undefined;
  } catch {
    return undefined;
  }
}

// hearth's own code, wherever it is installed: this checkout's src/ and dist/.
const packageRoot = new URL("../../../", import.meta.url).pathname;
const hearthRoots = [`${packageRoot}src/`, `${packageRoot}dist/`, "/node_modules/hearth/"];

/** Spawns the app cold once, with `hearth serve`, and measures it from outside and from its trace. */
export async function profileOnce(options: ProfileOptions, profileDirectory: string): Promise<RunMeasurement> {
  const { spawn } = process.getBuiltinModule("node:child_process");
  const { readdirSync, readFileSync } = process.getBuiltinModule("node:fs");
  const { join } = process.getBuiltinModule("node:path");
  const cli = process.argv[1] as string;
  // Every run a true cold start: no compile cache left by the run before (nor by NODE_COMPILE_CACHE).
  const args = [
    ...process.execArgv,
    "--cpu-prof",
    "--cpu-prof-dir",
    profileDirectory,
    cli,
    "serve",
    options.file,
    "--port",
    "0",
    "--store",
    "memory",
    "--no-compile-cache",
    ...(options.noTools ? ["--no-tools"] : []),
  ];
  const { NODE_COMPILE_CACHE: _cache, ...inherited } = process.env;
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...inherited, ...options.env, HEARTH_LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let listeningAt: number | undefined;
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    stdout += chunk;
    if (listeningAt === undefined && stdout.includes('"msg":"listening"')) listeningAt = performance.now();
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
      const found = /ready on (http:\/\/\S+)/.exec(stderr)?.[1];
      if (found !== undefined) resolve(found);
    });
    void exited.then((code) => reject(new Error(`the app exited (${code}) before it was ready:\n${stderr}`)));
  });
  const readyAt = performance.now();
  const authorization: Record<string, string> =
    options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` };
  try {
    const send = async () => {
      const sent = performance.now();
      const response = await fetch(`${url}/v1/chat`, {
        method: "POST",
        headers: { "content-type": "application/json", ...authorization },
        body: JSON.stringify({
          message: options.message,
          ...(options.agent === undefined ? {} : { agent: options.agent }),
        }),
      });
      const body = (await response.json()) as { code?: string };
      return { status: response.status, code: body.code, ms: performance.now() - sent };
    };
    const first = await send();
    const firstReplyAt = performance.now();
    const warm: number[] = [];
    for (let index = 0; index < options.warmRequests; index++) warm.push((await send()).ms);
    const startup = await fetch(`${url}/v1/startup`, { headers: authorization });
    if (startup.status === 401)
      throw new UserError(
        options.apiKey === undefined
          ? "The app takes an API key: set HEARTH_API_KEY to one of its keys."
          : "The app does not know the key in HEARTH_API_KEY.",
        { field: "apiKey" },
      );
    const trace = (await startup.json()) as StartupTraceJSON;
    const metrics = await (await fetch(`${url}/metrics`, { headers: authorization })).text();
    const constructions = [...metrics.matchAll(/^hearth_constructions_after_ready_total\{[^}]*\} (\d+)/gm)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
    const rssMb = residentMb(child.pid);
    child.kill("SIGTERM");
    await exited;
    const profileFile = readdirSync(profileDirectory).find((name) => name.endsWith(".cpuprofile"));
    const loadEndMs = trace.phases.find((phase) => phase.name === "load");
    const imports =
      profileFile === undefined || loadEndMs === undefined
        ? {}
        : importBreakdown(
            JSON.parse(readFileSync(join(profileDirectory, profileFile), "utf8")) as CpuProfile,
            loadEndMs.startMs + loadEndMs.durationMs,
            hearthRoots,
          );
    return {
      spawnToListeningMs: (listeningAt ?? readyAt) - started,
      spawnToReadyMs: readyAt - started,
      spawnToFirstReplyMs: firstReplyAt - started,
      firstRequestMs: first.ms,
      warmMedianMs: spread(warm.length > 0 ? warm : [first.ms]).median,
      firstStatus: first.status,
      firstErrorCode: first.status === 200 ? undefined : first.code,
      constructionsAfterReady: constructions,
      rssMb,
      trace,
      imports,
    };
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

/**
 * The profiler's own HTTP client (fetch) is cold on its first request too, by several milliseconds:
 * warmed against a throwaway local server first, it does not add that to the first app it measures.
 */
async function warmOwnClient(): Promise<void> {
  const http = process.getBuiltinModule("node:http");
  const server = http.createServer((_request, response) => response.end("{}"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as { port: number };
    for (let index = 0; index < 20; index++) {
      await (
        await fetch(`http://127.0.0.1:${port}/`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        })
      ).text();
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** `runs` cold starts of the app, each in a fresh process, summarised as medians and spreads. */
export async function profileApp(options: ProfileOptions): Promise<ProfileSummary> {
  const { mkdtempSync, rmSync } = process.getBuiltinModule("node:fs");
  const { tmpdir } = process.getBuiltinModule("node:os");
  const { join } = process.getBuiltinModule("node:path");
  await warmOwnClient();
  const runs: RunMeasurement[] = [];
  for (let index = 0; index < options.runs; index++) {
    const directory = mkdtempSync(join(tmpdir(), "hearth-profile-"));
    try {
      runs.push(await profileOnce(options, directory));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }
  const ready = spread(runs.map((run) => run.spawnToReadyMs));
  const representative = [...runs].sort(
    (a, b) => Math.abs(a.spawnToReadyMs - ready.median) - Math.abs(b.spawnToReadyMs - ready.median),
  )[0] as RunMeasurement;
  const packages = new Set(runs.flatMap((run) => Object.keys(run.imports)));
  const imports = Object.fromEntries(
    [...packages]
      .map((name) => [name, spread(runs.map((run) => run.imports[name] ?? 0)).median] as const)
      .sort((a, b) => b[1] - a[1]),
  );
  const errors: Record<string, number> = {};
  for (const run of runs)
    if (run.firstErrorCode !== undefined) errors[run.firstErrorCode] = (errors[run.firstErrorCode] ?? 0) + 1;
  const first = spread(runs.map((run) => run.firstRequestMs));
  const warm = spread(runs.map((run) => run.warmMedianMs));
  const rss = runs.map((run) => run.rssMb).filter((value): value is number => value !== undefined);
  return {
    app: representative.trace.app,
    runs: runs.length,
    noTools: options.noTools,
    node: process.version,
    spawnToListeningMs: spread(runs.map((run) => run.spawnToListeningMs)),
    spawnToReadyMs: ready,
    spawnToFirstReplyMs: spread(runs.map((run) => run.spawnToFirstReplyMs)),
    firstRequestMs: first,
    warmMedianMs: warm,
    firstToWarmRatio: Math.round((first.median / Math.max(warm.median, 0.001)) * 100) / 100,
    rssMb: rss.length > 0 ? spread(rss) : undefined,
    constructionsAfterReady: Math.max(...runs.map((run) => run.constructionsAfterReady)),
    firstCallErrors: errors,
    imports,
    trace: representative.trace,
  };
}
