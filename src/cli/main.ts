#!/usr/bin/env node
// The `hearth` command. For `serve`, Node's compile cache is turned on before anything of hearth or
// the app loads, so every module of both is read from the cache on the next start (and `serve`
// writes the cache once warm-up has compiled the request path: see flushCompileCache).
// First, before anything that an older Node lacks: say what is needed instead of failing on it.
const [nodeMajor = 0] = process.versions.node.split(".").map(Number);
if (nodeMajor < 22) {
  process.stderr.write(
    `hearth needs Node 22 or later (for TypeScript apps, 22.18 or later); this is Node ${process.versions.node}.\n`,
  );
  process.exit(1);
}
const args = process.argv.slice(2);
if (args[0] === "serve" && !args.includes("--no-compile-cache")) {
  const directory = process
    .getBuiltinModule("node:path")
    .resolve(process.env.HEARTH_COMPILE_CACHE ?? ".hearth/compile-cache");
  process.getBuiltinModule("node:module").enableCompileCache?.(directory);
}
// From a source checkout, `hearth` must resolve to these sources too, or the app gets the built copy
// and the runtime this one: two copies of every class, and a Session from one fails the other's checks.
if (import.meta.url.endsWith(".ts") && !import.meta.resolve("hearth").endsWith(".ts")) {
  process.stderr.write(
    "hearth: running from source, but `hearth` resolves to the built package; run `npm run hearth --` (node --conditions=@hearth/source) so the app and the CLI share one copy.\n",
  );
  process.exit(2);
}
const { run } = await import("./commands.ts");
process.exitCode = await run(args);
