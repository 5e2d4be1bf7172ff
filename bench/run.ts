// npm run bench: the support agent served by hearth against a hand-written floor (node:http, a
// plain HTTP client, a hand-written tool loop) and against the seed's broken pattern, all against
// hearth's mock model server on loopback, in one run. Ratios, not absolute numbers, are the
// result: these machines are shared and noisy. `--check` exits 1 when hearth misses a target.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { startMockOpenAIServer } from "hearth/testing";
import { policyModel } from "../examples/mcp/policy-model.ts";
import { supportModel } from "../examples/support/support-model.ts";

const check = process.argv.includes("--check");
const coldRuns = Number(process.env.BENCH_COLD_RUNS ?? 15);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const node = process.execPath;
const question = JSON.stringify({ message: "Where is order A123?" });
const correct = /JD014600006281/;

const mock = await startMockOpenAIServer({ respond: supportModel });
const env = {
  ...process.env,
  OPENAI_BASE_URL: mock.url,
  OPENAI_API_KEY: "sk-bench",
  OPENAI_MODEL: "support-mock",
  HEARTH_LOG_LEVEL: "error",
};

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly startedAt: number;
  readonly readyAt: number;
}

// The support app built by `hearth build` (from the published bundle, as a user's project would),
// and served unbuilt by `hearth serve`: each says it is ready on stderr, as the command does.
const buildRoot = mkdtempSync(join(tmpdir(), "hearth-bench-build-"));
const hearthCli = new URL("../dist/cli/main.js", import.meta.url).pathname;
const supportAppFile = new URL("../examples/support/app.ts", import.meta.url).pathname;
await new Promise<void>((resolve, reject) =>
  spawn(node, [hearthCli, "build", supportAppFile, "--out", join(buildRoot, "built")], { stdio: "inherit" }).once(
    "exit",
    (code) => (code === 0 ? resolve() : reject(new Error(`hearth build exited ${code}`))),
  ),
);
const launches: Record<string, { readonly args: readonly string[]; readonly fromStderr: boolean }> = {
  built: { args: [join(buildRoot, "built/server.mjs"), "--port", "0", "--store", "memory"], fromStderr: true },
  serve: { args: [hearthCli, "serve", supportAppFile, "--port", "0", "--store", "memory"], fromStderr: true },
};

function start(app: string, extraEnv: Record<string, string | undefined> = {}): Promise<Running> {
  const startedAt = performance.now();
  const launch = launches[app] ?? { args: [new URL(`./apps/${app}.ts`, import.meta.url).pathname], fromStderr: false };
  const child = spawn(node, launch.args, {
    env: { ...env, ...extraEnv },
    stdio: ["ignore", "pipe", launch.fromStderr ? "pipe" : "inherit"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const read = (chunk: string) => {
      output += chunk;
      const url = (launch.fromStderr ? / ready on (\S+)/ : /READY (\S+)/).exec(output)?.[1];
      if (url !== undefined) resolve({ child, url, startedAt, readyAt: performance.now() });
    };
    const stream = launch.fromStderr ? child.stderr : child.stdout;
    stream?.setEncoding("utf8");
    stream?.on("data", read);
    child.on("exit", (code) => reject(new Error(`${app} exited (${code}) before it was ready`)));
  });
}

async function stop(running: Running): Promise<void> {
  const exited = new Promise((resolve) => running.child.once("exit", resolve));
  running.child.kill("SIGKILL");
  await exited;
}

async function chat(url: string, sent = question, expected = correct): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: sent,
  });
  const body = (await response.json()) as { reply?: string };
  if (response.status !== 200 || !expected.test(body.reply ?? ""))
    throw new Error(`wrong reply: ${response.status} ${JSON.stringify(body)}`);
  return performance.now() - started;
}

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
};
const median = (values: readonly number[]) => quantile(values, 0.5);
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** CPU time (user + system) of a process so far, in milliseconds, from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function rssMb(pid: number): number {
  return round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024, 1);
}

interface Cold {
  firstReply: number[];
  first: number[];
  warm: number[];
  /** One more request after 100 ms without traffic: what idleness alone costs on this machine. */
  afterIdle: number[];
}

