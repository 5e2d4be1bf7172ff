import assert from "node:assert/strict";
import { test } from "node:test";
import { errorCatalogue, httpStatusOf } from "./error-codes.ts";
import { HearthError, UserError } from "./errors.ts";

test("HearthError carries its code, fields and cause, and serialises without the stack", () => {
  const cause = new Error("socket hang up");
  const error = new HearthError("HEARTH_MODEL_RATE_LIMITED", "slow down", {
    retryable: true,
    status: 429,
    retryAfterMs: 1000,
    cause,
  });
  assert.equal(error.code, "HEARTH_MODEL_RATE_LIMITED");
  assert.equal(error.cause, cause);
  assert.ok(error instanceof Error);
  assert.deepEqual(error.toJSON(), {
    name: "HearthError",
    code: "HEARTH_MODEL_RATE_LIMITED",
    message: "slow down",
    retryable: true,
    status: 429,
    retryAfterMs: 1000,
  });
});

test("HearthError.is recognises an error from another copy of the package by its global marker", () => {
  const foreign = Object.assign(new Error("x"), { code: "HEARTH_MODEL_AUTH" });
  Object.defineProperty(foreign, Symbol.for("hearth.error"), { value: true });
  assert.ok(HearthError.is(foreign));
  assert.ok(HearthError.is(foreign, "HEARTH_MODEL_AUTH"));
  assert.ok(!HearthError.is(foreign, "HEARTH_MODEL_SERVER"));
  assert.ok(!HearthError.is(Object.assign(new Error("y"), { code: "HEARTH_MODEL_AUTH" })));
  assert.ok(!HearthError.is(null));
});

test("UserError is a never-retried HEARTH_CONFIG_INVALID naming the field", () => {
  const error = new UserError("bad model", { field: "model" });
  assert.ok(error instanceof HearthError);
  assert.equal(error.code, "HEARTH_CONFIG_INVALID");
  assert.equal(error.field, "model");
  assert.equal(error.retryable, false);
});

test("every code has an HTTP status in the one catalogue", () => {
  for (const code of Object.keys(errorCatalogue) as (keyof typeof errorCatalogue)[]) {
    assert.ok(Number.isInteger(httpStatusOf(code)), code);
    assert.match(code, /^HEARTH_[A-Z_]+$/);
  }
});
