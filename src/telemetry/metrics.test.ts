import assert from "node:assert/strict";
import { test } from "node:test";
import type { StartupTraceJSON } from "../runtime/startup-trace.ts";
import { HearthMetrics } from "./metrics.ts";

test("histogram buckets are cumulative, as Prometheus reads them, with +Inf, sum and count", () => {
  const metrics = new HearthMetrics();
  try {
    for (const seconds of [0.001, 0.005, 0.02, 0.3, 120])
      metrics.requests.observe({ route: "/v1/chat", status: "200" }, seconds);
    const text = metrics.render({ phases: [], steps: [] } as unknown as StartupTraceJSON);
    const bucket = (le: string) =>
      Number(
        new RegExp(
          `hearth_http_request_duration_seconds_bucket\\{route="/v1/chat",status="200",le="${le.replace(/[.+]/g, "\\$&")}"\\} (\\d+)`,
        ).exec(text)?.[1],
      );
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

test("tool names are bounded labels: a name no agent has is one series, and past the limit new names are counted together", async () => {
  const { publishToolCall } = await import("../core/diagnostics.ts");
  const { plainRun } = await import("../core/run-context.ts");
  const metrics = new HearthMetrics({ maxToolLabels: 2 });
  try {
    // A model can be prompted into calling any number of made-up tools.
    for (let index = 0; index < 500; index++)
      publishToolCall(
        { tool: `made_up_${index}`, durationMs: 1, isError: true, errorCode: "HEARTH_TOOL_UNKNOWN", callId: "c" },
        plainRun,
      );
    for (const tool of ["lookup", "search", "refund", "refund"])
      publishToolCall({ tool, durationMs: 1, isError: false, errorCode: undefined, callId: "c" }, plainRun);
    const text = metrics.render({ phases: [], steps: [] } as unknown as StartupTraceJSON);
    assert.doesNotMatch(text, /made_up_/);
    assert.match(text, /hearth_tool_call_duration_seconds_count\{tool="_unknown"\} 500/);
    assert.match(text, /hearth_tool_call_errors_total\{tool="_unknown",code="HEARTH_TOOL_UNKNOWN"\} 500/);
    assert.match(text, /hearth_tool_call_duration_seconds_count\{tool="lookup"\} 1/);
    assert.match(text, /hearth_tool_call_duration_seconds_count\{tool="search"\} 1/);
    assert.match(
      text,
      /hearth_tool_call_duration_seconds_count\{tool="_other"\} 2/,
      "the third name is past the limit of 2",
    );
  } finally {
    metrics.close();
  }
});

test("token counters name no tenant unless the server allows it, and then a bounded number of them", async () => {
  const { publishModelCall } = await import("../core/diagnostics.ts");
  const call = (tenant: string) =>
    publishModelCall(
      {
        durationMs: 1,
        client: { model: "m" },
        caller: "helper",
        response: { usage: { promptTokens: 3, completionTokens: 2 }, content: "ok", toolCalls: [] },
      },
      { synthetic: false, tenant },
    );
  const closed = new HearthMetrics();
  const open = new HearthMetrics({ maxTenantLabels: 1 });
  try {
    for (const tenant of ["acme", "globex", "acme"]) call(tenant);
    const trace = { phases: [], steps: [] } as unknown as StartupTraceJSON;
    const hidden = closed.render(trace);
    assert.match(hidden, /hearth_model_tokens_total\{model="m",caller="helper",kind="input"\} 9/);
    assert.doesNotMatch(hidden, /acme|globex/);
    const named = open.render(trace);
    assert.match(named, /hearth_model_tokens_total\{model="m",caller="helper",tenant="acme",kind="output"\} 4/);
    assert.match(named, /hearth_model_tokens_total\{model="m",caller="helper",tenant="_other",kind="output"\} 2/);
    assert.doesNotMatch(named, /globex/);
  } finally {
    closed.close();
    open.close();
  }
});
