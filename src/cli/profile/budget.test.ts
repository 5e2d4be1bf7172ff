import assert from "node:assert/strict";
import { test } from "node:test";
import { checkBudget, parseBudget } from "./budget.ts";
import type { ProfileSummary } from "./run-profile.ts";

const spread = (median: number) => ({ median, min: median, max: median });
const summary = {
  spawnToReadyMs: spread(110),
  spawnToFirstReplyMs: spread(200),
  firstRequestMs: spread(5),
  firstToWarmRatio: 1.5,
  rssMb: spread(90),
  constructionsAfterReady: 0,
  imports: { hearth: 12 },
} as unknown as ProfileSummary;

const verdicts = (budget: Parameters<typeof checkBudget>[1], tolerance?: number) =>
  Object.fromEntries(checkBudget(summary, budget, tolerance).map((line) => [line.metric, line.ok]));

test("a median passes within its budget plus the tolerance: 10% by default, then the budget's, then --tolerance", () => {
  assert.deepEqual(verdicts({ spawnToReadyMs: 100, imports: { hearth: 11 } }), {
    spawnToReadyMs: true,
    "import hearth": true,
  });
  assert.deepEqual(verdicts({ spawnToReadyMs: 99 }), { spawnToReadyMs: false }, "110 is over 99 + 10%");
  assert.deepEqual(verdicts({ spawnToReadyMs: 100, tolerance: 0 }), { spawnToReadyMs: false });
  assert.deepEqual(verdicts({ spawnToReadyMs: 90, tolerance: 0.25 }), { spawnToReadyMs: true });
  assert.deepEqual(verdicts({ spawnToReadyMs: 90, tolerance: 0.25 }, 0), { spawnToReadyMs: false }, "the flag wins");
  const [line] = checkBudget(summary, { firstToWarmRatio: 2 });
  assert.deepEqual(line, { metric: "firstToWarmRatio", measured: 1.5, budget: 2, limit: 2.2, ok: true });
});

test("a budget's tolerance is a fraction from 0 to 1", () => {
  assert.equal(parseBudget('{ "tolerance": 0.2 }', "b.json").tolerance, 0.2);
  for (const wrong of ["2", '"10%"', "-0.1"])
    assert.throws(() => parseBudget(`{ "tolerance": ${wrong} }`, "b.json"), { field: "budget.tolerance" });
});
