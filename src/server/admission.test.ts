import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import { Admission } from "./admission.ts";

const overloaded = (error: unknown) => HearthError.is(error, "HEARTH_OVERLOADED") && error.retryAfterMs === 1_000;
const never = new AbortController().signal;

test("turns past the limit wait in arrival order, and each takes the place the one before gives back", async () => {
  const admission = new Admission({ maxTurnsInFlight: 1, maxQueued: 2 });
  const first = await admission.enter(never);
  const order: string[] = [];
  const entered = (name: string) => (leave: () => void) => {
    order.push(name);
    return leave;
  };
  const second = admission.enter(never).then(entered("second"));
  const third = admission.enter(never).then(entered("third"));
  assert.deepEqual(admission.load, { running: 1, queued: 2 });
  await assert.rejects(admission.enter(never), overloaded);
  first();
  first();
  (await second)();
  (await third)();
  assert.deepEqual(order, ["second", "third"]);
  assert.deepEqual(admission.load, { running: 0, queued: 0 });
});

test("a turn that waits past the queue's deadline is refused; one whose client leaves stops waiting", async () => {
  const admission = new Admission({ maxTurnsInFlight: 1, maxQueued: 2, queueTimeoutMs: 30 });
  const running = await admission.enter(never);
  await assert.rejects(admission.enter(never), overloaded);
  const client = new AbortController();
  const gone = admission.enter(client.signal);
  client.abort();
  await assert.rejects(gone, (error: unknown) => HearthError.is(error, "HEARTH_ABORTED"));
  assert.deepEqual(admission.load, { running: 1, queued: 0 });
  running();
  (await admission.enter(never))();
});

test("wrong admission options are refused", () => {
  assert.throws(() => new Admission({ maxTurnsInFlight: 0 }), /admission.maxTurnsInFlight/);
  assert.throws(() => new Admission({ maxTurnsInFlight: 2, maxQueued: -1 }), /admission.maxQueued/);
  assert.throws(() => new Admission({ maxTurnsInFlight: 2, queueTimeoutMs: 0 }), /admission.queueTimeoutMs/);
});
