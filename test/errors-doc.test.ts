// docs/errors.md and the error catalogue must list the same codes with the same HTTP statuses.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { errorCatalogue } from "../src/core/error-codes.ts";

const doc = readFileSync(new URL("../docs/errors.md", import.meta.url), "utf8");
const documented = new Map(
  [...doc.matchAll(/^\| `(HEARTH_[A-Z_]+)` \| (\d+) \|/gm)].map((match) => [match[1], Number(match[2])]),
);

test("every code in the catalogue is documented with its HTTP status", () => {
  for (const [code, entry] of Object.entries(errorCatalogue)) {
    assert.equal(documented.get(code), entry.status, `${code} in docs/errors.md`);
  }
});

test("docs/errors.md names no code that does not exist", () => {
  const mentioned = new Set(doc.match(/HEARTH_[A-Z_]+[A-Z]/g));
  for (const code of mentioned) assert.ok(code in errorCatalogue, `${code} is documented but not in the catalogue`);
});

test("every code hearth's sources raise is in the catalogue", async () => {
  const { readdirSync } = await import("node:fs");
  const files = readdirSync(new URL("../src/", import.meta.url), { recursive: true, encoding: "utf8" }).filter(
    (file) => file.endsWith(".ts") && !file.endsWith(".test.ts"),
  );
  for (const file of files) {
    const text = readFileSync(new URL(`../src/${file}`, import.meta.url), "utf8");
    for (const code of text.match(/"HEARTH_[A-Z_]+"/g) ?? [])
      assert.ok(code.slice(1, -1) in errorCatalogue, `${code} in src/${file}`);
  }
});
