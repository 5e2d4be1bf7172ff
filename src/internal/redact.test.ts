import assert from "node:assert/strict";
import { test } from "node:test";
import { environmentSecrets, SecretRedactor } from "./redact.ts";

test("known secrets and key-shaped text are redacted; clean text comes back as it is", () => {
  const redactor = new SecretRedactor();
  redactor.add(["tenant-key-123456", "short", undefined]);
  const redact = (text: string) => redactor.redact(text);
  assert.equal(redact("GET /v1/chat req_abc"), "GET /v1/chat req_abc");
  assert.equal(redact("key tenant-key-123456 and tenant-key-123456"), "key [redacted] and [redacted]");
  assert.equal(
    redact("short stays: secrets under 6 characters would redact ordinary words"),
    "short stays: secrets under 6 characters would redact ordinary words",
  );
  assert.equal(redact("Incorrect API key provided: sk-proj-abcdefgh1234"), "Incorrect API key provided: sk-[redacted]");
  assert.equal(redact("authorization: bearer abcdefgh.12345"), "authorization: bearer [redacted]");
  assert.equal(redact("task-list and Bearer x"), "task-list and Bearer x");
});

test("the user info of a URL and password-like settings are redacted", () => {
  const redact = (text: string) => new SecretRedactor().redact(text);
  assert.equal(
    redact("connect to postgres://app:password@db.internal/app failed"),
    "connect to postgres://[redacted]@db.internal/app failed",
  );
  assert.equal(redact("redis://:hunter22@cache:6379/0"), "redis://[redacted]@cache:6379/0");
  assert.equal(redact("Server=db;User Id=app;Password=Tr0ub4dor3;"), "Server=db;User Id=app;Password=[redacted];");
  assert.equal(redact('{"apiKey":"abc123xyz","user":"x"}'), '{"apiKey":"[redacted]","user":"x"}');
  assert.equal(
    redact("see https://example.com/docs?user=a@b.com"),
    "see https://example.com/docs?user=a@b.com",
    "an address after the path is not user info",
  );
  assert.equal(redact("max_tokens=5 and promptTokens: 3"), "max_tokens=5 and promptTokens: 3");
});

test("environment values named like keys, tokens or passwords are secrets; the working directory is not", () => {
  const values = environmentSecrets({
    OPENAI_API_KEY: "sk-abc-0123456789",
    AZURE_OPENAI_API_KEY: "0123456789abcdef0123456789abcdef",
    PGPASSWORD: "pg-password-1",
    GITHUB_TOKEN: "ghp_0123456789",
    DB_PASS: "db-pass-1234",
    STRIPE_SECRET: "whsec_0123456789",
    PWD: "/home/app",
    OLDPWD: "/home",
    HOME: "/home/app",
    KEYBOARD: "qwerty-layout",
    SHORT_TOKEN: "abc",
  });
  assert.deepEqual(values.sort(), [
    "0123456789abcdef0123456789abcdef",
    "db-pass-1234",
    "ghp_0123456789",
    "pg-password-1",
    "sk-abc-0123456789",
    "whsec_0123456789",
  ]);
  const redactor = new SecretRedactor({ environment: { AZURE_OPENAI_API_KEY: "0123456789abcdef0123456789abcdef" } });
  assert.equal(
    redactor.redact("Access denied due to invalid subscription key 0123456789abcdef0123456789abcdef."),
    "Access denied due to invalid subscription key [redacted].",
    "a hex key matches no pattern: only knowing it catches it",
  );
});