const newCold = (): Cold => ({ firstReply: [], first: [], warm: [], afterIdle: [] });

async function coldRun(
  app: string,
  into: Cold,
  extraEnv: Record<string, string> = {},
  ask: (url: string) => Promise<number> = (url) => chat(url),
): Promise<void> {
  const running = await start(app, extraEnv);
  try {
    into.first.push(await ask(running.url));
    into.firstReply.push(performance.now() - running.startedAt);
    const warm: number[] = [];
    for (let index = 0; index < 10; index++) warm.push(await ask(running.url));
    into.warm.push(median(warm));
    await new Promise((resolve) => setTimeout(resolve, 100));
    into.afterIdle.push(await ask(running.url));
  } finally {
    await stop(running);
  }
}

async function steady(app: string, extraEnv: Record<string, string> = {}) {
  const running = await start(app, extraEnv);
  try {
    for (let index = 0; index < 20; index++) await chat(running.url);
    const latencies: number[] = [];
    for (let index = 0; index < 300; index++) latencies.push(await chat(running.url));
    const pid = running.child.pid as number;
    const cpuBefore = cpuMs(pid);
    const load = await autocannon({
      url: `${running.url}/v1/chat`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: question,
      connections: 32,
      duration: seconds,
    });
    const cpu = cpuMs(pid) - cpuBefore;
    const requests = load.requests.total;
    return {
      p50: round(quantile(latencies, 0.5)),
      p99: round(quantile(latencies, 0.99)),
      throughput: round(requests / seconds, 0),
      errors: load.errors + load.non2xx,
      cpuMsPerRequest: round(cpu / Math.max(requests, 1), 3),
      rssMb: rssMb(pid),
    };
  } finally {
    await stop(running);
  }
}

async function importCost(runs = 20): Promise<number> {
  const time = async (file: string) => {
    const samples: number[] = [];
    for (let index = 0; index < runs; index++) {
      const started = performance.now();
      await new Promise((resolve) =>
        spawn(node, [new URL(file, import.meta.url).pathname], { stdio: "ignore" }).once("exit", resolve),
      );
      samples.push(performance.now() - started);
    }
    return median(samples);
  };
  await time("./import/empty.mjs");
  return round((await time("./import/hearth.mjs")) - (await time("./import/empty.mjs")));
}

