import { errorMessage } from "../internal/error-message.ts";
import type { Cluster } from "node:cluster";
import { UserError } from "../core/errors.ts";
import type { CorsOptions } from "../server/cors.ts";
import type { SessionStoreConfig } from "../state/open-session-store.ts";
import { serve, type HearthServer, type ServeOptions } from "../server/node.ts";
import type { App } from "../runtime/app.ts";
import { loadApp } from "./load-app.ts";

export interface ServeCommandOptions {
  /** The app's module (a file, or a folder holding one), or the app itself (a built app's). */
  readonly app: string | App;
  readonly port: number;
  readonly host: string;
  readonly workers: number;
  readonly strict: boolean;
  readonly withoutTools: boolean;
  readonly drainDeadlineMs: number;
  readonly store: SessionStoreConfig;
  /** Serve the playground at /playground (`--playground`). */
  readonly playground: boolean;
  /** Serve /metrics without a key even when the app has keys (`--public-metrics`). */
  readonly publicMetrics: boolean;
  /** Browser origins allowed to call the server (`--cors`); undefined: CORS off. */
  readonly cors?: CorsOptions;
}

/**
 * Drains on SIGTERM or SIGINT: readiness fails, new requests get 503, turns in flight finish within
 * the deadline, then the process exits. A second signal exits at once.
 */
export function closeOnSignals(server: HearthServer, deadlineMs: number, log: (message: string) => void): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    signalled = true;
    log(`${signal}: draining (deadline ${deadlineMs} ms)`);
    server.close({ deadlineMs }).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

export async function serveCommand(options: ServeCommandOptions): Promise<number> {
  const cluster = process.getBuiltinModule("node:cluster") as unknown as Cluster;
  const say = (message: string) => process.stderr.write(`hearth: ${message}\n`);
  if (options.workers > 1 && cluster.isPrimary) return runPrimary(options, say);
  const app = typeof options.app === "string" ? await loadApp(options.app) : options.app;
  const serveOptions: ServeOptions = {
    port: options.port,
    host: options.host,
    runtime: { strict: options.strict, withoutTools: options.withoutTools },
    store: options.store,
    playground: options.playground,
    publicMetrics: options.publicMetrics,
    ...(options.cors === undefined ? {} : { cors: options.cors }),
    // A cluster worker takes traffic only once it is warm.
    listenWhenReady: cluster.isWorker,
  };
  let server: HearthServer;
  try {
    server = await serve(app, serveOptions);
  } catch (error) {
    say(`startup failed: ${errorMessage(error)}`);
    return 1;
  }
  say(`${app.name} ready on ${server.url}${cluster.isWorker ? ` (worker ${process.pid})` : ""}`);
  if (options.playground) say(`playground: ${server.url}/playground`);
  closeOnSignals(server, options.drainDeadlineMs, say);
  // A rolling restart: the primary retires this worker once its replacement is warm and listening.
  if (cluster.isWorker)
    process.on("message", (message: unknown) => {
      if ((message as { hearth?: unknown } | null)?.hearth !== "retire") return;
      server.retire({ deadlineMs: options.drainDeadlineMs }).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  return await new Promise<number>(() => undefined);
}

/** The cluster's primary: forks the workers, replaces one that dies, and passes signals on. */
async function runPrimary(options: ServeCommandOptions, say: (message: string) => void): Promise<number> {
  const cluster = process.getBuiltinModule("node:cluster") as unknown as Cluster;
  let stopping = false;
  let restarts = 0;
  // Workers that are on their way out (retired by a reload, or new ones a failed reload gave up on): not replaced.
  const leaving = new Set<number>();
  const fork = () => cluster.fork();
  for (let index = 0; index < options.workers; index++) fork();
  let reloading = false;
  const reload = async () => {
    if (stopping || reloading) return;
    reloading = true;
    const old = Object.values(cluster.workers ?? {}).filter(
      (worker): worker is NonNullable<typeof worker> => worker !== undefined && !leaving.has(worker.id),
    );
    say(`SIGHUP: starting ${options.workers} new workers; the ${old.length} serving now leave once they are ready`);
    const fresh = Array.from({ length: options.workers }, fork);
    // A worker listens only once it is warm (listenWhenReady): listening is ready.
    const started = await Promise.all(
      fresh.map(
        (worker) =>
          new Promise<boolean>((resolve) => {
            worker.once("listening", () => resolve(true));
            worker.once("exit", () => resolve(false));
          }),
      ),
    );
    if (!started.every(Boolean) || stopping) {
      say("SIGHUP: a new worker did not start; the workers serving now go on serving");
      for (const worker of fresh) {
        leaving.add(worker.id);
        worker.process.kill("SIGTERM");
      }
    } else {
      for (const worker of old) {
        leaving.add(worker.id);
        worker.send({ hearth: "retire" });
      }
      say(`SIGHUP: ${fresh.length} new workers ready; the old ones are retiring`);
    }
    reloading = false;
  };
  process.on("SIGHUP", () => void reload());
  cluster.on("exit", (worker, code, signal) => {
    if (leaving.delete(worker.id)) return;
    if (stopping) return;
    // A worker that dies is replaced, but not in a tight loop: at most one restart per worker a second, ten in all.
    if (restarts >= options.workers * 10) {
      say(`worker ${worker.process.pid} exited (${signal ?? code}); too many restarts, stopping`);
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill("SIGTERM");
      return;
    }
    restarts += 1;
    say(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(fork, 1_000);
  });
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
        resolve(1);
        return;
      }
      stopping = true;
      say(`${signal}: draining ${Object.keys(cluster.workers ?? {}).length} workers`);
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
      const check = setInterval(() => {
        if (Object.keys(cluster.workers ?? {}).length === 0) {
          clearInterval(check);
          resolve(0);
        }
      }, 20);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}

export function parsePositiveInteger(
  value: string | undefined,
  flag: string,
  fallback: number,
  allowZero = false,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < (allowZero ? 0 : 1))
    throw new UserError(`${flag} must be a whole number${allowZero ? ", 0 or more" : ", 1 or more"}.`, { field: flag });
  return parsed;
}
