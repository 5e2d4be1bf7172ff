import assert from "node:assert/strict";
import { test } from "node:test";
import { isoNow } from "./clock.ts";

test("isoNow gives the same text as Date#toISOString, across seconds and for every width of milliseconds", (t) => {
  for (const time of [
    Date.UTC(2026, 10, 24, 10, 49, 17, 466),
    Date.UTC(2026, 10, 24, 10, 49, 17, 5),
    Date.UTC(2026, 10, 24, 10, 49, 17, 42),
    Date.UTC(2026, 10, 24, 10, 49, 18, 0),
    Date.UTC(2026, 11, 31, 23, 59, 59, 999),
    Date.UTC(2027, 0, 1, 0, 0, 0, 1),
  ]) {
    t.mock.method(Date, "now", () => time);
    assert.equal(isoNow(), new Date(time).toISOString());
    t.mock.restoreAll();
  }
  const before = Date.now();
  const now = Date.parse(isoNow());
  assert.ok(now >= before && now <= Date.now());
});
