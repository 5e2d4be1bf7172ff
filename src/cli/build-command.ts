// `hearth build`: the app and hearth bundled by esbuild into a folder that runs with plain `node`
// and no node_modules, with Node's compile cache primed by starting the built app once.
import { HearthError, UserError } from "../core/errors.ts";
import { moduleIn } from "./load-app.ts";

export interface BuildCommandOptions {
  /** The app's module, or a folder holding one. */
  readonly app: string;
  /** Where the build goes; emptied first. */
  readonly out: string;
  /** Start the built app once against hearth's mock model server to write its compile cache. Default true. */
  readonly prime: boolean;
  /** `node`: a server (`node build/server.mjs`); `lambda`: a handler for AWS Lambda (`index.handler`). */
  readonly target: "node" | "lambda";
}

/** The optional peers hearth loads only when an app uses them: bundled when installed, left out otherwise. */
const optionalPeers = ["ioredis", "@modelcontextprotocol/sdk", "@opentelemetry/api"];

// Both loaders turn on the build's compile cache before the app loads.
const enableCache = `// A portable cache (one that holds when the folder moves) takes Node 24.12 or later; before, the folder alone.
function enableCache() {
  const directory = fileURLToPath(new URL("./compile-cache/", import.meta.url));
  const [major, minor] = process.versions.node.split(".").map(Number);
  enableCompileCache?.(major > 24 || (major === 24 && minor >= 12) ? { directory, portable: true } : directory);
}`;

const serverLoader = `// Built by \`hearth build\`. Node's compile cache, primed when the app was built, is turned on
// before the app loads, so a cold start reads the app's compiled code instead of compiling it.
import { enableCompileCache } from "node:module";
import { fileURLToPath } from "node:url";
${enableCache}
if (!process.argv.includes("--no-compile-cache")) enableCache();
await import("./app.mjs");
`;

const lambdaLoader = `// Built by \`hearth build --target lambda\`: the handler for Lambda's Node.js runtime (handler
// "index.handler"). Node's compile cache, primed when the app was built, is turned on before the
// app loads; the app is built and warmed here, in the init phase, so the first invocation finds it
// ready. A startup that fails fails the init, and Lambda starts another.
import { enableCompileCache } from "node:module";
import { fileURLToPath } from "node:url";
${enableCache}
enableCache();
const built = await import("./app.mjs");
await built.handler.runtime.ready;
export const handler = built.handler;
`;

// For custom runtimes and for running the handler outside Lambda: Lambda's Runtime API, spoken as
// its own bootstrap speaks it (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
const bootstrap = `// Built by \`hearth build --target lambda\`: a bootstrap for Lambda custom runtimes (a \`bootstrap\`
// file that runs \`exec node bootstrap.mjs\`). It loads index.mjs in the init phase, then asks the
// Runtime API for each invocation and posts the handler's answer, or its error.
import { request } from "node:http";
const [host, port] = String(process.env.AWS_LAMBDA_RUNTIME_API).split(":");
function call(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const sent = request({ host, port, method, path: "/2018-06-01/runtime" + path, headers }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode, headers: response.headers, text }));
    });
    sent.on("error", reject);
    sent.end(body);
  });
}
const failure = (error, type) => [
  JSON.stringify({ errorType: error?.name ?? type, errorMessage: String(error?.message ?? error) }),
  { "content-type": "application/json", "lambda-runtime-function-error-type": type },
];
let handler;
try {
  ({ handler } = await import("./index.mjs"));
} catch (error) {
  await call("POST", "/init/error", ...failure(error, "Runtime.InitError"));
  process.exit(1);
}
for (;;) {
  const next = await call("GET", "/invocation/next");
  const id = next.headers["lambda-runtime-aws-request-id"];
  // As Lambda's documentation asks of a custom runtime: the invocation's trace id, for X-Ray.
  if (next.headers["lambda-runtime-trace-id"] !== undefined) process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
  else delete process.env._X_AMZN_TRACE_ID;
  const deadline = Number(next.headers["lambda-runtime-deadline-ms"]);
  const context = {
    awsRequestId: id,
    invokedFunctionArn: next.headers["lambda-runtime-invoked-function-arn"],
    getRemainingTimeInMillis: () => deadline - Date.now(),
    callbackWaitsForEmptyEventLoop: true,
  };
  let posted;
  try {
    const result = await handler(JSON.parse(next.text), context);
    posted = await call("POST", "/invocation/" + id + "/response", JSON.stringify(result ?? null), { "content-type": "application/json" });
  } catch (error) {
    posted = await call("POST", "/invocation/" + id + "/error", ...failure(error, "Runtime.HandlerError"));
  }
  // Refused (a response over Lambda's 6 MB, say): the function's log says so.
  if (posted.status >= 400) console.error("hearth: the Runtime API refused invocation " + id + "'s answer (" + posted.status + "): " + posted.text);
}
`;

