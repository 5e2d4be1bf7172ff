#!/usr/bin/env node
// The `hearth` command. `serve`, `profile` and `check` are not built yet; see the README.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const usage = `Usage: hearth <command>

Commands:
  demo [question]   the support agent answering one question against hearth's mock model server
                    (or the real provider when OPENAI_API_KEY is set); runs from a source checkout
  version           print hearth's version
  help              print this message
`;

const packageRoot = new URL("../../", import.meta.url);

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
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
    case "demo": {
      const demo = new URL("examples/support/main.ts", packageRoot);
      if (!existsSync(demo)) {
        process.stderr.write("hearth demo needs hearth's source checkout (examples/support/ is not in the published package yet).\n");
        return 1;
      }
      process.argv = [process.argv[0] ?? "node", fileURLToPath(demo), ...rest];
      await import(demo.href);
      return 0;
    }
    default:
      process.stderr.write(`hearth: unknown command ${JSON.stringify(command)}\n\n${usage}`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
