import assert from "node:assert/strict";
import { test } from "node:test";
import { addServerSecrets, safeLogger } from "./request-log.ts";

test("the safe logger redacts the server's secrets, passes the rest, and filters by level", () => {
  const lines: Record<string, unknown>[] = [];
  addServerSecrets({ apiKeys: { "tenant-key-123456": "a" } });
  const log = safeLogger((entry) => lines.push(entry));
  log({ level: "info", msg: "request", status: 200, key: "tenant-key-123456" });
  assert.deepEqual(lines[0], { level: "info", msg: "request", status: 200, key: "[redacted]" });
  const before = process.env.HEARTH_LOG_LEVEL;
  process.env.HEARTH_LOG_LEVEL = "warn";
  const quiet = safeLogger((entry) => lines.push(entry));
  if (before === undefined) delete process.env.HEARTH_LOG_LEVEL;
  else process.env.HEARTH_LOG_LEVEL = before;
  quiet({ level: "info", msg: "dropped" });
  quiet({ level: "error", msg: "kept" });
  assert.deepEqual(
    lines.slice(1).map((line) => line.msg),
    ["kept"],
  );
});
