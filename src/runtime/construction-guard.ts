import { isInFactory, setConstructionHook, type DefinitionKind } from "../core/construction.ts";
import { diagnosticsChannel } from "../core/diagnostics.ts";
import { HearthError } from "../core/errors.ts";
import type { Logger } from "../internal/log.ts";

const armedGuards = new Set<ConstructionGuard>();

export { inFactory } from "../core/construction.ts";

// Frames in hearth's own code are skipped to find the caller's line.
const packageRoot = new URL("../../", import.meta.url).pathname;
const internal = [`${packageRoot}src/`, `${packageRoot}dist/`, "node:internal", "node:async_hooks"];

function callSiteOf(stack: string): string {
  const frames = stack
    .split("\n")
    .slice(1)
    .map((line) => line.trim());
  const isInternal = (frame: string) =>
    internal.some((prefix) => frame.includes(prefix)) && !/\.test\.[cm]?[jt]s/.test(frame);
  return frames.find((frame) => !isInternal(frame)) ?? frames[0] ?? "unknown";
}

/**
 * The construction guard. Once the runtime is ready, a model client, agent, team or resource built
 * outside a factory the runtime called is the cold-start bug: built per request instead of once. The
 * guard warns once per call site with the stack, counts each on `hearth:construction`, and in
 * strict mode throws HEARTH_CONSTRUCTION_AFTER_READY.
 */
export class ConstructionGuard {
  readonly #strict: boolean;
  readonly #log: Logger;
  readonly #warned = new Set<string>();
  readonly counts: Record<DefinitionKind, number> = { "model-client": 0, agent: 0, team: 0, resource: 0 };

  constructor(options: { readonly strict: boolean; readonly log: Logger }) {
    this.#strict = options.strict;
    this.#log = options.log;
  }

  arm(): void {
    armedGuards.add(this);
    setConstructionHook(onConstruction);
  }

  disarm(): void {
    armedGuards.delete(this);
    if (armedGuards.size === 0) setConstructionHook(undefined);
  }

  report(kind: DefinitionKind, name: string, stack: string): void {
    this.counts[kind] += 1;
    const callSite = callSiteOf(stack);
    const channel = diagnosticsChannel("hearth:construction");
    if (channel.hasSubscribers) channel.publish({ kind, name, callSite });
    const key = `${kind} ${callSite}`;
    if (!this.#warned.has(key)) {
      this.#warned.add(key);
      this.#log({
        level: "warn",
        msg: `a ${kind} ("${name}") was built while serving: build it once at startup (a defineApp factory) instead of per request`,
        kind,
        name,
        callSite,
        stack,
      });
    }
    if (this.#strict) {
      throw new HearthError(
        "HEARTH_CONSTRUCTION_AFTER_READY",
        `A ${kind} ("${name}") was built while serving, at ${callSite}. Build it once at startup in a defineApp factory.`,
      );
    }
  }
}

function onConstruction(kind: DefinitionKind, name: string): void {
  if (isInFactory()) return;
  const stack = new Error("constructed here").stack ?? "";
  for (const guard of armedGuards) guard.report(kind, name, stack);
}
