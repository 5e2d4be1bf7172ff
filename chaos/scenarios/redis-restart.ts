// Redis stopped and restarted under load: two hearth instances on one Redis, conversations sending
// each turn to either instance, Redis killed (SIGKILL) for a few seconds, then started again on
// the same port and files. Redis keeps its data as its operators configure it; here with the
// append-only file synced at every write (appendfsync always), so a kill loses nothing Redis
// acknowledged. Promised: during the outage every turn is answered 503 with Retry-After, quickly;
// after, both instances recover by themselves; no acknowledged turn is lost.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockOpenAIServer } from "hearth/testing";
import {
  auditSessions,
  type Conversation,
  chat,
  freePort,
  listed,
  markdownTable,
  type Outcome,
  quantile,
  round,
  type Running,
  type Scenario,
  short,
  sleep,
  startApp,
  stopApp,
  tally,
} from "../support.ts";

const conversations = 32;
const steadyMs = short ? 2_000 : 5_000;
const outageMs = short ? 2_000 : 5_000;
const afterMs = short ? 2_000 : 5_000;

function startRedis(port: number, directory: string): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", directory, "--save", ""]
      .concat(["--appendonly", "yes", "--appendfsync", "always"]),
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) resolve(child);
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

interface Timed extends Outcome {
  readonly at: number;
  readonly instance: number;
}

export const redisRestart: Scenario = {
  name: "redis-restart",
  title: "Redis stopped and restarted under load",
  async run() {
    const { spawnSync } = await import("node:child_process");
    if (spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status !== 0)
      return { setup: "", table: "", broken: [], skipped: "redis-server is not installed (apt-get install redis-server)" };
    const directory = mkdtempSync(join(tmpdir(), "hearth-chaos-redis-"));
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const mock = await startMockOpenAIServer({ latencyMs: 20 });
    let redis = await startRedis(port, directory);
    const instances: Running[] = [];
    const broken: string[] = [];
    try {
      for (let index = 0; index < 2; index++)
        instances.push(await startApp({ OPENAI_BASE_URL: mock.url, CHAOS_STORE: `redis:${url}` }));
      const started = performance.now();
      const now = () => performance.now() - started;
      const outcomes: Timed[] = [];
      const states: Conversation[] = Array.from({ length: conversations }, () => ({
        acknowledged: [],
        failed: [],
        unsure: [],
      }));
      let stoppedAt = Number.NaN;
      let restartedAt = Number.NaN;
      const end = steadyMs + outageMs + afterMs;
      const load = Promise.all(
        states.map(async (state, index) => {
          for (let turn = 0; now() < end; turn++) {
            const instance = (index + turn) % 2;
            const message = `conversation ${index} turn ${turn}`;
            const at = now();
            const outcome = await chat((instances[instance] as Running).url, {
              message,
              ...(state.sessionId === undefined ? {} : { sessionId: state.sessionId }),
            });
            outcomes.push({ ...outcome, at, instance });
            if (outcome.status === 200) {
              state.sessionId ??= (outcome.body as { sessionId: string }).sessionId;
              state.acknowledged.push(message);
            } else {
              // Failed because Redis went away: perhaps during the write itself, which may have landed.
              if (outcome.code === "HEARTH_STORE_UNAVAILABLE") state.unsure?.push(message);
              else state.failed.push(message);
              // A client told to come back waits (here a tenth of a second, to see recovery closely).
              await sleep(100);
            }
          }
        }),
      );
      await sleep(steadyMs);
      await kill(redis);
      stoppedAt = now();
      await sleep(outageMs);
      redis = await startRedis(port, directory);
      restartedAt = now();
      await load;

      const steady = outcomes.filter((outcome) => outcome.at < stoppedAt);
      // Turns sent while Redis was down (sent after the kill, before it was back).
      const during = outcomes.filter((outcome) => outcome.at > stoppedAt && outcome.at < restartedAt);
      const after = outcomes.filter((outcome) => outcome.at >= restartedAt);
      const recoveredAt = [0, 1].map(
        (instance) =>
          after.find((outcome) => outcome.instance === instance && outcome.status === 200)?.at ?? Number.NaN,
      );
      const recoveryMs = Math.max(...recoveredAt.map((at) => at - restartedAt));
      const afterRecovery = after.filter((outcome) => outcome.at > Math.max(...recoveredAt));
      const duringFailures = during.filter((outcome) => outcome.status !== 200);
      const notRefusal = duringFailures.filter((outcome) => outcome.status !== 503 || !outcome.retryAfter);
      const { lost, storedFailed, storedUnsure, unreadable } = await auditSessions(
        (instances[0] as Running).url,
        states,
      );
      const describe = (list: readonly Outcome[]) =>
        listed(tally(list.map((outcome) => `${outcome.status}${outcome.code === undefined ? "" : ` ${outcome.code}`}`)));
      const rows = [
        ["before (Redis up)", steady.length, describe(steady), round(quantile(steady.map((o) => o.ms), 0.99))],
        ["Redis down", during.length, describe(during), round(quantile(during.map((o) => o.ms), 0.99))],
        ["after the restart", after.length, describe(after), round(quantile(after.map((o) => o.ms), 0.99))],
      ];
      if (notRefusal.length > 0)
        broken.push(`during the outage, ${notRefusal.length} failed turns were not a 503 with Retry-After`);
      if (!Number.isFinite(recoveryMs)) broken.push("an instance did not answer a turn after Redis came back");
      const failedAfterRecovery = afterRecovery.filter((outcome) => outcome.status !== 200).length;
      if (failedAfterRecovery > 0) broken.push(`${failedAfterRecovery} turns failed after both instances recovered`);
      if (lost > 0) broken.push(`${lost} acknowledged turns are missing from their sessions`);
      if (storedFailed > 0) broken.push(`${storedFailed} failed turns were stored`);
      if (unreadable > 0) broken.push(`${unreadable} sessions could not be read`);
      return {
        setup: `Two hearth instances on one Redis (append-only file, synced at every write), ${conversations} conversations sending each turn to the other instance than the last; Redis killed (SIGKILL) after ${steadyMs / 1000} s, started again on the same port and files ${outageMs / 1000} s later. Clients wait 100 ms after a failure. Recovery: from Redis ready again to the first turn answered by the later of the two instances: ${round(recoveryMs)} ms. Acknowledged turns lost: ${lost}; failed turns stored: ${storedFailed}, and of the turns answered 503 because Redis went away, ${storedUnsure} stored all the same (Redis had written them when the connection was lost: an ambiguous commit); sessions unreadable: ${unreadable}.`,
        table: markdownTable(["turns sent", "count", "answers", "p99 (ms)"], rows),
        broken,
      };
    } finally {
      for (const instance of instances) await stopApp(instance);
      await kill(redis);
      await mock.close();
      rmSync(directory, { recursive: true, force: true });
    }
  },
};
