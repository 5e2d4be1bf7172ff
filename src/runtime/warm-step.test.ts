import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { test } from "node:test";
import { warmWithRetry, withStepTimeout } from "./warm-step.ts";

test("retrying a warm step leaves no listener on the runtime's long-lived signal, however many attempts", async () => {
  const runtime = new AbortController();
  let attempts = 0;
  const outcome = await warmWithRetry({ attempts: 5, initialDelayMs: 1, maxDelayMs: 2 }, runtime.signal, () =>
    withStepTimeout("resource:db", 1_000, runtime.signal, async () => {
      attempts += 1;
      throw Object.assign(new Error("reset"), { code: "ECONNRESET" });
    }),
  );
  assert.equal(attempts, 5);
  assert.equal(outcome.failure, "connection");
  assert.equal(getEventListeners(runtime.signal, "abort").length, 0);
});

test("a runtime that stops during the wait between attempts ends the retries with HEARTH_ABORTED", async () => {
  const runtime = new AbortController();
  setTimeout(() => runtime.abort(), 20);
  const outcome = await warmWithRetry(
    { attempts: 5, initialDelayMs: 10_000, maxDelayMs: 10_000 },
    runtime.signal,
    async () => {
      throw Object.assign(new Error("reset"), { code: "ECONNRESET" });
    },
  );
  assert.equal(outcome.attempts, 1);
  assert.equal((outcome.error as { code?: string }).code, "HEARTH_ABORTED");
});