test("a log entry is redacted field by field, nested values included, and a clean one comes back the same", () => {
  const redactor = new SecretRedactor();
  redactor.add(["tenant-key-123456"]);
  const clean = { level: "info", msg: "request", status: 200 };
  assert.deepEqual(redactor.redactEntry(clean), clean);
  const detail = { nested: { note: "ok" } };
  assert.deepEqual(
    redactor.redactEntry({ msg: "x", detail, error: { text: "got sk-abcdefgh12345678" }, key: "tenant-key-123456" }),
    { msg: "x", detail, error: { text: "got sk-[redacted]" }, key: "[redacted]" },
  );
  assert.equal(
    redactor.redactEntry({ msg: "header was Bearer\tabcdefgh12345678" }).msg,
    "header was Bearer\t[redacted]",
    "whitespace that JSON escapes does not hide a token",
  );
  const quoted = new SecretRedactor();
  quoted.add(['pa"ss\\word1']);
  assert.deepEqual(
    quoted.redactEntry({ msg: 'login with pa"ss\\word1 failed' }),
    { msg: "login with [redacted] failed" },
    "a secret that JSON escapes is still found",
  );
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.deepEqual(quoted.redactEntry({ msg: "m", cycle }), { msg: "m", cycle: { self: "[cycle]" } });
  const fresh = new SecretRedactor();
  assert.deepEqual(
    fresh.redactEntry({ error: 'bad config {"password":"hunter2"}' }),
    { error: 'bad config {"password":"[redacted]"}' },
    "a quoted value in a log line, where JSON escapes its quotes",
  );
  assert.deepEqual(fresh.redactEntry({ error: 'password="hunter2" host=db' }), {
    error: 'password="[redacted]" host=db',
  });
});

test("names after an underscore count, JSON stays JSON, and ordinary words are left alone", () => {
  const redact = (text: string) => new SecretRedactor().redact(text);
  assert.equal(
    redact("DB_PASSWORD=hunter2 and client_secret=abc123 and aws_access_token=xyz789"),
    "DB_PASSWORD=[redacted] and client_secret=[redacted] and aws_access_token=[redacted]",
  );
  assert.equal(redact('{"client_secret":"abc","n":1}'), '{"client_secret":"[redacted]","n":1}');
  const json = '{"secret":true,"api_key":null,"password":"hunter2","pwd":12,"n":[1]}';
  assert.deepEqual(
    JSON.parse(redact(json)),
    { secret: true, api_key: null, password: "[redacted]", pwd: 12, n: [1] },
    "literals stay, strings are redacted, and the text still parses",
  );
  assert.equal(redact('{"note":"the password=abc} in a string"}'), '{"note":"the password=[redacted]} in a string"}');
  for (const prose of [
    "The secret: it is in the details.",
    "Bearer authentication is required.",
    "Our password policy says 12 characters.",
    "see the secrets page",
  ])
    assert.equal(redact(prose), prose);
  assert.equal(redact("Authorization: Bearer abcdefgh12345678"), "Authorization: Bearer [redacted]");
});

test("no text makes a pattern take more than linear time", () => {
  // Linear, all of these take about 50 ms; with a pattern that can restart its scan at each of many
  // places, one takes minutes. A synchronous test cannot time out, so the bound is asserted, a
  // hundredfold above the linear figure so that a loaded machine never trips it.
  const redactor = new SecretRedactor();
  const started = performance.now();
  for (const text of [
    `${"a.".repeat(100_000)}password`,
    `${"a://".repeat(50_000)}@`,
    "password=".repeat(50_000),
    `${"Bearer ".repeat(50_000)}x`,
    `${"x".repeat(200_000)}://${"u".repeat(200_000)}`,
    "%".repeat(200_000),
    `${"%41".repeat(100_000)}%`,
  ]) {
    assert.equal(typeof redactor.redact(text), "string");
  }
  assert.ok(performance.now() - started < 5_000, `the redactions took ${Math.round(performance.now() - started)} ms`);
});

test("past the first 256 known secrets, more are found by an index, the longest first", () => {
  const redactor = new SecretRedactor();
  const secrets = Array.from({ length: 2_000 }, (_, index) => `tenant-key-${index.toString().padStart(5, "0")}`);
  redactor.add(secrets);
  redactor.add(["tenant-key-01999-and-more"]);
  assert.equal(
    redactor.redact(`a ${secrets[0]} b ${secrets[1_500]} c tenant-key-01999-and-more d`),
    "a [redacted] b [redacted] c [redacted] d",
  );
  assert.equal(redactor.redact("tenant-key-99999"), "tenant-key-99999");
  assert.ok(redactor.has(secrets[1_999] as string));
});

