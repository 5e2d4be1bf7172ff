import type { AsyncLocalStorage } from "node:async_hooks";

export interface FlagScope {
  /** Runs `work` with the flag set, for everything it starts, synchronously or not. */
  run<T>(work: () => T): T;
  /** Whether the caller runs inside `run`. */
  active(): boolean;
}

/** A yes-or-no mark on async contexts. Its AsyncLocalStorage is made on first use, not at import. */
export function flagScope(): FlagScope {
  let storage: AsyncLocalStorage<true> | undefined;
  return {
    run(work) {
      storage ??= new (process.getBuiltinModule("node:async_hooks").AsyncLocalStorage)<true>();
      return storage.run(true, work);
    },
    active: () => storage?.getStore() === true,
  };
}
