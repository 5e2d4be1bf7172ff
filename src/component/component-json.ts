import { UserError } from "../core/errors.ts";

/**
 * One component of AutoGen's declarative JSON (its ComponentModel: `provider`, `component_type`,
 * `version`, `component_version`, `description`, `label`, `config`), with where it sits in the
 * document, so that every error can name the place: `config.participants[1].config.model_client`.
 */
export interface ComponentJSON {
  /** The provider as written, after AutoGen's short aliases ("OpenAIChatCompletionClient") are resolved. */
  readonly provider: string;
  readonly componentType: string | undefined;
  readonly componentVersion: number | undefined;
  readonly label: string | undefined;
  readonly config: Readonly<Record<string, unknown>>;
  /** Where the component is in the document: "" for the top, else like `config.participants[0]`. */
  readonly path: string;
}

/** AutoGen's WELL_KNOWN_PROVIDERS (autogen_core/_component_config.py): short names a config may use. */
const wellKnownProviders: Readonly<Record<string, string>> = {
  azure_openai_chat_completion_client: "autogen_ext.models.openai.AzureOpenAIChatCompletionClient",
  AzureOpenAIChatCompletionClient: "autogen_ext.models.openai.AzureOpenAIChatCompletionClient",
  openai_chat_completion_client: "autogen_ext.models.openai.OpenAIChatCompletionClient",
  OpenAIChatCompletionClient: "autogen_ext.models.openai.OpenAIChatCompletionClient",
  OllamaChatCompletionClient: "autogen_ext.models.ollama.OllamaChatCompletionClient",
};

/** Errors that already name their place in the JSON: not to be prefixed again by an enclosing component. */
const located = new WeakSet<Error>();

export function locatedError(message: string, field: string, fields: { readonly toolName?: string } = {}): UserError {
  const error = new UserError(message, { ...fields, field });
  located.add(error);
  return error;
}

export function isLocated(error: unknown): boolean {
  return error instanceof Error && located.has(error);
}

export function childPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** How a message names a place in the document: " at config.participants[0]", or nothing for the top. */
export function at(path: string): string {
  return path === "" ? "" : ` at ${path}`;
}

export function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The class name of a provider, for messages: "AssistantAgent" for "autogen_agentchat.agents.AssistantAgent". */
export function shortName(provider: string): string {
  return provider.slice(provider.lastIndexOf(".") + 1);
}

/** Reads a component's envelope; the config is read by its provider's builder. */
export function parseComponent(value: unknown, path: string): ComponentJSON {
  if (!isObject(value))
    throw locatedError(
      `Component JSON${at(path)} must be an object with "provider" and "config".`,
      path === "" ? "component" : path,
    );
  const provider = value.provider;
  if (typeof provider !== "string" || provider === "")
    throw locatedError(`Component JSON${at(path)} has no "provider".`, childPath(path, "provider"));
  const config = value.config;
  if (!isObject(config))
    throw locatedError(`${shortName(provider)}${at(path)}: "config" must be an object.`, childPath(path, "config"));
  const componentType = value.component_type;
  if (componentType !== undefined && componentType !== null && typeof componentType !== "string")
    throw locatedError(
      `${shortName(provider)}${at(path)}: "component_type" must be a string.`,
      childPath(path, "component_type"),
    );
  const componentVersion = value.component_version;
  if (
    componentVersion !== undefined &&
    componentVersion !== null &&
    (typeof componentVersion !== "number" || !Number.isInteger(componentVersion) || componentVersion < 1)
  )
    throw locatedError(
      `${shortName(provider)}${at(path)}: "component_version" must be a whole number, 1 or more.`,
      childPath(path, "component_version"),
    );
  const label = value.label;
  return {
    provider: wellKnownProviders[provider] ?? provider,
    componentType: componentType ?? undefined,
    componentVersion: componentVersion ?? undefined,
    label: typeof label === "string" ? label : undefined,
    config,
    path,
  };
}

/** A config value that AutoGen writes when the option is unset (`null`, an empty list, an empty object). */
export function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (Array.isArray(value) && value.length === 0) ||
    (isObject(value) && Object.keys(value).length === 0)
  );
}

/**
 * Reads one config object, key by key, and accounts for every key: each is read, ignored on
 * purpose (`ignore`), or refused when set (`unsupported`); `done()` refuses the rest by name. Errors
 * never quote a value (a config may hold keys), only the option and where it is.
 */
export class ConfigReader {
  readonly #config: Readonly<Record<string, unknown>>;
  /** Where the config object is: `config.participants[0].config`. */
  readonly path: string;
  /** How messages name the component: `AssistantAgent at config.participants[0]`. */
  readonly #what: string;
  readonly #seen = new Set<string>();

  constructor(config: Readonly<Record<string, unknown>>, path: string, what: string) {
    this.#config = config;
    this.path = path;
    this.#what = what;
  }

