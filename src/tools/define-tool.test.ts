import assert from "node:assert/strict";
import { test } from "node:test";
import * as v from "valibot";
import { z } from "zod";
import { HearthError, UserError } from "../core/errors.ts";
import { defineTool } from "./define-tool.ts";

const noop = () => "ok";

test("a zod 4 schema gives the model its JSON Schema (without $schema) and validates arguments", async () => {
  const tool = defineTool({
    name: "lookup_order",
    description: "Look up an order.",
    parameters: z.object({ order_id: z.string().regex(/^[A-Z]\d{3}$/) }),
    execute: ({ order_id }) => order_id.toLowerCase(),
  });
  assert.equal(tool.parameters.$schema, undefined);
  assert.equal(tool.parameters.type, "object");
  assert.deepEqual(tool.parameters.required, ["order_id"]);
  assert.deepEqual(await tool.checkArguments({ order_id: "A123" }), { ok: true, value: { order_id: "A123" } });
  const bad = await tool.checkArguments({ order_id: 5 });
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? "" : bad.message, /^order_id: /);
  assert.ok(Object.isFrozen(tool) && Object.isFrozen(tool.parameters));
});

test("a Standard Schema without JSON Schema support (valibot) needs jsonSchema, and then works", async () => {
  const parameters = v.object({ city: v.string() });
  assert.throws(
    () => defineTool({ name: "weather", description: "", parameters, execute: noop }),
    (error) =>
      HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === "parameters" && /valibot/.test(error.message),
  );
  const tool = defineTool({
    name: "weather",
    description: "Weather for a city.",
    parameters,
    jsonSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    execute: ({ city }) => `sunny in ${city}`,
  });
  assert.deepEqual(await tool.checkArguments({ city: "Oslo" }), { ok: true, value: { city: "Oslo" } });
  assert.equal((await tool.checkArguments({})).ok, false);
});

test("a plain JSON Schema is validated by hearth's own validator", async () => {
  const tool = defineTool({
    name: "add",
    description: "Adds.",
    parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
    execute: ({ a, b }) => Number(a) + Number(b),
  });
  assert.deepEqual(await tool.checkArguments({ a: 1, b: 2 }), { ok: true, value: { a: 1, b: 2 } });
  const bad = await tool.checkArguments({ a: 1 });
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? "" : bad.message, /missing required property "b"/);
});

test("bad definitions fail at definition time with the field named", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ name: "has space", description: "", parameters: { type: "object" }, execute: noop }, "name"],
    [{ name: "x".repeat(65), description: "", parameters: { type: "object" }, execute: noop }, "name"],
    [{ name: "t", parameters: { type: "object" }, execute: noop }, "description"],
    [{ name: "t", description: "", parameters: { type: "object" } }, "execute"],
    [{ name: "t", description: "", parameters: { type: "string" }, execute: noop }, "parameters"],
    [{ name: "t", description: "", parameters: [], execute: noop }, "parameters"],
    [{ name: "t", description: "", parameters: { type: "object" }, execute: noop, timeoutMs: 0 }, "timeoutMs"],
  ];
  for (const [definition, field] of cases) {
    assert.throws(
      () => defineTool(definition as never),
      (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === field,
      JSON.stringify(definition),
    );
  }
});

test("defineTool refuses an unknown option naming the nearest, and AutoGen's func with what to give instead", () => {
  const base = { name: "lookup", description: "Look up.", parameters: { type: "object" }, execute: () => "ok" };
  assert.throws(
    () => defineTool({ ...base, timeoutMS: 5 } as never),
    (error: unknown) =>
      error instanceof UserError &&
      error.field === "timeoutMS" &&
      /Tool "lookup".*Did you mean "timeoutMs"/.test(error.message),
  );
  assert.throws(
    () => defineTool({ ...base, func: () => "ok" } as never),
    (error: unknown) =>
      error instanceof UserError && error.field === "func" && /execute\(args, context\)/.test(error.message),
  );
  assert.equal(defineTool({ ...base, timeoutMs: 5, strict: false, needsApproval: false }).name, "lookup");
});
