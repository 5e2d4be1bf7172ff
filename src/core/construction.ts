import type { AsyncLocalStorage } from "node:async_hooks";

/**
 * Where definitions report being built, so the runtime's construction guard can catch one built
 * while serving (the cold-start bug). Costs one function call when no runtime listens.
 */
export type DefinitionKind = "model-client" | "agent" | "team" | "resource";

export type ConstructionHook = (kind: DefinitionKind, name: string) => void;

let hook: ConstructionHook | undefined;

export function setConstructionHook(next: ConstructionHook | undefined): void {
  hook = next;
}

export function reportConstruction(kind: DefinitionKind, name: string): void {
  hook?.(kind, name);
}

let factoryScope: AsyncLocalStorage<true> | undefined;

/** Runs `build` as a runtime factory: what it constructs is expected, whenever it runs. */
export function inFactory<T>(build: () => T): T {
  factoryScope ??= new (process.getBuiltinModule("node:async_hooks").AsyncLocalStorage)<true>();
  return factoryScope.run(true, build);
}

/** Whether the caller runs inside `inFactory`. */
export function isInFactory(): boolean {
  return factoryScope?.getStore() === true;
}
