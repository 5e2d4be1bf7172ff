import { UserError } from "../core/errors.ts";
import type { App } from "../runtime/app.ts";

const appFiles = ["app.ts", "app.mts", "app.js", "app.mjs", "index.ts", "index.js"];

/** The module to load for `path`: the file itself, or a folder's app file (app.ts, app.js, index.ts, ...). */
export function moduleIn(path: string): string {
  const { existsSync, statSync } = process.getBuiltinModule("node:fs");
  const { join } = process.getBuiltinModule("node:path");
  if (!existsSync(path)) throw new UserError(`There is no app module at ${path}.`, { field: "app" });
  if (!statSync(path).isDirectory()) {
    if (!/\.[cm]?[jt]s$/.test(path))
      throw new UserError(
        `${path} is not an app module: give a .ts or .js file that exports a defineApp() app, or a folder with one (${appFiles.join(", ")}).`,
        { field: "app" },
      );
    return path;
  }
  const found = appFiles.map((name) => join(path, name)).find((candidate) => existsSync(candidate));
  if (found === undefined)
    throw new UserError(`${path} is a folder with no app module in it: hearth looks for ${appFiles.join(", ")}.`, {
      field: "app",
    });
  return found;
}

/** Imports an app module and finds its app: the default export, an export named `app`, or the only app it exports. */
export async function loadApp(file: string): Promise<App> {
  const { resolve } = process.getBuiltinModule("node:path");
  const { pathToFileURL } = process.getBuiltinModule("node:url");
  const path = moduleIn(resolve(file));
  if (/\.[cm]?ts$/.test(path) && !process.features.typescript)
    throw new UserError(
      `${file} is TypeScript, which this Node (${process.versions.node}) cannot load: hearth runs TypeScript apps with Node's own type stripping, in Node 22.18 or later (or 23.6 or later). Use a newer Node, or build the app to JavaScript.`,
      { field: "app" },
    );
  return appIn((await import(pathToFileURL(path).href)) as Record<string, unknown>, file);
}

/** The app a module exports: its default export, an export named `app`, or the only app it exports. */
export function appIn(module: Readonly<Record<string, unknown>>, file: string): App {
  const isApp = (value: unknown): value is App => (value as { kind?: unknown } | undefined)?.kind === "hearth-app";
  if (isApp(module.default)) return module.default;
  if (isApp(module.app)) return module.app;
  const apps = Object.values(module).filter(isApp);
  if (apps.length === 1) return apps[0] as App;
  throw new UserError(
    apps.length === 0
      ? `${file} exports no app: export one made with defineApp() (as default, or as \`app\`).`
      : `${file} exports ${apps.length} apps: export the one to serve as default.`,
    { field: "app" },
  );
}
