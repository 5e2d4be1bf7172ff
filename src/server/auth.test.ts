import assert from "node:assert/strict";
import { test } from "node:test";
import { keyIndexOf, matchesDigest, secretDigest } from "./auth.ts";

test("the key index holds digests, not keys, and finds a tenant by the digest of the key presented", () => {
  const apiKeys: Record<string, string> = { "sk-acme-secret-1": "acme", "sk-globex-secret": "globex" };
  const index = keyIndexOf(apiKeys);
  assert.equal(keyIndexOf(apiKeys), index, "made once per app");
  for (const digest of index.keys()) assert.match(digest, /^[0-9a-f]{64}$/);
  assert.ok(![...index.keys()].some((digest) => digest.includes("secret")));
  const { createHash } = process.getBuiltinModule("node:crypto");
  assert.equal(index.get(createHash("sha256").update("sk-acme-secret-1").digest("hex")), "acme");
  assert.equal(index.get(createHash("sha256").update("sk-acme-secret-2").digest("hex")), undefined);
});

test("a secret matches its digest only when whole: shorter, longer, changed or missing is no match, and no length throws", () => {
  const expected = secretDigest("warmup-token-0123");
  assert.equal(matchesDigest("warmup-token-0123", expected), true);
  for (const given of [
    undefined,
    "",
    "warmup-token-012",
    "warmup-token-01234",
    "Warmup-token-0123",
    "x".repeat(10_000),
  ])
    assert.equal(matchesDigest(given, expected), false, String(given).slice(0, 20));
});
