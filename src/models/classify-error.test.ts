import assert from "node:assert/strict";
import { test } from "node:test";
import { errorFromNetwork, errorFromStatus, parseRetryAfter, providerTarget } from "./classify-error.ts";

const target = providerTarget("local-llm", new URL("http://x/v1/chat/completions"));

test("statuses map to documented codes, and only transient ones are retryable", () => {
  const cases: [number, string, boolean][] = [
    [400, "HEARTH_MODEL_BAD_REQUEST", false],
    [401, "HEARTH_MODEL_AUTH", false],
    [403, "HEARTH_MODEL_AUTH", false],
    [404, "HEARTH_MODEL_BAD_REQUEST", false],
    [408, "HEARTH_MODEL_SERVER", true],
    // A provider's 409 (a concurrent request on its side, e.g. a lock) passes: it is retried.
    [409, "HEARTH_MODEL_SERVER", true],
    [422, "HEARTH_MODEL_BAD_REQUEST", false],
    [429, "HEARTH_MODEL_RATE_LIMITED", true],
    [500, "HEARTH_MODEL_SERVER", true],
    [503, "HEARTH_MODEL_SERVER", true],
  ];
  for (const [status, code, retryable] of cases) {
    const error = errorFromStatus(status, '{"error":{"message":"provider says no"}}', {}, target);
    assert.equal(error.code, code, `status ${status}`);
    assert.equal(error.retryable, retryable, `status ${status}`);
    assert.equal(error.status, status);
    assert.match(error.message, /provider says no/);
  }
});

test("Retry-After is read from retry-after-ms, seconds, or an HTTP date", () => {
  assert.equal(parseRetryAfter({ "retry-after-ms": "250" }), 250);
  assert.equal(parseRetryAfter({ "retry-after": "2" }), 2000);
  assert.equal(parseRetryAfter({ "retry-after": "0.5" }), 500);
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(parseRetryAfter({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }, now), 3000);
  assert.equal(parseRetryAfter({ "retry-after": "soon" }), undefined);
  assert.equal(parseRetryAfter({}), undefined);
  assert.equal(errorFromStatus(429, "", { "retry-after": "1" }, target).retryAfterMs, 1000);
});

test("socket errors are connection errors; certificate failures are not retried", () => {
  for (const code of ["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "ERR_TLS_HANDSHAKE_TIMEOUT"]) {
    const error = errorFromNetwork(Object.assign(new Error(code), { code }), target);
    assert.equal(error.code, "HEARTH_MODEL_CONNECTION", code);
    assert.equal(error.retryable, true, code);
  }
  assert.match(errorFromNetwork(Object.assign(new Error("x"), { code: "ENOTFOUND" }), target).message, /resolve/);
  const certificate = errorFromNetwork(Object.assign(new Error("bad cert"), { code: "CERT_HAS_EXPIRED" }), target);
  assert.equal(certificate.code, "HEARTH_MODEL_CONNECTION");
  assert.equal(certificate.retryable, false);
});

test("errors name the provider by its label, never by its URL; the URL keeps no user info", () => {
  const secretTarget = providerTarget("local-llm", new URL("http://user:pa55word@10.0.0.7:8080/v1/chat/completions"));
  assert.equal(secretTarget.url, "http://10.0.0.7:8080/v1/chat/completions");
  const errors = [
    errorFromNetwork(
      Object.assign(new Error("connect ECONNREFUSED 10.0.0.7:8080"), { code: "ECONNREFUSED" }),
      secretTarget,
    ),
    errorFromNetwork(
      Object.assign(new Error("Hostname/IP does not match certificate's altnames: Host: 10.0.0.7"), {
        code: "ERR_TLS_CERT_ALTNAME_INVALID",
      }),
      secretTarget,
    ),
    errorFromNetwork(new Error("socket hang up at 10.0.0.7:8080"), secretTarget),
    errorFromStatus(500, "upstream 10.0.0.7 failed", {}, secretTarget),
  ];
  for (const error of errors.slice(0, 3)) {
    assert.match(error.message, /"local-llm"/);
    assert.doesNotMatch(error.message, /10\.0\.0\.7|8080|user|pa55word/);
    assert.equal(error.url, "http://10.0.0.7:8080/v1/chat/completions");
  }
  assert.match(errors[3]?.message ?? "", /^The model provider "local-llm" failed \(500\)/);
});

test("a provider message that quotes a key is redacted", () => {
  const error = errorFromStatus(
    401,
    '{"error":{"message":"Incorrect API key provided: sk-live-0123456789abcdef. Bearer abcdefgh12345678"}}',
    {},
    target,
  );
  assert.doesNotMatch(error.message, /0123456789abcdef|abcdefgh12345678/);
});
