import { UserError } from "../core/errors.ts";
import type { App } from "../runtime/app.ts";

/** Imports an app module and finds its app: the default export, an export named `app`, or the only app it exports. */
export async function loadApp(file: string): Promise<App> {
  const { resolve } = process.getBuiltinModule("node:path");
  const { pathToFileURL } = process.getBuiltinModule("node:url");
  const { existsSync } = process.getBuiltinModule("node:fs");
  const path = resolve(file);
  if (!existsSync(path)) throw new UserError(`There is no app module at ${path}.`, { field: "app" });
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
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
