import type { FSWatcher } from "node:fs";
import { diagnosticsChannel } from "../core/diagnostics.ts";
import { errorMessage } from "../internal/error-message.ts";
import { assetPath, loadAsset, type Asset } from "./asset.ts";
import type { Logger } from "../internal/log.ts";
import type { AnyApp } from "./app.ts";
import { errorSummary } from "./startup-trace.ts";

/**
 * Dev mode: an asset file that changes is read again and handed to `reloaded` (the runtime rebuilds
 * its agents and teams with it). A bad edit is logged and the previous version kept. Returns the
 * watchers, to close.
 */
export function watchAssets(
  app: AnyApp,
  root: string,
  reloaded: (name: string, value: unknown) => Promise<void>,
  log: Logger,
): FSWatcher[] {
  const { watch } = process.getBuiltinModule("node:fs");
  const watchers: FSWatcher[] = [];
  for (const [name, definition] of Object.entries((app.assets ?? {}) as Record<string, Asset<unknown>>)) {
    const file = assetPath(definition.path, root);
    let timer: NodeJS.Timeout | undefined;
    const reload = async () => {
      try {
        await reloaded(name, await loadAsset(definition, name, root));
        log({ level: "info", msg: `asset "${name}" reloaded`, asset: name, file });
        diagnosticsChannel("hearth:asset-reload").publish({ app: app.name, asset: name, ok: true });
      } catch (error) {
        log({
          level: "error",
          msg: `asset "${name}" could not be reloaded; keeping the previous version: ${errorMessage(error)}`,
          asset: name,
        });
        diagnosticsChannel("hearth:asset-reload").publish({
          app: app.name,
          asset: name,
          ok: false,
          error: errorSummary(error),
        });
      }
    };
    // An editor writes a file in several events: one reload, 30 ms after the last.
    const watcher = watch(file, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 30);
    });
    watcher.unref();
    watchers.push(watcher);
  }
  return watchers;
}
