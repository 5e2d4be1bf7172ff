// Every file the README and docs/ name by its path exists in the repo: a reader who opens one finds it.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const root = new URL("../", import.meta.url).pathname;

test("the files the README and docs/ name by path exist", () => {
  const documents = ["README.md", ...readdirSync(join(root, "docs")).map((file) => `docs/${file}`)].filter((file) =>
    file.endsWith(".md"),
  );
  const missing: string[] = [];
  let named = 0;
  for (const document of documents) {
    const text = readFileSync(join(root, document), "utf8");
    // A path in code quotes with a folder and an extension: `examples/own-routes/express.ts`, `docs/ci.md`.
    for (const [, path] of text.matchAll(/`([A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+\.(?:ts|md|json|sh|png))`/g)) {
      if (path === undefined || path.startsWith("node_modules/") || path.startsWith(".hearth/")) continue;
      named += 1;
      // Paths inside src/ are often written from src/ (`runtime/runtime.ts`).
      if (!existsSync(join(root, path)) && !existsSync(join(root, "src", path))) missing.push(`${document}: ${path}`);
    }
  }
  assert.ok(named > 20, `found ${named} paths`);
  assert.deepEqual(missing, []);
});