test("more shapes of secrets, and ordinary text that only looks like one", () => {
  const redact = (text: string) => new SecretRedactor().redact(text);
  assert.equal(
    redact('{"dbPassword":"x1","clientSecret":"y2"} refresh_token=z3'),
    '{"dbPassword":"[redacted]","clientSecret":"[redacted]"} refresh_token=[redacted]',
  );
  assert.equal(
    redact("postgres://app:p@ss@db.internal/app"),
    "postgres://[redacted]@db.internal/app",
    "a raw @ in a password goes with it",
  );
  assert.equal(redact("Authorization: Basic dXNlcjpwYXNz"), "Authorization: Basic [redacted]");
  assert.equal(
    redact("stripe sk_live_51Habcdefghij and rk_test_abcdefghij12"),
    "stripe sk_live_[redacted] and rk_test_[redacted]",
  );
  for (const text of [
    "Basic authentication is off.",
    "release pk-12345678 and rk-2024-06-01-release",
    "cd pwd=/home/me",
    "max_tokens=5",
  ])
    assert.equal(redact(text), text);
});

test("a value is redacted string by string: what JSON would write, without losing shared objects, however deep", () => {
  const redactor = new SecretRedactor();
  redactor.add(["hunter2hunter2"]);
  const shared = { note: "uses hunter2hunter2" };
  assert.deepEqual(
    redactor.redactValue({
      a: shared,
      b: shared,
      list: ["uses hunter2hunter2"],
      at: new Date(0),
      output: 'said "password=hunter3"',
    }),
    {
      a: { note: "uses [redacted]" },
      b: { note: "uses [redacted]" },
      list: ["uses [redacted]"],
      at: "1970-01-01T00:00:00.000Z",
      output: 'said "password=[redacted]"',
    },
  );
  let deep: Record<string, unknown> = { leaf: "hunter2hunter2" };
  for (let level = 0; level < 20_000; level++) deep = { deep };
  assert.doesNotThrow(() => redactor.redactValue(deep), "nesting past the depth limit is cut, not a stack overflow");
});

test("thousands of keys that share a prefix cost a lookup per length, not per key; the longest known secret wins across all of them", () => {
  const redactor = new SecretRedactor();
  const keys = Array.from({ length: 10_000 }, (_, index) => `hth_live_${index.toString(36).padStart(8, "0")}`);
  redactor.add(keys);
  const started = performance.now();
  const text = "hth_li".repeat(2_500);
  assert.equal(redactor.redact(text), text);
  // A hundredfold margin over the linear figure (a few ms): with a lookup per key it took seconds.
  assert.ok(performance.now() - started < 1_000, `${Math.round(performance.now() - started)} ms`);
  redactor.add(["hunter2hunter2", "tenantKEYhunter2hunter2tail-ABCDEF"]);
  assert.equal(
    redactor.redact(`x ${keys[42]} y tenantKEYhunter2hunter2tail-ABCDEF z hunter2hunter2`),
    "x [redacted] y [redacted] z [redacted]",
  );
});

test("a thousand known secrets are found as surely as one", () => {
  const redactor = new SecretRedactor();
  const secrets = Array.from({ length: 1000 }, (_, index) => `tenant-secret-${index.toString().padStart(4, "0")}-xyz`);
  redactor.add(secrets);
  assert.equal(redactor.redact(`a ${secrets[0]} b ${secrets[999]} c`), "a [redacted] b [redacted] c");
  redactor.add(["added-later-secret"]);
  assert.equal(redactor.redact("added-later-secret"), "[redacted]", "a secret added after a redaction is found too");
});
