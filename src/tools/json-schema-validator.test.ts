import assert from "node:assert/strict";
import { test } from "node:test";
import { validateJsonSchema } from "./json-schema-validator.ts";

const order = {
  type: "object",
  properties: {
    order_id: { type: "string", pattern: "^[A-Z][0-9]{3}$" },
    quantity: { type: "integer", minimum: 1, maximum: 10 },
    note: { type: ["string", "null"], maxLength: 5 },
    tags: { type: "array", items: { enum: ["gift", "rush"] }, uniqueItems: true, maxItems: 2 },
    address: { $ref: "#/$defs/address" },
  },
  required: ["order_id"],
  additionalProperties: false,
  $defs: { address: { type: "object", properties: { city: { type: "string", minLength: 1 } }, required: ["city"] } },
};

test("valid values pass", () => {
  assert.deepEqual(validateJsonSchema(order, { order_id: "A123" }), []);
  assert.deepEqual(
    validateJsonSchema(order, { order_id: "A123", quantity: 2, note: null, tags: ["gift"], address: { city: "Lyon" } }),
    [],
  );
});

test("each violated keyword is reported with its path", () => {
  const cases: [unknown, RegExp][] = [
    [{}, /\$: missing required property "order_id"/],
    [{ order_id: "a1" }, /\$\.order_id: must match/],
    [{ order_id: 123 }, /\$\.order_id: expected string, got integer/],
    [{ order_id: "A123", quantity: 1.5 }, /\$\.quantity: expected integer, got number/],
    [{ order_id: "A123", quantity: 11 }, /\$\.quantity: must be <= 10/],
    [{ order_id: "A123", note: "too long" }, /\$\.note: must be at most 5 characters/],
    [{ order_id: "A123", tags: ["gift", "gift"] }, /\$\.tags: items must be unique/],
    [{ order_id: "A123", tags: ["other"] }, /\$\.tags\[0\]: must be one of/],
    [{ order_id: "A123", extra: true }, /\$: unknown property "extra"/],
    [{ order_id: "A123", address: {} }, /\$\.address: missing required property "city"/],
    ["A123", /\$: expected object, got string/],
  ];
  for (const [value, expected] of cases) {
    const problems = validateJsonSchema(order, value);
    assert.ok(
      problems.some((problem) => expected.test(problem)),
      `${JSON.stringify(value)} gave ${JSON.stringify(problems)}`,
    );
  }
});

test("anyOf, oneOf, allOf, not and const combine", () => {
  const schema = { anyOf: [{ type: "string" }, { type: "number", minimum: 0 }] };
  assert.deepEqual(validateJsonSchema(schema, "x"), []);
  assert.deepEqual(validateJsonSchema(schema, 3), []);
  assert.equal(validateJsonSchema(schema, -1).length, 1);
  assert.equal(validateJsonSchema({ oneOf: [{ type: "number" }, { type: "integer" }] }, 2).length, 1);
  assert.equal(validateJsonSchema({ allOf: [{ minimum: 1 }, { maximum: 2 }] }, 3).length, 1);
  assert.equal(validateJsonSchema({ not: { const: "no" } }, "no").length, 1);
  assert.equal(validateJsonSchema({ const: { a: [1] } }, { a: [1] }).length, 0);
});

test("problems are capped so a huge bad input stays cheap to report", () => {
  const schema = { type: "array", items: { type: "string" } };
  assert.equal(
    validateJsonSchema(
      schema,
      Array.from({ length: 100 }, (_, index) => index),
    ).length,
    5,
  );
});

test("exclusiveMinimum and exclusiveMaximum refuse the boundary itself; minimum and maximum accept it", () => {
  const range = { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 };
  assert.deepEqual(validateJsonSchema(range, 0.5), []);
  assert.match(validateJsonSchema(range, 0).join(), /must be > 0/);
  assert.match(validateJsonSchema(range, 1).join(), /must be < 1/);
  assert.match(validateJsonSchema(range, -0.1).join(), /must be > 0/);
  assert.match(validateJsonSchema(range, 1.1).join(), /must be < 1/);
  const inclusive = { type: "number", minimum: 0, maximum: 1 };
  assert.deepEqual(validateJsonSchema(inclusive, 0), []);
  assert.deepEqual(validateJsonSchema(inclusive, 1), []);
});
