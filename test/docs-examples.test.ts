// Every TypeScript example in the README and docs/ must type-check against hearth's real API.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = new URL("../", import.meta.url).pathname;
const out = join(root, "node_modules/.cache/hearth-doc-examples");

test("the TypeScript examples in README.md and docs/ type-check", async () => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const documents = [
    "README.md",
    ...readdirSync(join(root, "docs"))
      .filter((file) => file.endsWith(".md"))
      .map((file) => `docs/${file}`),
  ];
  const files: string[] = [];
  for (const document of documents) {
    const text = readFileSync(join(root, document), "utf8");
    [...text.matchAll(/```ts\n([\s\S]*?)```/g)].forEach((match, index) => {
      const file = `${document.replace(/[/.]/g, "_")}_${index + 1}.ts`;
      // `export {}` makes a block without imports a module too, so top-level await is allowed.
      writeFileSync(join(out, file), `${match[1]}\nexport {};\n`);
      files.push(file);
    });
  }
  assert.ok(files.length >= 10, `found ${files.length} examples`);
  // Examples import "./app.ts", the reader's own app: the support example stands in for it.
  writeFileSync(join(out, "app.ts"), 'export { supportApp as default } from "../../../examples/support/app.ts";\n');
  writeFileSync(
    join(out, "tsconfig.json"),
    JSON.stringify({
      extends: "../../../tsconfig.json",
      compilerOptions: { noUnusedLocals: false },
      include: ["*.ts"],
    }),
  );
  try {
    await run(join(root, "node_modules/.bin/tsc"), ["-p", join(out, "tsconfig.json")], { cwd: root });
  } catch (error) {
    assert.fail(`examples do not type-check:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
  }
});
