import assert from "node:assert/strict";
import { test } from "node:test";
import { type LogEntry, safeLogger } from "./log.ts";
import { addSecrets } from "./redact.ts";

function withLevel<T>(level: string | undefined, make: () => T): T {
  const before = process.env.HEARTH_LOG_LEVEL;
  if (level === undefined) delete process.env.HEARTH_LOG_LEVEL;
  else process.env.HEARTH_LOG_LEVEL = level;
  try {
    return make();
  } finally {
    if (before === undefined) delete process.env.HEARTH_LOG_LEVEL;
    else process.env.HEARTH_LOG_LEVEL = before;
  }
}

test("the safe logger redacts every line and passes the rest of it as it is", () => {
  const lines: LogEntry[] = [];
  addSecrets(["tenant-key-123456"]);
  const log = withLevel(undefined, () => safeLogger((entry) => lines.push(entry)));
  log({ level: "info", msg: "request", status: 200, key: "tenant-key-123456", nested: { note: "tenant-key-123456" } });
  assert.deepEqual(lines, [
    { level: "info", msg: "request", status: 200, key: "[redacted]", nested: { note: "[redacted]" } },
  ]);
});

test("HEARTH_LOG_LEVEL drops the lines below it (default info), read when the logger is made", () => {
  const lines: LogEntry[] = [];
  const quiet = withLevel("warn", () => safeLogger((entry) => lines.push(entry)));
  const usual = withLevel(undefined, () => safeLogger((entry) => lines.push(entry)));
  for (const log of [quiet, usual])
    for (const level of ["debug", "info", "warn", "error"] as const) log({ level, msg: level });
  assert.deepEqual(
    lines.map((line) => line.msg),
    ["warn", "error", "info", "warn", "error"],
  );
});

test("a safe logger wrapped again is the same logger: lines are redacted once", () => {
  const log = safeLogger(() => {});
  assert.equal(safeLogger(log), log);
});