async function tenantBytes(): Promise<number> {
  const child = spawn(node, ["--expose-gc", new URL("./tenant-bytes.ts", import.meta.url).pathname, "500"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => (output += chunk));
  await new Promise((resolve) => child.once("exit", resolve));
  return (JSON.parse(output) as { perTenantBytes: number }).perTenantBytes;
}

console.error(
  `bench: ${coldRuns} cold runs each, ${seconds} s of load at 32 connections, Node ${process.version}, ${cpus().length} cores`,
);
// This process's own HTTP client is cold too: warm it first, or the first app measured pays for it.
for (let index = 0; index < 20; index++)
  await (await fetch(`${mock.url}/models`, { headers: { authorization: "Bearer sk-bench" } })).text();
const cold: Record<"hearth" | "floor" | "built" | "serve", Cold> = {
  hearth: newCold(),
  floor: newCold(),
  built: newCold(),
  serve: newCold(),
};
// `hearth serve` keeps Node's compile cache, as it does by default, in a folder of the bench's; the
// first run writes it.
const serveCache = { HEARTH_COMPILE_CACHE: join(buildRoot, "serve-cache") };
await coldRun("serve", newCold(), serveCache);
const coldApps = ["floor", "hearth", "built", "serve"] as const;
for (let index = 0; index < coldRuns; index++) {
  // Rotate, so drift in the machine's load falls on all alike.
  for (let offset = 0; offset < coldApps.length; offset++) {
    const app = coldApps[(index + offset) % coldApps.length] as (typeof coldApps)[number];
    await coldRun(app, cold[app], app === "serve" ? serveCache : {});
  }
}
// The same cold runs with Node's module compile cache, as `hearth serve` keeps it: each app gets its
// own cache directory, written by one run first (hearth's serve() and the floor flush it once they
// are ready), so every counted run starts from a primed cache.
const cacheRoot = mkdtempSync(join(tmpdir(), "hearth-bench-cache-"));
const cacheEnv = (app: string) => ({ NODE_COMPILE_CACHE: join(cacheRoot, app) });
const cached: Record<"hearth" | "floor", Cold> = { hearth: newCold(), floor: newCold() };
for (const app of ["floor", "hearth"] as const) await coldRun(app, newCold(), cacheEnv(app));
for (let index = 0; index < coldRuns; index++) {
  for (const app of index % 2 === 0 ? (["floor", "hearth"] as const) : (["hearth", "floor"] as const))
    await coldRun(app, cached[app], cacheEnv(app));
}
rmSync(cacheRoot, { recursive: true, force: true });
const steadyResults = { hearth: await steady("hearth"), floor: await steady("floor"), broken: await steady("broken") };
// Durable sessions: hearth on its default store (SQLite) against the floor with one durable SQLite
// write per turn (WAL, synchronous = FULL), each on a fresh file.
const durableRoot = mkdtempSync(join(tmpdir(), "hearth-bench-durable-"));
const durable = {
  floor: await steady("floor", { BENCH_DURABLE_DB: join(durableRoot, "floor.db") }),
  hearth: await steady("hearth", { BENCH_DURABLE_DB: join(durableRoot, "hearth.db") }),
};
rmSync(durableRoot, { recursive: true, force: true });

// The first request after a quiet spell longer than the provider keeps an idle connection, against
// a provider that behaves like one: HTTPS, a new connection costing 100 ms (DNS, TCP and TLS
// to a real provider cost 100-300 ms), quiet connections closed after 2 s. Providers keep theirs
// about a minute and keep-warm refreshes after 20 s by default; here both are scaled down alike.
const handshakeMs = 100;
const providerIdleMs = 2_000;
const idleRuns = Number(process.env.BENCH_IDLE_RUNS ?? 7);
const tlsMock = await startMockOpenAIServer({
  respond: supportModel,
  tls: true,
  connectionDelayMs: handshakeMs,
  idleTimeoutMs: providerIdleMs,
});
const certificateFile = join(mkdtempSync(join(tmpdir(), "hearth-bench-tls-")), "mock.pem");
writeFileSync(certificateFile, tlsMock.certificate ?? "");
const tlsEnv = { OPENAI_BASE_URL: tlsMock.url, NODE_EXTRA_CA_CERTS: certificateFile };
// The same provider keeping quiet connections open: what the quiet spell costs when no connection
// is lost (the machine's caches and scheduler), measured on the floor.
const keepingMock = await startMockOpenAIServer({
  respond: supportModel,
  tls: true,
  connectionDelayMs: handshakeMs,
  idleTimeoutMs: 600_000,
});

interface Idle {
  warm: number[];
  afterIdle: number[];
}

async function idleRun(app: string, into: Idle, extraEnv: Record<string, string> = {}): Promise<void> {
  const running = await start(app, { ...tlsEnv, ...extraEnv });
  try {
    const warm: number[] = [];
    for (let index = 0; index < 10; index++) warm.push(await chat(running.url));
    into.warm.push(median(warm));
    await new Promise((resolve) => setTimeout(resolve, providerIdleMs * 1.5));
    into.afterIdle.push(await chat(running.url));
  } finally {
    await stop(running);
  }
}

const idleApps = {
  floor: ["floor", {}],
  hearthKeepWarm: ["hearth", { BENCH_KEEP_WARM: String(providerIdleMs / 2) }],
  hearthNoKeepWarm: ["hearth", { BENCH_KEEP_WARM: "off" }],
  floorConnectionKept: ["floor", { OPENAI_BASE_URL: keepingMock.url }],
} as const;
const idle: Record<keyof typeof idleApps, Idle> = {
  floor: { warm: [], afterIdle: [] },
  hearthKeepWarm: { warm: [], afterIdle: [] },
  hearthNoKeepWarm: { warm: [], afterIdle: [] },
  floorConnectionKept: { warm: [], afterIdle: [] },
};
for (let index = 0; index < idleRuns; index++)
  for (const [name, [app, extraEnv]] of Object.entries(idleApps))
    await idleRun(app, idle[name as keyof typeof idleApps], extraEnv);
await tlsMock.close();
await keepingMock.close();
rmSync(join(certificateFile, ".."), { recursive: true, force: true });
const idleSummary = Object.fromEntries(
  Object.entries(idle).map(([name, runs]) => [
    name,
    {
      warmMedian: round(median(runs.warm)),
      afterIdleMedian: round(median(runs.afterIdle)),
      afterIdleToWarm: round(median(runs.afterIdle) / median(runs.warm)),
    },
  ]),
) as Record<keyof typeof idleApps, { warmMedian: number; afterIdleMedian: number; afterIdleToWarm: number }>;

// The first request that uses an MCP tool: the MCP example, its filesystem server spawned,
// initialised, its tools listed and one warm-up read made before ready, against its warm median.
const mcpRuns = Number(process.env.BENCH_MCP_RUNS ?? 7);
const policyMock = await startMockOpenAIServer({ respond: policyModel });
const refundQuestion = JSON.stringify({ message: "How do refunds work?" });
const askPolicy = (url: string) => chat(url, refundQuestion, /within 30 days of delivery/);
const mcpCold = newCold();
for (let index = 0; index < mcpRuns; index++)
  await coldRun("mcp", mcpCold, { OPENAI_BASE_URL: policyMock.url }, askPolicy);
await policyMock.close();

const importMs = await importCost();
const bytesPerTenant = await tenantBytes();
await mock.close();

const coldSummary = (runs: Cold) => ({
  spawnToFirstReplyMedian: round(median(runs.firstReply)),
  spawnToFirstReplyP90: round(quantile(runs.firstReply, 0.9)),
  firstRequestMedian: round(median(runs.first)),
  warmMedian: round(median(runs.warm)),
  firstToWarm: round(median(runs.first) / median(runs.warm)),
  afterIdleMedian: round(median(runs.afterIdle)),
  firstToAfterIdle: round(median(runs.first) / median(runs.afterIdle)),
});
const hearth = { ...coldSummary(cold.hearth), ...steadyResults.hearth };
const floor = { ...coldSummary(cold.floor), ...steadyResults.floor };
const mcp = { runs: mcpRuns, ...coldSummary(mcpCold) };
const built = coldSummary(cold.built);
const served = coldSummary(cold.serve);
rmSync(buildRoot, { recursive: true, force: true });
const cachedSummary = (app: "hearth" | "floor") => ({
  spawnToFirstReplyMedian: round(median(cached[app].firstReply)),
  spawnToFirstReplyP90: round(quantile(cached[app].firstReply, 0.9)),
  firstRequestMedian: round(median(cached[app].first)),
});
const withCompileCache = { hearth: cachedSummary("hearth"), floor: cachedSummary("floor") };
const targets = [
  {
    name: "spawn to first correct reply, hearth / floor",
    value: round(hearth.spawnToFirstReplyMedian / floor.spawnToFirstReplyMedian),
    limit: "<= 1.15",
    ok: hearth.spawnToFirstReplyMedian / floor.spawnToFirstReplyMedian <= 1.15,
  },
  {
    name: "spawn to first correct reply, the app built by hearth build / floor",
    value: round(built.spawnToFirstReplyMedian / floor.spawnToFirstReplyMedian),
    limit: "<= 1.0",
    ok: built.spawnToFirstReplyMedian / floor.spawnToFirstReplyMedian <= 1.0,
  },
  {
    name: "spawn to first correct reply, hearth serve app.ts (unbuilt) / floor",
    value: round(served.spawnToFirstReplyMedian / floor.spawnToFirstReplyMedian),
    limit: "<= 1.15",
    ok: served.spawnToFirstReplyMedian / floor.spawnToFirstReplyMedian <= 1.15,
  },
  {
    name: "hearth's first request / its warm median",
    value: hearth.firstToWarm,
    limit: "<= 1.2",
    ok: hearth.firstToWarm <= 1.2,
  },
  {
    name: "throughput, hearth / floor",
    value: round(hearth.throughput / floor.throughput),
    limit: ">= 0.8",
    ok: hearth.throughput / floor.throughput >= 0.8,
  },
  {
    name: "throughput with durable sessions, hearth (SQLite) / floor (one SQLite write per turn)",
    value: round(durable.hearth.throughput / durable.floor.throughput),
    limit: ">= 0.8",
    ok: durable.hearth.throughput / durable.floor.throughput >= 0.8,
  },
  {
    name: "warm p50 with durable sessions, hearth (SQLite) / floor (one SQLite write per turn)",
    value: round(durable.hearth.p50 / durable.floor.p50),
    limit: "<= 1.2",
    ok: durable.hearth.p50 / durable.floor.p50 <= 1.2,
  },
  {
    name: "after a quiet spell longer than the provider's idle timeout, hearth with keep-warm: first request / warm median",
    value: idleSummary.hearthKeepWarm.afterIdleToWarm,
    limit: "<= 1.2",
    ok: idleSummary.hearthKeepWarm.afterIdleToWarm <= 1.2,
  },
  {
    name: "first request that uses an MCP tool / its warm median",
    value: mcp.firstToWarm,
    limit: "<= 1.5",
    ok: mcp.firstToWarm <= 1.5,
  },
  { name: "hearth's import cost (ms over an empty module)", value: importMs, limit: "<= 15", ok: importMs <= 15 },
  { name: "bytes per cached tenant stack", value: bytesPerTenant, limit: "<= 51200", ok: bytesPerTenant <= 51_200 },
];
const result = {
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  cores: cpus().length,
  coldRuns,
  loadSeconds: seconds,
  hearth,
  floor,
  broken: steadyResults.broken,
  durable,
  withCompileCache,
  afterIdle: { handshakeMs, providerIdleMs, runs: idleRuns, ...idleSummary },
  mcp,
  built,
  served,
  importMs,
  bytesPerTenant,
  targets,
};

const row = (label: string, h: unknown, f: unknown, b: unknown = "") => `| ${label} | ${h} | ${f} | ${b} |`;
const markdown = [
  `Support agent, mock model on loopback; ${result.date}, Node ${result.node}, ${result.cores} cores; ${coldRuns} cold runs each, ${seconds} s at 32 connections. \`npm run bench\`.`,
  "",
  "| | hearth | floor (hand-written) | broken (built per request) |",
  "|---|---:|---:|---:|",
  row("spawn to first correct reply, median (ms)", hearth.spawnToFirstReplyMedian, floor.spawnToFirstReplyMedian),
  row("spawn to first correct reply, p90 (ms)", hearth.spawnToFirstReplyP90, floor.spawnToFirstReplyP90),
  row("first request (ms)", hearth.firstRequestMedian, floor.firstRequestMedian),
  row("warm request, median of each cold run (ms)", hearth.warmMedian, floor.warmMedian),
  row("first / warm", hearth.firstToWarm, floor.firstToWarm),
  row("warm request after 100 ms idle, median (ms)", hearth.afterIdleMedian, floor.afterIdleMedian),
  row("first / warm after idle", hearth.firstToAfterIdle, floor.firstToAfterIdle),
  row("warm p50 (ms)", hearth.p50, floor.p50, steadyResults.broken.p50),
  row("warm p99 (ms)", hearth.p99, floor.p99, steadyResults.broken.p99),
  row("throughput, 32 connections (req/s)", hearth.throughput, floor.throughput, steadyResults.broken.throughput),
  row("CPU per request (ms)", hearth.cpuMsPerRequest, floor.cpuMsPerRequest, steadyResults.broken.cpuMsPerRequest),
  row("resident memory after load (MB)", hearth.rssMb, floor.rssMb, steadyResults.broken.rssMb),
  row(
    "durable sessions (hearth: SQLite; floor: one SQLite write per turn): warm p50 (ms)",
    durable.hearth.p50,
    durable.floor.p50,
  ),
  row("durable sessions: warm p99 (ms)", durable.hearth.p99, durable.floor.p99),
  row("durable sessions: throughput, 32 connections (req/s)", durable.hearth.throughput, durable.floor.throughput),
  row("durable sessions: CPU per request (ms)", durable.hearth.cpuMsPerRequest, durable.floor.cpuMsPerRequest),
  row(
    "with Node's compile cache primed: spawn to first correct reply, median (ms)",
    withCompileCache.hearth.spawnToFirstReplyMedian,
    withCompileCache.floor.spawnToFirstReplyMedian,
  ),
  row(
    "with Node's compile cache primed: spawn to first correct reply, p90 (ms)",
    withCompileCache.hearth.spawnToFirstReplyP90,
    withCompileCache.floor.spawnToFirstReplyP90,
  ),
  row(
    "with Node's compile cache primed: first request (ms)",
    withCompileCache.hearth.firstRequestMedian,
    withCompileCache.floor.firstRequestMedian,
  ),
  "",
  "The same app started by its deployable forms: `hearth build` (one bundle with hearth, compile cache primed at build time, run by `node build/server.mjs`) and `hearth serve examples/support/app.ts` (TypeScript, Node's compile cache as `hearth serve` keeps it), in the same rotation as the above.",
  "",
  "| | hearth build | hearth serve app.ts | floor (hand-written) |",
  "|---|---:|---:|---:|",
  row(
    "spawn to first correct reply, median (ms)",
    built.spawnToFirstReplyMedian,
    served.spawnToFirstReplyMedian,
    floor.spawnToFirstReplyMedian,
  ),
  row(
    "spawn to first correct reply, p90 (ms)",
    built.spawnToFirstReplyP90,
    served.spawnToFirstReplyP90,
    floor.spawnToFirstReplyP90,
  ),
  row("first request (ms)", built.firstRequestMedian, served.firstRequestMedian, floor.firstRequestMedian),
  row("first / warm", built.firstToWarm, served.firstToWarm, floor.firstToWarm),
  row(
    "spawn to first correct reply / the floor's with its compile cache primed",
    round(built.spawnToFirstReplyMedian / withCompileCache.floor.spawnToFirstReplyMedian),
    round(served.spawnToFirstReplyMedian / withCompileCache.floor.spawnToFirstReplyMedian),
    1,
  ),
  "",
  `First request after ${(providerIdleMs * 1.5) / 1000} s without traffic, against the mock over HTTPS closing connections quiet for ${providerIdleMs / 1000} s, each new connection costing ${handshakeMs} ms; ${idleRuns} runs each (hearth's keep-warm refreshing after ${providerIdleMs / 2000} s, scaled down with the provider's timeout).`,
  "",
  "| | hearth, keep-warm on | hearth, keep-warm off | floor (hand-written) | floor, provider keeping its connection |",
  "|---|---:|---:|---:|---:|",
  ...(["warmMedian", "afterIdleMedian", "afterIdleToWarm"] as const).map(
    (key) =>
      `| ${{ warmMedian: "warm request, median (ms)", afterIdleMedian: "first request after the quiet spell, median (ms)", afterIdleToWarm: "after the quiet spell / warm" }[key]} | ${idleSummary.hearthKeepWarm[key]} | ${idleSummary.hearthNoKeepWarm[key]} | ${idleSummary.floor[key]} | ${idleSummary.floorConnectionKept[key]} |`,
  ),
  "",
  `The MCP example (its filesystem server over stdio, connected before ready), "How do refunds work?" (one MCP tool call, two model calls); ${mcpRuns} cold runs.`,
  "",
  "| | hearth with an MCP server |",
  "|---|---:|",
  `| spawn to first correct reply, median (ms) | ${mcp.spawnToFirstReplyMedian} |`,
  `| first request (ms) | ${mcp.firstRequestMedian} |`,
  `| warm request, median of each cold run (ms) | ${mcp.warmMedian} |`,
  `| first / warm | ${mcp.firstToWarm} |`,
  `| warm request after 100 ms idle, median (ms) | ${mcp.afterIdleMedian} |`,
  `| first / warm after idle | ${mcp.firstToAfterIdle} |`,
  "",
  "| target | measured | limit | |",
  "|---|---:|---:|---|",
  ...targets.map(
    (target) => `| ${target.name} | ${target.value} | ${target.limit} | ${target.ok ? "met" : "missed"} |`,
  ),
].join("\n");

mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(new URL("./results/latest.json", import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(new URL("./results/latest.md", import.meta.url), `${markdown}\n`);
console.log(markdown);
if (check && targets.some((target) => !target.ok)) process.exitCode = 1;