/** Whether a package is installed where Node would find it from `directory`. */
function installed(directory: string, name: string): boolean {
  const { existsSync } = process.getBuiltinModule("node:fs");
  const { dirname, join } = process.getBuiltinModule("node:path");
  for (let at = directory; ; at = dirname(at)) {
    if (existsSync(join(at, "node_modules", name, "package.json"))) return true;
    if (dirname(at) === at) return false;
  }
}

// The esbuild API hearth uses, typed here: esbuild is an optional peer, loaded only by this command.
interface EsbuildPluginBuild {
  onResolve(
    options: { filter: RegExp },
    callback: (args: { path: string }) => { path: string; namespace: string } | undefined,
  ): void;
  onLoad(
    options: { filter: RegExp; namespace?: string },
    callback: (args: { path: string }) => { contents: string; resolveDir?: string; loader: "js" | "ts" } | undefined,
  ): void;
}
interface EsbuildMessage {
  readonly text: string;
  /** Set for a plugin's error, whose location is inside esbuild. */
  readonly pluginName?: string;
  readonly location?: { readonly file: string; readonly line: number } | null;
}
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{
    readonly metafile?: { readonly outputs: Record<string, { readonly bytes: number }> };
    readonly warnings: readonly EsbuildMessage[];
  }>;
}

const messageText = (message: EsbuildMessage) =>
  `${message.location == null || (message.pluginName ?? "") !== "" ? "" : `${message.location.file}:${message.location.line}: `}${message.text}`;

/** esbuild's build, its warnings one line each, its errors one UserError naming each. */
async function bundle(esbuild: Esbuild, options: Record<string, unknown>) {
  try {
    const result = await esbuild.build({ ...options, logLevel: "silent" });
    for (const warning of result.warnings) process.stderr.write(`hearth build: warning: ${messageText(warning)}\n`);
    return result;
  } catch (error) {
    const errors = (error as { errors?: readonly EsbuildMessage[] }).errors;
    if (errors === undefined || errors.length === 0) throw error;
    throw new UserError(`the app did not bundle: ${errors.map(messageText).join("; ")}`, { field: "app" });
  }
}

async function loadEsbuild(): Promise<Esbuild> {
  try {
    return (await import("esbuild" as string)) as Esbuild;
  } catch {
    throw new UserError(
      "hearth build bundles with esbuild, which is not installed here: `npm install --save-dev esbuild`.",
      { field: "esbuild" },
    );
  }
}

