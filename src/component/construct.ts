import { HearthError } from "../core/errors.ts";
import { type ConfigReader, isLocated } from "./component-json.ts";

/** `{ key: value }`, or `{}` when the value is undefined: an optional option passed only when set. */
export function present<Key extends string, Value>(key: Key, value: Value | undefined): { [K in Key]?: Value } {
  return value === undefined ? {} : ({ [key]: value } as { [K in Key]?: Value });
}

/**
 * Calls a hearth constructor on options read from a config. What it refuses (an invalid agent
 * name, tools on a model that cannot call functions) is said again with the place in the JSON.
 */
export function construct<Built>(reader: ConfigReader, build: () => Built): Built {
  try {
    return build();
  } catch (error) {
    if (!HearthError.is(error, "HEARTH_CONFIG_INVALID") || isLocated(error)) throw error;
    throw reader.error("", error.message);
  }
}
