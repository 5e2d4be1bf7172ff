import { errorMessage } from "../internal/error-message.ts";
import type { Logger } from "../internal/log.ts";
import { errorSummary, type StartupTrace } from "./startup-trace.ts";

/**
 * The app's `afterReady` hooks, one after another, once the runtime is ready: work the first
 * request does not need. Each is timed into the startup trace; one that fails is logged, and the
 * rest still run.
 */
export async function runAfterReady(
  hooks: readonly ((context: never) => void | Promise<void>)[],
  context: unknown,
  trace: StartupTrace,
  log: Logger,
): Promise<void> {
  for (const [index, hook] of hooks.entries()) {
    const name = hook.name || `hook-${index + 1}`;
    const started = performance.now();
    try {
      await hook(context as never);
      trace.step({ phase: "after-ready", kind: "after-ready", name, status: "ok" }, started, performance.now());
    } catch (error) {
      trace.step(
        { phase: "after-ready", kind: "after-ready", name, status: "failed", error: errorSummary(error) },
        started,
        performance.now(),
      );
      log({ level: "warn", msg: `an afterReady hook failed: ${errorMessage(error)}` });
    }
  }
}