// A file an app names beside its code (`new URL("./orders.json", import.meta.url)`, as hearth's assets take them).
const fileUrl = /new URL\((["'])(\.{1,2}\/[^"'\n]*)\1,\s*import\.meta\.url\)/g;

/**
 * Rewrites the files an app's own modules name with `new URL("./x", import.meta.url)` to copies in
 * the build's `assets/` folder, so they are found beside the bundle. Packages' files are left alone.
 */
function assetsPlugin(appDirectory: string, out: string, hearthRoot: string) {
  const { cpSync, existsSync, readFileSync } = process.getBuiltinModule("node:fs");
  const { dirname, join, relative, resolve, sep } = process.getBuiltinModule("node:path");
  return {
    name: "hearth-assets",
    setup(build: EsbuildPluginBuild) {
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, ({ path }) => {
        if (
          path.includes(`${sep}node_modules${sep}`) ||
          path.startsWith(join(hearthRoot, "src", sep)) ||
          path.startsWith(join(hearthRoot, "dist", sep))
        )
          return undefined;
        const source = readFileSync(path, "utf8");
        if (!source.includes("import.meta.url")) return undefined;
        const contents = source.replace(fileUrl, (whole, _quote: string, target: string) => {
          const file = resolve(dirname(path), target);
          if (!existsSync(file)) return whole;
          // A folder that holds the app (or the build) is the project, not an asset beside it.
          if (!relative(file, appDirectory).startsWith("..") || !relative(file, out).startsWith(".."))
            throw new UserError(
              `${path} names ${target}, a folder that holds the app or the build: hearth build copies the files and folders an app keeps beside its code, not the project itself.`,
              { field: "app" },
            );
          // Inside assets/ whatever the path: a `..` becomes `_up`.
          const inside = relative(appDirectory, file)
            .split(sep)
            .map((part) => (part === ".." ? "_up" : part))
            .join("/");
          cpSync(file, join(out, "assets", inside), { recursive: true, dereference: true });
          const trailing = target.endsWith("/") ? "/" : "";
          return `new URL(${JSON.stringify(`./assets/${inside}${trailing}`)}, import.meta.url)`;
        });
        if (contents === source) return undefined;
        return { contents, loader: /\.[cm]?tsx?$/.test(path) ? "ts" : "js" };
      });
    },
  };
}

/** The build's entry: the app module, served by hearth's built-app entry point, or made a Lambda handler. */
function entryPlugin(appModule: string, target: BuildCommandOptions["target"]) {
  const { dirname } = process.getBuiltinModule("node:path");
  return {
    name: "hearth-entry",
    setup(build: EsbuildPluginBuild) {
      build.onResolve({ filter: /^hearth-built-entry$/ }, () => ({ path: "entry", namespace: "hearth-entry" }));
      build.onLoad({ filter: /.*/, namespace: "hearth-entry" }, () => ({
        contents: [
          `import * as app from ${JSON.stringify(appModule)};`,
          ...(target === "lambda"
            ? ['import { builtLambdaHandler } from "hearth/cli";', "export const handler = builtLambdaHandler(app);"]
            : [
                'import { runBuiltApp } from "hearth/cli";',
                "process.exitCode = await runBuiltApp(app, process.argv.slice(2));",
              ]),
        ].join("\n"),
        resolveDir: dirname(appModule),
        loader: "js",
      }));
    },
  };
}

/**
 * Starts the built app once against hearth's mock model server, until it is warm (a server says it
 * is ready; a Lambda handler's init resolves), so its compile cache is written then.
 */
async function prime(out: string, target: BuildCommandOptions["target"]): Promise<number> {
  const { spawn } = process.getBuiltinModule("node:child_process");
  const { join } = process.getBuiltinModule("node:path");
  const { pathToFileURL } = process.getBuiltinModule("node:url");
  const { startMockOpenAIServer } = await import("../testing/mock-openai-server.ts");
  const mock = await startMockOpenAIServer();
  try {
    const args =
      target === "lambda"
        ? [
            "--input-type=module",
            "-e",
            `await import(${JSON.stringify(pathToFileURL(join(out, "index.mjs")).href)}); (await import("node:module")).flushCompileCache?.(); process.stderr.write("primed ready on http://lambda\\n"); process.exit(0);`,
          ]
        : [join(out, "server.mjs"), "--port", "0", "--store", "memory"];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: "sk-hearth-build", HEARTH_LOG_LEVEL: "error" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("it was not ready within 60 s")), 60_000);
        child.stderr.setEncoding("utf8");
        child.stderr.on("data", (chunk: string) => {
          stderr += chunk;
          if (/ ready on http/.test(stderr)) {
            clearTimeout(timer);
            resolve();
          }
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`it exited (${code}) before it was ready`));
        });
      });
    } catch (error) {
      child.kill("SIGKILL");
      throw new HearthError(
        "HEARTH_STARTUP_FAILED",
        `hearth build: the built app did not start against the mock model server to prime its compile cache: ${(error as Error).message}.\n${stderr.trim()}\n(Build with --no-prime to skip this step.)`,
      );
    }
    child.kill("SIGTERM");
    await exited;
    const { readdirSync } = process.getBuiltinModule("node:fs");
    return readdirSync(join(out, "compile-cache"), { recursive: true }).length;
  } finally {
    await mock.close();
  }
}

