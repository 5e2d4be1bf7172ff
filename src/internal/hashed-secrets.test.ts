import assert from "node:assert/strict";
import { test } from "node:test";
import { HashedSecrets } from "./hashed-secrets.ts";
import { SecretRedactor } from "./redact.ts";

test("a key known by its digest is found wherever a known raw secret would be: inside words, beside quotes, many times, and across lengths the longest first", () => {
  const keys = new HashedSecrets();
  keys.add(["hk_live_0123456789", "hk_live_0123456789_long", 'qu"o\\te:key', "ключ-😀-секрет"]);
  const redact = (text: string) => keys.redact(text);
  const clean = "GET /v1/chat req_abc hk_live_012345678 (one short)";
  assert.equal(redact(clean), clean);
  assert.equal(redact("hk_live_0123456789"), "[redacted]");
  assert.equal(
    redact('key="hk_live_0123456789",x=hk_live_0123456789hk_live_0123456789.'),
    'key="[redacted]",x=[redacted][redacted].',
  );
  assert.equal(redact("Bearer hk_live_0123456789_long!"), "Bearer [redacted]!", "the longer key wins where both start");
  assert.equal(redact('said qu"o\\te:key and ключ-😀-секрет.'), "said [redacted] and [redacted].");
  assert.equal(redact("hk_live_0123456789_lon"), "[redacted]_lon");
  assert.ok(keys.has("hk_live_0123456789") && !keys.has("hk_live_012345678"));
  assert.equal(keys.size, 4);
});

test("a long text is scanned once per key length, not once per key: a megabyte against a thousand keys takes milliseconds", () => {
  const keys = new HashedSecrets();
  keys.add(Array.from({ length: 1_000 }, (_, index) => `tenant-key-${index.toString(36).padStart(12, "0")}`));
  const text = "tenant-key-".repeat(100_000);
  const started = performance.now();
  assert.ok(keys.redact(text) === text, "nothing found");
  const elapsed = performance.now() - started;
  // About 5 ms here (4 ns a character, whatever the number of keys); a SHA-256 at every place took
  // seconds. A wide margin for a loaded machine.
  assert.ok(elapsed < 2_000, `${Math.round(elapsed)} ms`);
  assert.equal(keys.redact(`${text.slice(0, 30)}tenant-key-0000000000rr.`), `${text.slice(0, 30)}[redacted].`);
});

test("the redactor finds keys added as digests with the rest, and keeps them apart from the raw secrets", () => {
  const redactor = new SecretRedactor();
  redactor.addHashed(["client-key-0001-abcdef", "short", undefined]);
  redactor.add(["provider-secret-42"]);
  assert.equal(
    redactor.redact("client-key-0001-abcdef sent provider-secret-42, short stays"),
    "[redacted] sent [redacted], short stays",
  );
  assert.deepEqual(redactor.redactEntry({ msg: "x", nested: { key: "client-key-0001-abcdef" } }), {
    msg: "x",
    nested: { key: "[redacted]" },
  });
  assert.ok(redactor.has("client-key-0001-abcdef"));
});

test("a known secret percent-encoded, as a path or a query string quotes it, is found in its decoded form and its run of URL characters redacted", () => {
  const redactor = new SecretRedactor();
  redactor.addHashed(["q\"u\\o'te<key>&%-0001", "clé-秘密-😀-0002"]);
  redactor.add(["raw+secret/with=0003"]);
  const redact = (text: string) => redactor.redact(text);
  assert.equal(
    redact(`No route GET /v1/${encodeURIComponent("q\"u\\o'te<key>&%-0001")}.`),
    "No route GET [redacted]",
    "the run takes the full stop with it: a URL may end in one",
  );
  assert.equal(redact(`GET ${encodeURI("/v1/clé-秘密-😀-0002")} failed`), "GET [redacted] failed");
  assert.equal(
    redact(`https://api.example/v1?key=${encodeURIComponent("raw+secret/with=0003")}&x=1 said no`),
    "[redacted] said no",
  );
  for (const clean of ["GET /v1/caf%C3%A9 100% done", "bad escape %E7%A7 and %zz and %", "/v1/sessions/%2e%2e/x"])
    assert.equal(redact(clean), clean);
});
