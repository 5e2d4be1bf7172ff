// A rolling restart under steady load: `hearth serve --workers 2` on this app, 100 chats a second,
// and SIGHUP (the reload a deploy sends) a few times. Promised: no
// failed request, no refused connection, and the p99 of chats sent during a reload (from the
// signal until the old workers are gone) at most 1.5x the steady p99.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockOpenAIServer } from "hearth/testing";
import { chat, listed, markdownTable, type Outcome, quantile, round, type Scenario, short, sleep, tally } from "../support.ts";

const rate = 100;
const reloads = short ? 1 : 3;
const steadyMs = short ? 3_000 : 10_000;

// `hearth serve` from wherever `hearth` resolves: hearth's sources in the tests, the build in npm run chaos.
const cli = new URL(import.meta.resolve("hearth/cli").replace(/index\.(ts|js)$/, "main.$1"));
const definition = new URL("../apps/definition.ts", import.meta.url).pathname;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

interface Timed extends Outcome {
  readonly at: number;
}

export const reload: Scenario = {
  name: "reload",
  title: "Rolling restart under load",
  async run() {
    const mock = await startMockOpenAIServer({ latencyMs: 20 });
    const cache = mkdtempSync(join(tmpdir(), "hearth-chaos-reload-"));
    const child: ChildProcess = spawn(
      process.execPath,
      [...process.execArgv, cli.pathname, "serve", definition, "--workers", "2", "--port", "0", "--store", "memory"],
      {
        env: { ...process.env, OPENAI_BASE_URL: mock.url, HEARTH_LOG_LEVEL: "warn", HEARTH_COMPILE_CACHE: cache },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => (stderr += chunk));
    const workers = () => [...stderr.matchAll(/ready on \S+ \(worker (\d+)\)/g)].map((match) => Number(match[1]));
    const broken: string[] = [];
    try {
      await until("two workers", () => workers().length === 2);
      const url = /ready on (http:\/\/\S+)/.exec(stderr)?.[1] as string;
      const started = performance.now();
      const now = () => performance.now() - started;
      const outcomes: Timed[] = [];
      let running = true;
      // An open loop at a steady rate, well under what the two workers sustain (a server with
      // headroom, as one is run): a reload's cost shows as latency, not as a longer queue.
      const pending: Promise<void>[] = [];
      const load = (async () => {
        for (let sent = 0; running; await sleep(5)) {
          const due = Math.floor((now() / 1000) * rate);
          for (; sent < due; sent++) {
            const at = now();
            pending.push(chat(url).then((outcome) => void outcomes.push({ ...outcome, at })));
          }
        }
        await Promise.all(pending);
      })();
      // Windows of the reloads: from the signal until the old workers are gone.
      const windows: [number, number][] = [];
      await sleep(steadyMs);
      for (let round = 1; round <= reloads; round++) {
        const old = workers().slice(-2);
        const from = now();
        child.kill("SIGHUP");
        await until("the new workers", () => workers().length === 2 * (round + 1));
        await until("the old workers to leave", () => old.every((pid) => !alive(pid)));
        windows.push([from, now()]);
        await sleep(steadyMs);
      }
      running = false;
      await load;
      const inReload = (outcome: Timed) => windows.some(([from, to]) => outcome.at >= from && outcome.at <= to);
      const steady = outcomes.filter((outcome) => !inReload(outcome));
      const during = outcomes.filter(inReload);
      const failures = outcomes.filter((outcome) => outcome.status !== 200);
      const refused = failures.filter((outcome) => outcome.status === "error").length;
      const ms = (list: readonly Timed[]) => list.map((outcome) => outcome.ms);
      const ratio = quantile(ms(during), 0.99) / quantile(ms(steady), 0.99);
      const row = (label: string, list: readonly Timed[]) => [
        label,
        list.length,
        list.filter((outcome) => outcome.status !== 200).length,
        round(quantile(ms(list), 0.5)),
        round(quantile(ms(list), 0.99)),
      ];
      if (failures.length > 0)
        broken.push(`${failures.length} chats failed (${listed(tally(failures.map((outcome) => String(outcome.status))))})`);
      if (refused > 0) broken.push(`${refused} connections were refused or reset`);
      // The latency target is a figure of the full run; the short one has too few chats in its one window.
      if (!short && ratio > 1.5) broken.push(`the p99 during reloads was ${round(ratio)}x steady (target 1.5x)`);
      const seconds = windows.map(([from, to]) => round((to - from) / 1000));
      return {
        setup: `\`hearth serve --workers 2\` on the chaos app (a provider answering in 20 ms), ${rate} chats a second (an open loop), SIGHUP ${reloads} time(s), ${steadyMs / 1000} s apart. A reload, from the signal until both old workers are gone, took ${seconds.join(", ")} s. Failed chats: ${failures.length}; refused or reset connections: ${refused}; p99 during reloads / steady: ${round(ratio)}x.`,
        table: markdownTable(
          ["chats", "sent", "failed", "p50 (ms)", "p99 (ms)"],
          [row("steady", steady), row("during a reload", during)],
        ),
        broken,
      };
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(15_000).then(() => child.kill("SIGKILL"))]);
      await mock.close();
      rmSync(cache, { recursive: true, force: true });
    }
  },
};
