// The names defineApp's definition takes (checked by knownOptions).
import { optionNames, type OptionNames } from "../core/known-options.ts";
import type { AppDefinition } from "./app.ts";

export const appOptionNames: OptionNames = {
  accepted: optionNames<AppDefinition<unknown, unknown, unknown, unknown, unknown>>()([
    "name",
    "auth",
    "tenants",
    "root",
    "assets",
    "resources",
    "models",
    "agents",
    "teams",
    "warmup",
    "keepWarm",
    "prices",
    "context",
    "afterReady",
    "stepTimeoutMs",
    // An app made by defineApp, spread into another definition (`defineApp({ ...app, keepWarm })`).
    "kind",
  ]),
};
