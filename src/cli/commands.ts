// The `hearth` command's commands; `main.ts` is the entry point.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { HearthError, UserError } from "../core/errors.ts";
import { parsePositiveInteger, serveCommand } from "./serve-command.ts";
import { parseCommand, serveFlags, serveOptionsFrom } from "./serve-flags.ts";

export { parseDuration } from "./serve-flags.ts";

const usage = `Usage: hearth <command>

Commands:
  serve <app.ts|app.js|folder>
                          serve an app over HTTP (a folder: its app.ts, app.js, index.ts or index.js)
      --port N            default 8787 (0 picks a free port)
      --host ADDRESS      default 127.0.0.1 (0.0.0.0 in a container)
      --workers N         N processes with Node's cluster; each warms before it takes traffic
      --strict            throw on a definition built while serving, instead of warning
      --drain-deadline MS how long turns in flight may finish after SIGTERM (default 10000)
      --store KIND        where sessions live: sqlite (default, ./.hearth/sessions.db), redis, memory
      --sessions-db PATH  the SQLite file
      --redis-url URL     the Redis server (default REDIS_URL)
      --session-ttl TIME  sessions expire this long after their last turn: 30d (default), 12h, 45m, 90s, or never
      --no-compile-cache  do not keep Node's compile cache in ./.hearth/compile-cache (or HEARTH_COMPILE_CACHE)
      --no-tools          build the agents without their tools (what hearth profile --no-tools measures)
      --cors ORIGINS      let browsers on these origins call the server: a comma-separated list, or *
                          (default HEARTH_CORS_ORIGINS; off when neither is given)
      --playground        serve the playground at /playground: chat with the agents, see their tool
                          calls, sessions, startup waterfall and request timings
      --public-metrics    serve /metrics without a key even when the app has keys
  init [dir]              write a small working app into a new or empty folder (default .): one agent,
                          one tool, one asset, its test, a startup budget and a Dockerfile
  build [app]             bundle the app and hearth into one folder that runs with plain node and no
                          node_modules (esbuild, an optional peer: npm install --save-dev esbuild),
                          and prime Node's compile cache by starting it once against the mock model
      --out DIR           where the build goes, emptied first (default build)
      --target lambda     a handler for AWS Lambda (index.handler, warm in the init phase) instead of a server
      --no-prime          skip starting it (the first cold start then compiles everything)
  profile <app>           spawn the app cold N times; report spawn to listening, ready and first reply,
                          the startup waterfall, CPU time by package while loading, first request
                          against warm, constructions after ready and first-call errors
      --runs N            cold starts (default 5)
      --no-tools          also measure with the agents' tools taken away, side by side
      --message TEXT      the sample request (default "Hello")
      --agent NAME        the agent (or team) it goes to
      --mock [MODULE#FN]  serve hearth's mock model server to the app (echo, or a responder function)
      --warm N            warm requests after the first (default 10)
      --html FILE         write a self-contained HTML report
      --json FILE         write the figures as JSON
                          an app with API keys takes one in HEARTH_API_KEY (for /v1/chat, /v1/startup
                          and /metrics)
  check <app> --budget FILE
                          profile the app and exit 1, with a table, when a median passes its budget
                          by more than the tolerance (takes --runs, --message, --agent and --mock)
      --tolerance F       how far over its budget a median may be: 0.1 or 10% (default: the
                          budget's "tolerance", then 10%)
  mock [MODULE#FN]        serve hearth's mock OpenAI-compatible model server (echo replies, or a responder
                          function), for hearth serve to talk to: it prints the OPENAI_BASE_URL to use
      --port N            default 0: a free port
      --host ADDRESS      default 127.0.0.1
      --tls               serve HTTPS; its certificate is written to .hearth/mock-cert.pem for
                          NODE_EXTRA_CA_CERTS
      --connection-delay MS  added to each new connection's first answer (a handshake's cost)
      --idle-timeout MS   close connections quiet this long (default 5000)
  demo [question]         the support example served over HTTP, against hearth's mock model server
                          (or the real provider when OPENAI_API_KEY is set); runs from a source checkout
  version                 print hearth's version
  help                    print this message
`;