/** The file that marks a folder as a build's: only such a folder (or an empty one, or none) is emptied. */
const buildMarker = ".hearth-build";

/**
 * The build's folder is emptied first, so it must be one: missing, empty, or written by an earlier
 * build; and it must hold neither the app, nor the folder hearth build runs in.
 */
function checkOut(out: string, given: string, appModule: string): void {
  const { existsSync, readdirSync, realpathSync, statSync } = process.getBuiltinModule("node:fs");
  const { dirname, relative } = process.getBuiltinModule("node:path");
  const refuse = (why: string) =>
    new UserError(`--out ${given} ${why}: build into a new folder, or one an earlier build wrote.`, {
      field: "--out",
    });
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw refuse("is a file");
  const real = realpathSync(out);
  const inside = (path: string) => !relative(real, realpathSync(path)).startsWith("..");
  if (inside(dirname(appModule)) || inside(process.cwd())) throw refuse("holds the app or this folder");
  const entries = readdirSync(out);
  if (entries.length > 0 && !entries.includes(buildMarker)) throw refuse("has files that no build wrote");
}

export async function buildCommand(options: BuildCommandOptions): Promise<number> {
  const { mkdirSync, rmSync, writeFileSync } = process.getBuiltinModule("node:fs");
  const { dirname, join, relative, resolve } = process.getBuiltinModule("node:path");
  const { fileURLToPath } = process.getBuiltinModule("node:url");
  const say = (message: string) => process.stderr.write(`hearth build: ${message}\n`);
  const appModule = moduleIn(resolve(options.app));
  const out = resolve(options.out);
  checkOut(out, options.out, appModule);
  const esbuild = await loadEsbuild();
  const started = performance.now();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, buildMarker), "Written by `hearth build`: this folder is emptied by the next build.\n");
  const fromSource = import.meta.url.endsWith(".ts");
  const hearthRoot = fileURLToPath(new URL("../../", import.meta.url));
  const result = await bundle(esbuild, {
    entryPoints: { app: "hearth-built-entry" },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node22",
    outdir: out,
    outExtension: { ".js": ".mjs" },
    // Chunks beside the entry, so the assets' `./assets/...` URLs hold from any of them.
    chunkNames: "[name]-[hash]",
    // Packages written as CommonJS call require(): give the ES module bundle one.
    banner: {
      js: 'import { createRequire as __hearthRequire } from "node:module";\nconst require = __hearthRequire(import.meta.url);',
    },
    external: optionalPeers.filter((name) => !installed(dirname(appModule), name)),
    ...(fromSource ? { conditions: ["@hearth/source"] } : {}),
    plugins: [entryPlugin(appModule, options.target), assetsPlugin(dirname(appModule), out, hearthRoot)],
    legalComments: "none",
    metafile: true,
  });
  if (options.target === "lambda") {
    writeFileSync(join(out, "index.mjs"), lambdaLoader);
    writeFileSync(join(out, "bootstrap.mjs"), bootstrap);
  } else writeFileSync(join(out, "server.mjs"), serverLoader);
  const bytes = Object.values(result.metafile?.outputs ?? {}).reduce((sum, output) => sum + output.bytes, 0);
  say(
    `bundled ${relative(process.cwd(), appModule)} into ${relative(process.cwd(), out)}/ (${(bytes / 1024).toFixed(0)} KiB) in ${(performance.now() - started).toFixed(0)} ms`,
  );
  if (options.prime) {
    const primedAt = performance.now();
    const entries = await prime(out, options.target);
    say(
      `primed Node's compile cache (${entries} entries) by starting it once, in ${(performance.now() - primedAt).toFixed(0)} ms`,
    );
  }
  say(
    options.target === "lambda"
      ? `zip ${relative(process.cwd(), out)}/ as the function's code, with the handler index.handler (Node.js 22 or later)`
      : `run it with: node ${relative(process.cwd(), join(out, "server.mjs"))} --port 8787`,
  );
  return 0;
}
