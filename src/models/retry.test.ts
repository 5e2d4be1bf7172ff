import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import { retryDelayMs, sleep, withRetries } from "./retry.ts";

const policy = { maxRetries: 3, initialDelayMs: 100, maxDelayMs: 400, maxRetryAfterMs: 1000 };

test("backoff doubles up to its cap, with jitter that only shortens the wait", () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((attempt) => retryDelayMs(policy, attempt, undefined, () => 0)),
    [100, 200, 400, 400],
  );
  assert.deepEqual(
    [1, 2, 3].map((attempt) => retryDelayMs(policy, attempt, undefined, () => 1)),
    [75, 150, 300],
  );
});

test("Retry-After is honoured up to its cap, then ignored for the normal backoff", () => {
  assert.equal(
    retryDelayMs(policy, 1, 700, () => 0),
    700,
  );
  assert.equal(
    retryDelayMs(policy, 1, 5000, () => 0),
    100,
  );
});

const fast = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1000 };

test("retryable errors are retried until success", async () => {
  let calls = 0;
  const result = await withRetries(fast, undefined, async () => {
    calls += 1;
    if (calls < 3) throw new HearthError("HEARTH_MODEL_SERVER", "boom", { retryable: true });
    return "ok";
  });
  assert.equal(result, "ok");
  assert.equal(calls, 3);
});

test("a non-retryable error stops at once; a retryable one stops after maxRetries, counting attempts", async () => {
  let calls = 0;
  await assert.rejects(
    withRetries(fast, undefined, async () => {
      calls += 1;
      throw new HearthError("HEARTH_MODEL_AUTH", "no", { retryable: false });
    }),
    (error) => HearthError.is(error, "HEARTH_MODEL_AUTH") && error.attempts === 1,
  );
  assert.equal(calls, 1);
  await assert.rejects(
    withRetries(fast, undefined, async () => {
      throw new HearthError("HEARTH_MODEL_SERVER", "down", { retryable: true });
    }),
    (error) => HearthError.is(error, "HEARTH_MODEL_SERVER") && error.attempts === 3,
  );
});

test("an abort during the backoff wait ends the loop with HEARTH_ABORTED", async () => {
  const controller = new AbortController();
  const slow = { ...fast, initialDelayMs: 60_000, maxDelayMs: 60_000 };
  const pending = withRetries(slow, controller.signal, async () => {
    setImmediate(() => controller.abort());
    throw new HearthError("HEARTH_MODEL_SERVER", "down", { retryable: true });
  });
  await assert.rejects(pending, (error) => HearthError.is(error, "HEARTH_ABORTED"));
});

test("sleep leaves no listener on a long-lived signal, whether it ends or is aborted", async () => {
  const runtime = new AbortController();
  for (let round = 0; round < 5; round++) await sleep(1, runtime.signal);
  assert.equal(getEventListeners(runtime.signal, "abort").length, 0);
  const pending = sleep(10_000, runtime.signal);
  runtime.abort();
  await assert.rejects(pending, (error) => HearthError.is(error, "HEARTH_ABORTED"));
});
