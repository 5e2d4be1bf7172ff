import assert from "node:assert/strict";
import { test } from "node:test";
import { redactor, safeLogger } from "./request-log.ts";

test("the redactor removes given secrets and key-shaped text, and returns clean text as it is", () => {
  const redact = redactor(["tenant-key-123456", "short"]);
  assert.equal(redact("GET /v1/chat req_abc"), "GET /v1/chat req_abc");
  assert.equal(redact("key tenant-key-123456 and tenant-key-123456"), "key [redacted] and [redacted]");
  assert.equal(redact("short stays: secrets under 6 characters would redact ordinary words"), "short stays: secrets under 6 characters would redact ordinary words");
  assert.equal(redact("Incorrect API key provided: sk-proj-abcdefgh1234"), "Incorrect API key provided: sk-[redacted]");
  assert.equal(redact("authorization: bearer abcdefgh.12345"), "authorization: bearer [redacted]");
  assert.equal(redact("task-list and Bearer x"), "task-list and Bearer x");
});

test("the safe logger redacts strings and nested values, passes the rest, and filters by level", () => {
  const lines: Record<string, unknown>[] = [];
  const log = safeLogger((entry) => lines.push(entry), ["tenant-key-123456"]);
  const detail = { nested: { note: "ok" } };
  log({ level: "info", msg: "request", status: 200, detail, error: { text: "got sk-abcdefgh12345678" }, key: "tenant-key-123456" });
  assert.deepEqual(lines[0], { level: "info", msg: "request", status: 200, detail, error: { text: "got sk-[redacted]" }, key: "[redacted]" });
  log({ level: "info", msg: "header was Bearer\tabcdefgh12345678" });
  assert.equal(lines[1]?.msg, "header was Bearer\t[redacted]", "whitespace that JSON escapes does not hide a token");
  lines.length = 1;
  const before = process.env.HEARTH_LOG_LEVEL;
  process.env.HEARTH_LOG_LEVEL = "warn";
  const quiet = safeLogger((entry) => lines.push(entry), []);
  if (before === undefined) delete process.env.HEARTH_LOG_LEVEL;
  else process.env.HEARTH_LOG_LEVEL = before;
  quiet({ level: "info", msg: "dropped" });
  quiet({ level: "error", msg: "kept" });
  assert.deepEqual(lines.slice(1).map((line) => line.msg), ["kept"]);
});
