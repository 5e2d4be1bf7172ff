import { HearthError } from "../core/errors.ts";
import { createLambdaHandler } from "../server/lambda.ts";
import { appIn } from "./load-app.ts";
import { serveCommand } from "./serve-command.ts";
import { parseCommand, serveFlags, serveOptionsFrom } from "./serve-flags.ts";

/**
 * The entry point of an app built by `hearth build`: the app module bundled with it, served as
 * `hearth serve` serves an app, with the same flags and environment (`node server.mjs --port 8080`).
 */
export async function runBuiltApp(module: Readonly<Record<string, unknown>>, argv: readonly string[]): Promise<number> {
  try {
    const { values, positionals } = parseCommand("the built app", argv, serveFlags);
    if (positionals.length > 0)
      throw new HearthError(
        "HEARTH_CONFIG_INVALID",
        `the built app serves the app it was built from: it takes flags only, not ${JSON.stringify(positionals[0])}.`,
      );
    return await serveCommand({ app: appIn(module, "the built app"), ...serveOptionsFrom(values) });
  } catch (error) {
    process.stderr.write(
      `hearth: ${HearthError.is(error) ? error.message : String((error as Error)?.stack ?? error)}\n`,
    );
    return 2;
  }
}

/** The handler of an app built by `hearth build --target lambda`: the app module bundled with it. */
export function builtLambdaHandler(module: Readonly<Record<string, unknown>>): ReturnType<typeof createLambdaHandler> {
  return createLambdaHandler(appIn(module, "the built app"));
}
