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

const serverLoader = `// Built by \`hearth build\`. Node's compile cache, primed when the app was built, is turned on
// before the app loads, so a cold start reads the app's compiled code instead of compiling it.
import { enableCompileCache } from "node:module";
import { fileURLToPath } from "node:url";
if (!process.argv.includes("--no-compile-cache"))
  enableCompileCache?.({ directory: fileURLToPath(new URL("./compile-cache/", import.meta.url)), portable: true });
await import("./app.mjs");
`;

const lambdaLoader = `// Built by \`hearth build --target lambda\`: the handler for Lambda's Node.js runtime (handler
// "index.handler"). Node's compile cache, primed when the app was built, is turned on before the
// app loads; the app is built and warmed here, in the init phase, so the first invocation finds it
// ready. A startup that fails fails the init, and Lambda starts another.
import { enableCompileCache } from "node:module";
import { fileURLToPath } from "node:url";
enableCompileCache?.({ directory: fileURLToPath(new URL("./compile-cache/", import.meta.url)), portable: true });
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
      response.on("end", () => resolve({ headers: response.headers, text }));
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
  const deadline = Number(next.headers["lambda-runtime-deadline-ms"]);
  const context = {
    awsRequestId: id,
    invokedFunctionArn: next.headers["lambda-runtime-invoked-function-arn"],
    getRemainingTimeInMillis: () => deadline - Date.now(),
    callbackWaitsForEmptyEventLoop: true,
  };
  try {
    const result = await handler(JSON.parse(next.text), context);
    await call("POST", "/invocation/" + id + "/response", JSON.stringify(result ?? null), { "content-type": "application/json" });
  } catch (error) {
    await call("POST", "/invocation/" + id + "/error", ...failure(error, "Runtime.HandlerError"));
  }
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
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ metafile?: { outputs: Record<string, { bytes: number }> } }>;
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
        const contents = source.replace(fileUrl, (whole, quote: string, target: string) => {
          const file = resolve(dirname(path), target);
          if (!existsSync(file)) return whole;
          // Inside assets/ whatever the path: a `..` becomes `_up`.
          const inside = relative(appDirectory, file)
            .split(sep)
            .map((part) => (part === ".." ? "_up" : part))
            .join("/");
          cpSync(file, join(out, "assets", inside), { recursive: true });
          const trailing = target.endsWith("/") ? "/" : "";
          return `new URL(${quote}./assets/${inside}${trailing}${quote}, import.meta.url)`;
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

export async function buildCommand(options: BuildCommandOptions): Promise<number> {
  const { mkdirSync, rmSync, writeFileSync } = process.getBuiltinModule("node:fs");
  const { dirname, join, relative, resolve } = process.getBuiltinModule("node:path");
  const { fileURLToPath } = process.getBuiltinModule("node:url");
  const say = (message: string) => process.stderr.write(`hearth build: ${message}\n`);
  const appModule = moduleIn(resolve(options.app));
  const out = resolve(options.out);
  // The folder is emptied first: it must not hold the app.
  if (!relative(out, appModule).startsWith(".."))
    throw new UserError(`--out ${options.out} would hold the app's own files: build into a folder of its own.`, {
      field: "--out",
    });
  const esbuild = await loadEsbuild();
  const started = performance.now();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const fromSource = import.meta.url.endsWith(".ts");
  const hearthRoot = fileURLToPath(new URL("../../", import.meta.url));
  const result = await esbuild.build({
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
    logLevel: "warning",
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
