// hearth/cli: what the `hearth` command is made of, for apps that build their own entry point.
export { closeOnSignals, serveCommand, type ServeCommandOptions } from "./serve-command.ts";
export { loadApp } from "./load-app.ts";
export { builtLambdaHandler, runBuiltApp } from "./built-app.ts";