  static of(component: ComponentJSON): ConfigReader {
    return new ConfigReader(
      component.config,
      childPath(component.path, "config"),
      `${shortName(component.provider)}${at(component.path)}`,
    );
  }

  /** The error for option `key` (or for the whole config, with ""), naming it and where it is. */
  error(key: string, message: string): UserError {
    return locatedError(`${this.#what}: ${message}`, key === "" ? this.path : childPath(this.path, key));
  }

  /** The value, with `null` read as absent (AutoGen writes unset options as null or leaves them out). */
  raw(key: string): unknown {
    this.#seen.add(key);
    const value = this.#config[key];
    return value === null ? undefined : value;
  }

  /** The config's keys, in its order. */
  keys(): string[] {
    return Object.keys(this.#config);
  }

  has(key: string): boolean {
    const value = this.#config[key];
    return value !== undefined && value !== null;
  }

  string(key: string): string {
    const value = this.optionalString(key);
    if (value === undefined) throw this.error(key, `"${key}" is required.`);
    return value;
  }

  optionalString(key: string): string | undefined {
    const value = this.raw(key);
    if (value !== undefined && typeof value !== "string") throw this.error(key, `"${key}" must be a string.`);
    return value;
  }

  optionalBoolean(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value !== undefined && typeof value !== "boolean") throw this.error(key, `"${key}" must be true or false.`);
    return value;
  }

  number(key: string, kind: "integer" | "positive integer" | "positive" | "any" = "any"): number {
    const value = this.optionalNumber(key, kind);
    if (value === undefined) throw this.error(key, `"${key}" is required.`);
    return value;
  }

  optionalNumber(key: string, kind: "integer" | "positive integer" | "positive" | "any" = "any"): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const ok =
      typeof value === "number" &&
      Number.isFinite(value) &&
      (kind === "any" ||
        (kind === "positive" && value > 0) ||
        (kind === "integer" && Number.isInteger(value)) ||
        (kind === "positive integer" && Number.isInteger(value) && value >= 1));
    if (!ok) {
      const expected = {
        any: "a number",
        positive: "a positive number",
        integer: "a whole number",
        "positive integer": "a whole number, 1 or more",
      }[kind];
      throw this.error(key, `"${key}" must be ${expected}.`);
    }
    return value as number;
  }

  optionalStringList(key: string): string[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string"))
      throw this.error(key, `"${key}" must be a list of strings.`);
    return value as string[];
  }

  /** A string-to-string map (headers): the values are never quoted, as they may be credentials. */
  optionalStringMap(key: string): Record<string, string> | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!isObject(value) || !Object.values(value).every((item) => typeof item === "string"))
      throw this.error(key, `"${key}" must map names to strings.`);
    return { ...(value as Record<string, string>) };
  }

  /** A nested object read the same way (a model's `model_info`), or undefined when absent. */
  optionalObject(key: string): ConfigReader | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!isObject(value)) throw this.error(key, `"${key}" must be an object.`);
    return new ConfigReader(value, childPath(this.path, key), `${this.#what}, ${key}`);
  }

  /** A list of anything, each item with its path. */
  optionalList(key: string): { readonly value: unknown; readonly path: string }[] {
    const value = this.raw(key);
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw this.error(key, `"${key}" must be a list.`);
    const path = childPath(this.path, key);
    return value.map((item, index) => ({ value: item, path: `${path}[${index}]` }));
  }

  /** A nested component, or undefined when absent. */
  optionalComponent(key: string): ComponentJSON | undefined {
    const value = this.raw(key);
    return value === undefined ? undefined : parseComponent(value, childPath(this.path, key));
  }

  component(key: string): ComponentJSON {
    const component = this.optionalComponent(key);
    if (component === undefined) throw this.error(key, `"${key}" is required.`);
    return component;
  }

  components(key: string): ComponentJSON[] {
    return this.optionalList(key).map(({ value, path }) => parseComponent(value, path));
  }

  /** Options AutoGen itself does not act on when it loads a config (each is listed in docs/components.md). */
  ignore(...keys: string[]): void {
    for (const key of keys) this.#seen.add(key);
  }

  /**
   * An AutoGen option hearth does not have: accepted only at a value that means "unset" or that is
   * what hearth does anyway (`fine`), refused otherwise, naming it.
   */
  unsupported(key: string, why: string, fine: (value: unknown) => boolean = isEmpty): void {
    const value = this.raw(key);
    if (value !== undefined && !fine(value)) throw this.error(key, `option "${key}" is not supported: ${why}`);
  }

  /** Every key not accounted for is refused by name: a typo, or an option of a newer AutoGen. */
  done(): void {
    const unknown = Object.keys(this.#config).filter((key) => !this.#seen.has(key));
    const first = unknown[0];
    if (first !== undefined)
      throw this.error(
        first,
        `unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map((key) => `"${key}"`).join(", ")} (hearth reads the options of AutoGen 0.7's config for it; see docs/components.md).`,
      );
  }
}
