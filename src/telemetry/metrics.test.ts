import assert from "node:assert/strict";
import { test } from "node:test";
import type { StartupTraceJSON } from "../runtime/startup-trace.ts";
import { HearthMetrics } from "./metrics.ts";

test("histogram buckets are cumulative, as Prometheus reads them, with +Inf, sum and count", () => {
  const metrics = new HearthMetrics();
  try {
    for (const seconds of [0.001, 0.005, 0.02, 0.3, 120]) metrics.requests.observe({ route: "/v1/chat", status: "200" }, seconds);
    const text = metrics.render({ phases: [], steps: [] } as unknown as StartupTraceJSON);
    const bucket = (le: string) => Number(new RegExp(`hearth_http_request_duration_seconds_bucket\\{route="/v1/chat",status="200",le="${le.replace(/[.+]/g, "\\$&")}"\\} (\\d+)`).exec(text)?.[1]);
    assert.equal(bucket("0.005"), 2, "a value equal to a bound counts in it");
    assert.equal(bucket("0.01"), 2);
    assert.equal(bucket("0.025"), 3);
    assert.equal(bucket("0.25"), 3);
    assert.equal(bucket("0.5"), 4);
    assert.equal(bucket("60"), 4, "a value past the last bound is only in +Inf");
    assert.equal(bucket("+Inf"), 5);
    assert.match(text, /hearth_http_request_duration_seconds_count\{route="\/v1\/chat",status="200"\} 5/);
    assert.match(text, /hearth_http_request_duration_seconds_sum\{route="\/v1\/chat",status="200"\} 120\.326/);
  } finally {
    metrics.close();
  }
});
