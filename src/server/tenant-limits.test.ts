import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import { TenantLimiter } from "./tenant-limits.ts";

const clockAt = (start: number) => {
  const clock = { ms: start, now: () => clock.ms };
  return clock;
};
const refusal = (limit: string, retryAfterMs?: number) => (error: unknown) => {
  assert.ok(HearthError.is(error, "HEARTH_TENANT_LIMITED"), String(error));
  assert.equal(error.limit, limit);
  if (retryAfterMs !== undefined) assert.equal(error.retryAfterMs, retryAfterMs);
  return true;
};

test("requests per minute: a bucket that allows a burst of the limit, then refills evenly", () => {
  const clock = clockAt(Date.UTC(2026, 10, 28, 12));
  const limiter = new TenantLimiter({ requestsPerMinute: 3 }, clock);
  for (let index = 0; index < 3; index++) limiter.admit("acme")(0);
  // Empty: the next request is one 20 s refill away.
  assert.throws(() => limiter.admit("acme"), refusal("requestsPerMinute", 20_000));
  // Another tenant has its own bucket.
  limiter.admit("globex")(0);
  clock.ms += 20_000;
  limiter.admit("acme")(0);
  assert.throws(() => limiter.admit("acme"), refusal("requestsPerMinute"));
});

test("turns in flight: a turn frees its place when it ends, once", () => {
  const limiter = new TenantLimiter({ turnsInFlight: 2 }, clockAt(0));
  const first = limiter.admit("acme");
  const second = limiter.admit("acme");
  assert.throws(() => limiter.admit("acme"), refusal("turnsInFlight", 1_000));
  first(0);
  first(0);
  const third = limiter.admit("acme");
  assert.throws(() => limiter.admit("acme"), refusal("turnsInFlight"));
  second(0);
  third(0);
});

test("tokens per day: counted as turns end, refused until midnight UTC, counted afresh the next day", () => {
  const clock = clockAt(Date.UTC(2026, 10, 28, 23, 0, 0));
  const limiter = new TenantLimiter({ tokensPerDay: 100 }, clock);
  limiter.admit("acme")(60);
  // Under the limit when it starts: a turn runs to its end, whatever it uses.
  limiter.admit("acme")(60);
  assert.throws(() => limiter.admit("acme"), refusal("tokensPerDay", 60 * 60 * 1000));
  clock.ms = Date.UTC(2026, 10, 29, 0, 0, 1);
  limiter.admit("acme")(10);
});

test("a tenant's own limits replace the common ones", () => {
  const limiter = new TenantLimiter({ turnsInFlight: 1, tenants: { acme: { turnsInFlight: 2 } } }, clockAt(0));
  limiter.admit("acme");
  limiter.admit("acme");
  assert.throws(() => limiter.admit("acme"), refusal("turnsInFlight"));
  limiter.admit("globex");
  assert.throws(() => limiter.admit("globex"), refusal("turnsInFlight"));
});

test("wrong limits are refused when the limiter is made", () => {
  assert.throws(
    () => new TenantLimiter({ requestsPerMinute: 0 }),
    /requestsPerMinute must be a whole number, 1 or more/,
  );
  assert.throws(() => new TenantLimiter({ turnsInFlight: 1.5 }), /whole number/);
  assert.throws(
    () => new TenantLimiter({ tenants: { acme: { tokensPerHour: 5 } as never } }),
    /tenantLimits.tenants.acme.tokensPerHour is not a tenant limit/,
  );
});
