#!/usr/bin/env node
// The `hearth` command. For `serve`, Node's compile cache is turned on before anything of hearth or
// the app loads, so every module of both is read from the cache on the next start (and `serve`
// writes the cache once warm-up has compiled the request path: see flushCompileCache).
const args = process.argv.slice(2);
if (args[0] === "serve" && !args.includes("--no-compile-cache")) {
  const directory = process.getBuiltinModule("node:path").resolve(process.env.HEARTH_COMPILE_CACHE ?? ".hearth/compile-cache");
  process.getBuiltinModule("node:module").enableCompileCache?.(directory);
}
const { run } = await import("./commands.ts");
process.exitCode = await run(args);