const packageRoot = new URL("../../", import.meta.url);

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && (rest.includes("--help") || rest.includes("-h"))) {
    process.stdout.write(usage);
    return 0;
  }
  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(usage);
      return 0;
    case "version":
    case "--version":
    case "-v": {
      const manifest = JSON.parse(readFileSync(new URL("package.json", packageRoot), "utf8")) as { version: string };
      process.stdout.write(`${manifest.version}\n`);
      return 0;
    }
    case "serve": {
      const { values, positionals } = parseCommand(command, rest, serveFlags);
      const file = positionals[0];
      if (file === undefined) {
        process.stderr.write(`hearth serve: which app? ${usage}`);
        return 2;
      }
      return serveCommand({ app: file, ...serveOptionsFrom(values) });
    }
    case "init": {
      const { positionals } = parseCommand(command, rest, {});
      const { initCommand } = await import("./init/init-command.ts");
      const manifest = JSON.parse(readFileSync(new URL("package.json", packageRoot), "utf8")) as { version: string };
      return initCommand(positionals[0] ?? ".", manifest.version);
    }
    case "build": {
      const { values, positionals } = parseCommand(command, rest, {
        out: { type: "string" },
        "no-prime": { type: "boolean" },
        target: { type: "string" },
      });
      const target = values.target ?? "node";
      if (target !== "node" && target !== "lambda")
        throw new UserError(`--target must be node or lambda, not ${target}.`, { field: "--target" });
      const { buildCommand } = await import("./build-command.ts");
      return buildCommand({
        app: positionals[0] ?? ".",
        out: values.out ?? "build",
        prime: values["no-prime"] !== true,
        target,
      });
    }
    case "profile":
    case "check": {
      // A bare `--mock` (echo replies) has no value: give parseArgs an empty one.
      const args = rest.flatMap((arg, index) =>
        arg === "--mock" && (rest[index + 1] === undefined || rest[index + 1]?.startsWith("--") === true)
          ? [arg, ""]
          : [arg],
      );
      const { values, positionals } = parseCommand(command, args, {
        runs: { type: "string" },
        "no-tools": { type: "boolean" },
        message: { type: "string" },
        agent: { type: "string" },
        mock: { type: "string" },
        html: { type: "string" },
        json: { type: "string" },
        budget: { type: "string" },
        warm: { type: "string" },
        tolerance: { type: "string" },
      });
      const file = positionals[0];
      if (file === undefined) {
        process.stderr.write(`hearth ${command}: which app?

${usage}`);
        return 2;
      }
      const { checkCommand, profileCommand } = await import("./profile/profile-command.ts");
      const { checkTolerance } = await import("./profile/budget.ts");
      const options = {
        file,
        runs: parsePositiveInteger(values.runs, "--runs", 5),
        warmRequests: parsePositiveInteger(values.warm, "--warm", 10),
        message: values.message ?? "Hello",
        compareNoTools: values["no-tools"] === true,
        ...(values.agent === undefined ? {} : { agent: values.agent }),
        ...(values.mock === undefined ? {} : { mock: values.mock }),
        ...(values.html === undefined ? {} : { html: values.html }),
        ...(values.json === undefined ? {} : { json: values.json }),
        // From the environment, not a flag: a key on the command line is in every process listing.
        ...(process.env.HEARTH_API_KEY ? { apiKey: process.env.HEARTH_API_KEY } : {}),
      };
      if (command === "profile") return profileCommand(options);
      if (values.budget === undefined) {
        process.stderr.write("hearth check: --budget FILE is required.\n");
        return 2;
      }
      let tolerance: number | undefined;
      if (values.tolerance !== undefined) {
        tolerance = Number(
          values.tolerance.endsWith("%") ? Number(values.tolerance.slice(0, -1)) / 100 : values.tolerance,
        );
        checkTolerance(tolerance, "--tolerance", "--tolerance");
      }
      return checkCommand({ ...options, budgetFile: values.budget, ...(tolerance === undefined ? {} : { tolerance }) });
    }
    case "mock": {
      const { values, positionals } = parseCommand(command, rest, {
        port: { type: "string" },
        host: { type: "string" },
        tls: { type: "boolean" },
        "connection-delay": { type: "string" },
        "idle-timeout": { type: "string" },
      });
      const port = values.port === undefined ? 0 : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        process.stderr.write(`hearth mock: --port must be a port number, not ${JSON.stringify(values.port)}.\n`);
        return 2;
      }
      const { loadResponder } = await import("./responder.ts");
      const { startMockOpenAIServer } = await import("../testing/mock-openai-server.ts");
      const respond = await loadResponder(positionals[0] ?? "", "hearth mock");
      const connectionDelayMs = parseMs(values["connection-delay"], "--connection-delay");
      const idleTimeoutMs = parseMs(values["idle-timeout"], "--idle-timeout");
      const server = await startMockOpenAIServer({
        port,
        ...(values.host === undefined ? {} : { host: values.host }),
        ...(respond === undefined ? {} : { respond }),
        ...(values.tls === true ? { tls: true } : {}),
        ...(connectionDelayMs === undefined ? {} : { connectionDelayMs }),
        ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }),
      });
      let trust = "";
      if (server.certificate !== undefined) {
        mkdirSync(".hearth", { recursive: true });
        writeFileSync(".hearth/mock-cert.pem", server.certificate);
        trust = "NODE_EXTRA_CA_CERTS=.hearth/mock-cert.pem ";
      }
      process.stdout.write(
        `hearth mock: an OpenAI-compatible model server on ${server.url}\nServe an app against it:\n  ${trust}OPENAI_BASE_URL=${server.url} OPENAI_API_KEY=sk-mock hearth serve app.ts\n`,
      );
      return await new Promise<number>((resolve) => {
        const stop = () => void server.close().then(() => resolve(0));
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
    }
    case "demo": {
      // From a source checkout, the example itself; from the package, its bundle (`npm run build:demo`).
      const demo = new URL(
        import.meta.url.endsWith(".ts") ? "examples/support/main.ts" : "dist/demo/main.js",
        packageRoot,
      );
      if (!existsSync(demo)) {
        process.stderr.write(`hearth demo: ${fileURLToPath(demo)} is missing; run \`npm run build\` first.\n`);
        return 1;
      }
      process.argv = [process.argv[0] ?? "node", fileURLToPath(demo), ...rest];
      await import(demo.href);
      // The demo keeps serving until a signal; it exits through its own signal handler.
      return await new Promise<number>(() => undefined);
    }
    default:
      process.stderr.write(`hearth: unknown command ${JSON.stringify(command)}\n\n${usage}`);
      return 2;
  }
}

/** A millisecond option: a whole number, 0 or more; undefined when not given. */
function parseMs(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0)
    throw new UserError(`${flag} must be a whole number of milliseconds, not ${JSON.stringify(value)}.`, {
      field: flag,
    });
  return ms;
}

export async function run(argv: readonly string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (error) {
    process.stderr.write(
      `hearth: ${HearthError.is(error) ? error.message : String((error as Error)?.stack ?? error)}\n`,
    );
    return 2;
  }
}
