import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { linkAbort, whenAborted } from "./linked-abort.ts";

test("aborts with the reason of whichever source aborts first", () => {
  const first = new AbortController();
  const second = new AbortController();
  const link = linkAbort([first.signal, undefined, second.signal]);
  assert.equal(link.signal.aborted, false);
  second.abort("second");
  first.abort("first");
  assert.equal(link.signal.aborted, true);
  assert.equal(link.signal.reason, "second");
});

test("a source already aborted aborts it at once", () => {
  const source = new AbortController();
  source.abort("early");
  const link = linkAbort([new AbortController().signal, source.signal]);
  assert.equal(link.signal.reason, "early");
});

test("abort() stops it without touching the sources", () => {
  const source = new AbortController();
  const link = linkAbort([source.signal]);
  link.abort("own");
  assert.equal(link.signal.reason, "own");
  assert.equal(source.signal.aborted, false);
});

test("once unlinked, a source's abort no longer reaches it", () => {
  const source = new AbortController();
  const link = linkAbort([source.signal]);
  link.unlink();
  source.abort("late");
  assert.equal(link.signal.aborted, false);
});

test("a long-lived source keeps nothing once each link is unlinked", async () => {
  // The case AbortSignal.any() leaks: its result observed, never unobserved, following a long-lived source.
  const runtime = new AbortController();
  const finalized: number[] = [];
  const registry = new FinalizationRegistry<number>((index) => finalized.push(index));
  const observeOnce = (index: number) => {
    const link = linkAbort([runtime.signal]);
    link.signal.addEventListener("abort", () => undefined);
    registry.register(link.signal, index);
    link.unlink();
  };
  for (let index = 0; index < 50; index++) observeOnce(index);
  // A gc() without --expose-gc: the flag can be set at run time and read from a fresh context.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  for (let round = 0; round < 10 && finalized.length < 50; round++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(finalized.length, 50);
});

test("whenAborted rejects with the signal's reason, at once for a signal already aborted, and never otherwise", async () => {
  const early = new AbortController();
  early.abort("early");
  await assert.rejects(whenAborted(early.signal), (reason) => reason === "early");
  const later = new AbortController();
  const stopped = whenAborted(later.signal);
  const raced = await Promise.race([stopped, new Promise((resolve) => setTimeout(() => resolve("still waiting"), 10))]);
  assert.equal(raced, "still waiting");
  later.abort("later");
  await assert.rejects(stopped, (reason) => reason === "later");
});
