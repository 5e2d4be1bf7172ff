import { UserError } from "../../core/errors.ts";
import * as templates from "./templates.ts";

/** The files of a new app, by name. */
const files: Readonly<Record<string, string>> = {
  "app.ts": templates.appTs,
  "faq.md": templates.faqMd,
  "mock-model.ts": templates.mockModelTs,
  "app.test.ts": templates.appTestTs,
  "hearth.budget.json": templates.budgetJson,
  "package.json": templates.packageJson,
  Dockerfile: templates.dockerfile,
  ".gitignore": templates.gitignore,
  ".dockerignore": templates.dockerignore,
  "README.md": templates.readme,
};

/** A package name made of the folder's: lower case, letters, digits, `-`, `_` and `.`. */
function packageName(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+|-+$/g, "");
  return name === "" ? "agent-app" : name.slice(0, 214);
}

/**
 * `hearth init [dir]`: writes a small working app (one agent, one tool, one asset, its test, a
 * startup budget and a Dockerfile) into a new or empty folder. Never overwrites anything.
 */
export async function initCommand(directory: string, version: string): Promise<number> {
  const { existsSync, mkdirSync, readdirSync, writeFileSync } = process.getBuiltinModule("node:fs");
  const { basename, join, relative, resolve } = process.getBuiltinModule("node:path");
  const target = resolve(directory);
  const present = existsSync(target) ? readdirSync(target).filter((name) => name !== ".git") : [];
  if (present.length > 0)
    throw new UserError(
      `${directory} is not empty (${present.slice(0, 3).join(", ")}${present.length > 3 ? ", …" : ""}): hearth init writes into a new or empty folder.`,
      { field: "dir" },
    );
  mkdirSync(target, { recursive: true });
  const name = packageName(basename(target));
  for (const [file, template] of Object.entries(files))
    writeFileSync(join(target, file), template.replaceAll("__NAME__", name).replaceAll("__HEARTH_VERSION__", version));
  const where = relative(process.cwd(), target) || ".";
  process.stdout.write(
    `hearth init: a new app in ${where}/ (${Object.keys(files).join(", ")})\nNext:\n${where === "." ? "" : `  cd ${where}\n`}  npm install\n  npm test\n  OPENAI_API_KEY=sk-... npm run dev   # then open http://127.0.0.1:8787/playground\n`,
  );
  return 0;
}
