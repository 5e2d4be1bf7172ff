// Provider faults: 64 conversations, each sending its next turn as soon as the last is answered,
// while the provider (the mock) meets a rotating set of faults: 429 bursts with Retry-After, 5xx,
// connection resets (before and during a stream), slow and stalled streams, malformed JSON. Once
// with the agent streaming from the model, once with plain calls. Promised: every failed turn is a
// problem document with the status it names (429 and 503 with Retry-After); every turn answered
// 200 is in its session afterwards, and no failed turn is; every session reads back.
import { type MockFault, startMockOpenAIServer } from "hearth/testing";
import {
  auditSessions,
  type Conversation,
  chat,
  listed,
  markdownTable,
  type Outcome,
  quantile,
  round,
  type Scenario,
  short,
  sleep,
  startApp,
  stopApp,
  tally,
} from "../support.ts";

const conversations = 64;
const seconds = short ? 4 : 30;

// One batch a second (the short run: faster), in turn. The mock meets them in order, whichever requests come next
// (retries included), so a batch is a burst that a few dozen provider calls run into.
const faultBatches: readonly (readonly [string, MockFault, number])[] = [
  ["429 with Retry-After 1 s", { fault: "rate-limit", retryAfterSeconds: 1 }, 30],
  ["500", { fault: "server-error" }, 8],
  ["503", { fault: "server-error", status: 503 }, 8],
  ["connection reset", { fault: "reset" }, 8],
  ["reset mid-stream", { fault: "reset-mid-stream", afterChunks: 1 }, 8],
  ["slow stream (150 ms a chunk)", { fault: "slow-stream", chunkDelayMs: 150 }, 8],
  ["stalled stream", { fault: "stall-mid-stream", afterChunks: 1 }, 4],
  ["stalled before any byte", { fault: "stall-mid-stream", afterChunks: 0 }, 4],
  ["malformed JSON", { fault: "malformed-json" }, 8],
  // Longer than a turn's retries can wait out: these reach the clients.
  ["429 storm", { fault: "rate-limit", retryAfterSeconds: 1 }, 400],
];
// The short run goes round every kind once in its few seconds.
const batchEveryMs = short ? 400 : 1000;

export const providerFaults: Scenario = {
  name: "provider-faults",
  title: "Provider faults",
  async run() {
    const rows: (string | number)[][] = [];
    const broken: string[] = [];
    let injected: Record<string, number> = {};
    for (const streamed of [true, false]) {
      // A mock of its own: faults the last configuration left queued do not meet this one.
      const mock = await startMockOpenAIServer({ latencyMs: 20 });
      try {
        const label = streamed ? "the agent streams from the model" : "plain model calls";
        // Stalled answers are cut by the client's idle timeout (2 s here; 60 s by default), then retried.
        const running = await startApp({
          OPENAI_BASE_URL: mock.url,
          CHAOS_STREAM: streamed ? "1" : "0",
          CHAOS_MODEL_TIMEOUT_MS: "2000",
        });
        try {
          const unloaded: number[] = [];
          for (let index = 0; index < 20; index++) unloaded.push((await chat(running.url)).ms);
          mock.requests.length = 0;
          const deadline = performance.now() + seconds * 1000;
          const counts: Record<string, number> = {};
          const injector = (async () => {
            for (let batch = 0; performance.now() < deadline; batch++) {
              const [name, fault, count] = faultBatches[batch % faultBatches.length] as (typeof faultBatches)[number];
              mock.enqueue(...Array.from({ length: count }, () => fault));
              counts[name] = (counts[name] ?? 0) + count;
              await sleep(batchEveryMs);
            }
          })();
          const states: Conversation[] = Array.from({ length: conversations }, () => ({ acknowledged: [], failed: [] }));
          const outcomes: Outcome[] = [];
          await Promise.all(
            states.map(async (state, index) => {
              for (let turn = 0; performance.now() < deadline; turn++) {
                const message = `conversation ${index} turn ${turn}`;
                const outcome = await chat(running.url, {
                  message,
                  ...(state.sessionId === undefined ? {} : { sessionId: state.sessionId }),
                });
                outcomes.push(outcome);
                if (outcome.status === 200) {
                  state.sessionId ??= (outcome.body as { sessionId: string }).sessionId;
                  state.acknowledged.push(message);
                } else {
                  state.failed.push(message);
                  // What a client told to wait does: waits (bounded, so the run ends on time).
                  if (outcome.retryAfter) await sleep(500);
                }
              }
            }),
          );
          await injector;
          injected = counts;
          const providerCalls = mock.requests.length;
          const errors = outcomes.filter((outcome) => outcome.status !== 200);
          const notProblems = errors.filter(
            (outcome) =>
              outcome.status === "error" ||
              !outcome.contentType?.startsWith("application/problem+json") ||
              (outcome.body as { status?: unknown } | undefined)?.status !== outcome.status,
          );
          const waitWithout = errors.filter(
            (outcome) => (outcome.status === 429 || outcome.status === 503) && !outcome.retryAfter,
          );
          const { lost, storedFailed, unreadable } = await auditSessions(running.url, states);
          const answered = outcomes.filter((outcome) => outcome.status === 200).map((outcome) => outcome.ms);
          rows.push([
            label,
            outcomes.length,
            providerCalls,
            answered.length,
            listed(tally(errors.map((outcome) => `${outcome.status} ${outcome.code ?? "(no code)"}`))),
            notProblems.length,
            waitWithout.length,
            `${round(quantile(unloaded, 0.5))} / ${round(quantile(unloaded, 0.99))}`,
            `${round(quantile(answered, 0.5))} / ${round(quantile(answered, 0.99))}`,
            lost,
            storedFailed,
            unreadable,
          ]);
          if (notProblems.length > 0)
            broken.push(`${label}: ${notProblems.length} failed turns were not a problem document with their status`);
          if (waitWithout.length > 0) broken.push(`${label}: ${waitWithout.length} 429/503 answers had no Retry-After`);
          if (lost > 0) broken.push(`${label}: ${lost} acknowledged turns are missing from their sessions`);
          if (storedFailed > 0) broken.push(`${label}: ${storedFailed} failed turns were stored`);
          if (unreadable > 0) broken.push(`${label}: ${unreadable} sessions could not be read`);
          if (answered.length === 0) broken.push(`${label}: no turn was answered`);
        } finally {
          await stopApp(running);
        }
      } finally {
        await mock.close();
      }
    }
    return {
      setup: `${conversations} conversations for ${seconds} s each, each sending its next turn when the last is answered, against a provider answering in 20 ms that meets one batch of faults every ${batchEveryMs} ms, in turn: ${faultBatches.map(([name, , count]) => `${count}x ${name}`).join(", ")} (injected for the last configuration: ${listed(injected)}). The model client: a 2 s idle timeout, 2 retries (its defaults otherwise).`,
      table: markdownTable(
        [
          "",
          "turns sent",
          "provider calls",
          "answered 200",
          "failed turns, by status and code",
          "failures not a problem document",
          "429/503 without Retry-After",
          "unloaded p50 / p99 (ms)",
          "answered p50 / p99 (ms)",
          "acknowledged turns lost",
          "failed turns stored",
          "sessions unreadable",
        ],
        rows,
      ),
      broken,
    };
  },
};
