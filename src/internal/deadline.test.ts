import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { startDeadline, withDeadline } from "./deadline.ts";

test("the deadline's error is made only when it passes, and work that ignores its signal cannot hold the caller past it", async () => {
  let made = 0;
  const expire = () => {
    made += 1;
    return new Error("too slow");
  };
  assert.equal(await withDeadline([], 1_000, expire, async () => "quick"), "quick");
  assert.equal(made, 0, "no error made for work that finished in time");
  await assert.rejects(
    withDeadline([], 20, expire, () => new Promise(() => undefined)),
    /too slow/,
  );
  assert.equal(made, 1);
});

test("when the signal fires, the deadline's reason wins over what the work makes of it", async () => {
  const outer = new AbortController();
  const reason = new Error("the run stopped");
  setTimeout(() => outer.abort(reason), 10);
  const work = (signal: AbortSignal) =>
    new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted by its signal"))));
  await assert.rejects(
    withDeadline([outer.signal], undefined, () => new Error("never"), work),
    (error) => error === reason,
  );
});

test("a source already aborted stops the work at once; end() leaves no listener on the sources, end(reason) tells the work it is over", async () => {
  const gone = new AbortController();
  gone.abort(new Error("gone"));
  await assert.rejects(
    withDeadline(
      [gone.signal],
      1_000,
      () => new Error("never"),
      () => delay(10_000),
    ),
    /gone/,
  );
  const source = new AbortController();
  const deadline = startDeadline([source.signal], 1_000, () => new Error("never"));
  assert.equal(getEventListeners(source.signal, "abort").length, 1);
  let told: unknown;
  deadline.signal.addEventListener("abort", () => (told = deadline.signal.reason));
  deadline.end("over");
  assert.equal(getEventListeners(source.signal, "abort").length, 0);
  assert.equal(told, "over");
  assert.equal(deadline.expired, undefined);
});
