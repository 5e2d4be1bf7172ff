/**
 * Writes Node's module compile cache, when it is on (`hearth serve` turns it on; so does
 * NODE_COMPILE_CACHE), once warm-up is over: the cache then holds the bytecode of the functions
 * warm-up compiled too, and TypeScript sources already stripped of their types, so the next cold
 * start of the same code parses, strips and compiles much less. Entries are keyed by source: a
 * changed file is compiled afresh. Does nothing when the cache is off, or before Node 22.10.
 */
export function flushCompileCache(): boolean {
  const module = process.getBuiltinModule("node:module");
  if (module.getCompileCacheDir?.() === undefined) return false;
  module.flushCompileCache?.();
  return true;
}
