// The soak: steady traffic for ten minutes on the default store (SQLite), each conversation a few
// turns long and its session expiring seconds after its last turn, so sessions keep being made and
// dropped. Sampled every few seconds: the app's heap (after a full collection), RSS, open file
// descriptors and sockets. Promised: after the warm-up (the first fifth), heap and RSS grow less
// than 10%, and neither file descriptors nor sockets grow; no turn fails.
import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockOpenAIServer } from "hearth/testing";
import { chat, markdownTable, type Outcome, quantile, round, type Scenario, short, sleep, startApp, stopApp } from "../support.ts";

const seconds = short ? 15 : 600;
const sampleEveryMs = short ? 1_000 : 5_000;
const sessionTtlMs = short ? 2_000 : 5_000;
const conversations = 8;
const turnsPerConversation = 4;

interface Sample {
  readonly at: number;
  readonly heapMB: number;
  readonly rssMB: number;
  readonly fds: number;
  readonly sockets: number;
  readonly fileMB: number;
}

export const soak: Scenario = {
  name: "soak",
  title: "Soak",
  async run() {
    const directory = mkdtempSync(join(tmpdir(), "hearth-chaos-soak-"));
    const file = join(directory, "sessions.db");
    const mock = await startMockOpenAIServer({ latencyMs: 20 });
    const running = await startApp(
      { OPENAI_BASE_URL: mock.url, CHAOS_STORE: `sqlite:${file}`, CHAOS_TTL_MS: String(sessionTtlMs) },
      undefined,
      { nodeFlags: ["--expose-gc"] },
    );
    const pid = running.child.pid as number;
    const samples: Sample[] = [];
    const outcomes: Outcome[] = [];
    const broken: string[] = [];
    try {
      const started = performance.now();
      const deadline = started + seconds * 1000;
      const sample = async () => {
        const memory = (await (await fetch(`${running.url}/chaos/memory`)).json()) as { heapUsed: number; rss: number };
        const descriptors = readdirSync(`/proc/${pid}/fd`);
        const sockets = descriptors.filter((fd) => {
          try {
            return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:");
          } catch {
            return false; // closed while we looked
          }
        }).length;
        const fileBytes = ["", "-wal", "-shm"].reduce((sum, suffix) => {
          try {
            return sum + statSync(file + suffix).size;
          } catch {
            return sum;
          }
        }, 0);
        samples.push({
          at: (performance.now() - started) / 1000,
          heapMB: memory.heapUsed / 2 ** 20,
          rssMB: memory.rss / 2 ** 20,
          fds: descriptors.length,
          sockets,
          fileMB: fileBytes / 2 ** 20,
        });
      };
      const sampler = (async () => {
        while (performance.now() < deadline) {
          await sample();
          await sleep(sampleEveryMs);
        }
        await sample();
      })();
      await Promise.all(
        Array.from({ length: conversations }, async (_, index) => {
          while (performance.now() < deadline) {
            let sessionId: string | undefined;
            for (let turn = 0; turn < turnsPerConversation && performance.now() < deadline; turn++) {
              const outcome = await chat(running.url, {
                message: `soak ${index} turn ${turn}`,
                ...(sessionId === undefined ? {} : { sessionId }),
              });
              outcomes.push({ status: outcome.status, ms: outcome.ms, retryAfter: outcome.retryAfter });
              if (outcome.status === 200) sessionId ??= (outcome.body as { sessionId: string }).sessionId;
              await sleep(10);
            }
          }
        }),
      );
      await sampler;
    } finally {
      await stopApp(running);
      await mock.close();
      rmSync(directory, { recursive: true, force: true });
    }
    // Figures at the end of the warm-up and at the end, each the median of three samples.
    const warm = samples.findIndex((sample) => sample.at >= seconds / 5);
    const around = (index: number, key: keyof Sample) =>
      quantile(
        samples.slice(Math.max(0, index - 1), index + 2).map((sample) => sample[key]),
        0.5,
      );
    const last = samples.length - 2;
    const growth = (key: keyof Sample) => around(last, key) / around(warm, key) - 1;
    const failed = outcomes.filter((outcome) => outcome.status !== 200).length;
    const rows = (["heapMB", "rssMB", "fds", "sockets", "fileMB"] as const).map((key) => [
      { heapMB: "heap (MB)", rssMB: "RSS (MB)", fds: "file descriptors", sockets: "sockets", fileMB: "SQLite files (MB)" }[key],
      round(samples[0]?.[key] ?? Number.NaN),
      round(around(warm, key)),
      round(Math.max(...samples.map((sample) => sample[key]))),
      round(around(last, key)),
      `${round(growth(key) * 100)}%`,
    ]);
    if (failed > 0) broken.push(`${failed} of ${outcomes.length} turns failed`);
    if (around(last, "fds") > around(warm, "fds") + 2) broken.push("file descriptors grew after the warm-up");
    if (around(last, "sockets") > around(warm, "sockets") + 2) broken.push("sockets grew after the warm-up");
    // Ten seconds are too few to hold memory to 10%: the short run reports it, the full run holds it.
    if (!short && growth("heapMB") > 0.1) broken.push(`the heap grew ${round(growth("heapMB") * 100)}% after the warm-up`);
    if (!short && growth("rssMB") > 0.1) broken.push(`RSS grew ${round(growth("rssMB") * 100)}% after the warm-up`);
    const answered = outcomes.filter((outcome) => outcome.status === 200).map((outcome) => outcome.ms);
    return {
      setup: `${seconds} s of ${conversations} conversations of ${turnsPerConversation} turns each, one after another (10 ms between turns), on SQLite, sessions expiring ${sessionTtlMs / 1000} s after their last turn; the app sampled every ${sampleEveryMs / 1000} s, the warm-up the first fifth. ${outcomes.length} turns, ${failed} failed; answered p50 / p99 ${round(quantile(answered, 0.5))} / ${round(quantile(answered, 0.99))} ms.`,
      table: markdownTable(["", "at start", "after the warm-up", "highest", "at the end", "growth after the warm-up"], rows),
      broken,
    };
  },
};
