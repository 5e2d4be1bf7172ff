import { flagScope } from "../internal/flag-scope.ts";

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

const factoryScope = flagScope();

/** Runs `build` as a runtime factory: what it constructs is expected, whenever it runs. */
export function inFactory<T>(build: () => T): T {
  return factoryScope.run(build);
}

/** Whether the caller runs inside `inFactory`. */
export function isInFactory(): boolean {
  return factoryScope.active();
}
