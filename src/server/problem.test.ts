import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import { addSecrets } from "../internal/redact.ts";
import { problemOf } from "./problem.ts";

test("a problem document's detail is redacted: a message can quote a secret", () => {
  addSecrets(["resource-secret-42"]);
  const { body } = problemOf(
    new HearthError(
      "HEARTH_STORE_UNAVAILABLE",
      "Redis at redis://:hunter22@cache:6379 said: auth resource-secret-42 refused",
    ),
    "req_1",
  );
  assert.equal(body.detail, "Redis at redis://[redacted]@cache:6379 said: auth [redacted] refused");
  assert.equal(body.code, "HEARTH_STORE_UNAVAILABLE");
});

test("an unexpected error's problem says only that the log has it; its status is 500", () => {
  const { status, body } = problemOf(new TypeError("x is undefined at /srv/app.ts:12"));
  assert.equal(status, 500);
  assert.equal(body.code, "HEARTH_INTERNAL");
  assert.doesNotMatch(String(body.detail), /undefined|app\.ts/);
});

test("a problem document's field is redacted too: a client can send a key as a field's name", () => {
  addSecrets(["field-secret-4242"]);
  const { body } = problemOf(
    new HearthError("HEARTH_INVALID_REQUEST", "`field-secret-4242` is not a field of a chat request.", {
      field: "field-secret-4242",
    }),
  );
  assert.equal(body.field, "[redacted]");
  assert.equal(body.detail, "`[redacted]` is not a field of a chat request.");
  assert.equal(
    problemOf(new HearthError("HEARTH_INVALID_REQUEST", "x", { field: "sessionId" })).body.field,
    "sessionId",
  );
});
