import { UserError } from "../core/errors.ts";
import type { ModelClient } from "../core/model-client.ts";
import type { AnyTool } from "../core/tool.ts";
import { isWorkbench, type Workbench } from "../core/workbench.ts";
import { at, type ComponentJSON, isObject, locatedError, parseComponent, shortName } from "./component-json.ts";
import type { LoadedComponents, ComponentKind, ComponentType, Loader, ProviderEntry } from "./loader.ts";
import type { LoadComponentOptions } from "./options.ts";
import { providers, unsupportedProviders } from "./providers.ts";
import { toolOf, workbenchOf } from "./tools.ts";

const componentTypes: readonly ComponentType[] = [
  "team",
  "agent",
  "model",
  "termination",
  "chat_completion_context",
  "memory",
];

const kindNames: Readonly<Record<ComponentKind, string>> = {
  team: "a team",
  agent: "an agent",
  model: "a model client",
  termination: "a termination condition",
  chat_completion_context: "a model context",
  tool: "a tool",
  workbench: "a workbench",
  memory: "a memory",
};

/**
 * Builds hearth's agent, team, model client, termination condition or model context from AutoGen's
 * declarative component JSON, as `dump_component()` writes it and AutoGen Studio exports it: a JSON
 * string (or its bytes), or the parsed object. No code in the JSON runs: the tools it names are the
 * app's (`options.tools`), and so are its MCP workbenches (`options.workbenches`). Loading connects
 * to nothing and calls no model: an unknown provider, an option hearth does not support, a tool not
 * supplied is a UserError naming the place in the JSON (`config.participants[1].config.model_client`).
 * See docs/components.md for every provider and option.
 */
export function loadComponent<Type extends ComponentType>(
  json: unknown,
  options: LoadComponentOptions & { readonly componentType: Type },
): LoadedComponents[Type];
export function loadComponent(json: unknown, options?: LoadComponentOptions): LoadedComponents[ComponentType];
export function loadComponent(json: unknown, options: LoadComponentOptions = {}): LoadedComponents[ComponentType] {
  checkOptions(options);
  const component = parseComponent(typeof json === "string" || json instanceof Uint8Array ? parseJson(json) : json, "");
  const kinds = options.componentType === undefined ? componentTypes : [options.componentType];
  return new ComponentLoader(options).build(component, kinds);
}

function parseJson(input: string | Uint8Array): unknown {
  const text = typeof input === "string" ? input : new TextDecoder().decode(input);
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8's message may quote the text around the mistake, and the text may hold a key: only the place is said.
    const place = /\(line \d+ column \d+\)|position \d+/.exec(String((error as Error).message))?.[0];
    throw new UserError(`The component JSON is not valid JSON${place === undefined ? "" : ` (at ${place})`}.`, {
      field: "component",
    });
  }
}

function checkOptions(options: LoadComponentOptions): void {
  if (!isObject(options as unknown))
    throw new UserError("loadComponent's options must be an object.", { field: "options" });
  const { componentType, tools, workbenches, modelClients, inputFunc, azureAdTokenProvider } = options;
  if (componentType !== undefined && !componentTypes.includes(componentType))
    throw new UserError(
      `options.componentType must be one of ${componentTypes.map((type) => `"${type}"`).join(", ")}.`,
      {
        field: "componentType",
      },
    );
  if (tools !== undefined) {
    if (!isObject(tools)) throw new UserError("options.tools must map tool names to tools.", { field: "tools" });
    for (const [name, tool] of Object.entries(tools))
      if (typeof (tool as Partial<AnyTool> | undefined)?.execute !== "function" || typeof tool.name !== "string")
        throw new UserError(`options.tools.${name} is not a tool (make it with defineTool).`, {
          field: `tools.${name}`,
        });
  }
  if (workbenches !== undefined) {
    if (!isObject(workbenches))
      throw new UserError("options.workbenches must map labels or paths to workbenches.", { field: "workbenches" });
    for (const [key, workbench] of Object.entries(workbenches))
      if (!isWorkbench(workbench))
        throw new UserError(`options.workbenches["${key}"] is not a workbench (an McpWorkbench, say).`, {
          field: "workbenches",
        });
  }
  if (modelClients !== undefined && typeof modelClients !== "function") {
    if (!isObject(modelClients))
      throw new UserError("options.modelClients must map model names to clients, or be a function.", {
        field: "modelClients",
      });
    for (const [model, client] of Object.entries(modelClients))
      if (!isModelClient(client))
        throw new UserError(`options.modelClients["${model}"] is not a model client.`, { field: "modelClients" });
  }
  for (const [field, value] of [
    ["inputFunc", inputFunc],
    ["azureAdTokenProvider", azureAdTokenProvider],
  ] as const)
    if (value !== undefined && typeof value !== "function")
      throw new UserError(`options.${field} must be a function.`, { field });
}

function isModelClient(value: unknown): value is ModelClient {
  return typeof (value as Partial<ModelClient> | undefined)?.create === "function";
}

function componentError(component: ComponentJSON, message: string): UserError {
  return locatedError(
    `Component JSON${at(component.path)}: ${message}`,
    component.path === "" ? "component" : component.path,
  );
}

/** One load: the options, and the model clients built so far (equal configs share one client). */
class ComponentLoader implements Loader {
  readonly options: LoadComponentOptions;
  readonly #clients = new Map<string, ModelClient>();

  constructor(options: LoadComponentOptions) {
    this.options = options;
  }

  build<Kind extends ComponentType>(component: ComponentJSON, kinds: readonly Kind[]): LoadedComponents[Kind] {
    // A model client may be one the app supplies for a provider hearth does not build.
    if ((kinds as readonly ComponentType[]).includes("model") && this.#isModel(component))
      return this.modelClient(component) as LoadedComponents[Kind];
    const entry = this.#entry(component, kinds);
    return (entry.build as NonNullable<ProviderEntry["build"]>)(component, this) as LoadedComponents[Kind];
  }

  modelClient(component: ComponentJSON): ModelClient {
    if (this.#isModel(component)) {
      const supplied = this.#suppliedClient(component);
      if (supplied !== undefined) return supplied;
    }
    const entry = this.#entry(component, ["model"]);
    const key = `${component.provider}\n${JSON.stringify(component.config)}`;
    const built = this.#clients.get(key);
    if (built !== undefined) return built;
    const client = (entry.build as NonNullable<ProviderEntry["build"]>)(component, this) as ModelClient;
    this.#clients.set(key, client);
    return client;
  }

  checkModel(component: ComponentJSON): void {
    if (!this.#isModel(component)) this.#entry(component, ["model"]);
  }

  tool(component: ComponentJSON): AnyTool {
    this.#checkKnown(component, "tool");
    return toolOf(component, this);
  }

  workbench(component: ComponentJSON): { readonly tools: readonly AnyTool[]; readonly workbench?: Workbench } {
    this.#checkKnown(component, "workbench");
    return workbenchOf(component, this);
  }

  /** A model client, whether hearth builds its provider or not: by its provider, else by what the JSON says. */
  #isModel(component: ComponentJSON): boolean {
    const kind =
      providers.get(component.provider)?.kind ??
      unsupportedProviders.get(component.provider)?.kind ??
      component.componentType;
    return kind === "model" && (component.componentType ?? "model") === "model";
  }

  /** A tool or workbench of a provider hearth knows must be of that kind and version; others may be supplied. */
  #checkKnown(component: ComponentJSON, kind: "tool" | "workbench"): void {
    if (providers.has(component.provider) || unsupportedProviders.has(component.provider))
      this.#entry(component, [kind]);
  }

  #entry(component: ComponentJSON, kinds: readonly ComponentKind[]): ProviderEntry {
    const { provider } = component;
    const entry = providers.get(provider);
    if (entry === undefined) {
      const unsupported = unsupportedProviders.get(provider);
      throw componentError(
        component,
        unsupported === undefined
          ? `provider "${provider}" is not a component hearth knows; it reads AutoGen's ${kinds.map((kind) => kindNames[kind].replace(/^an? /, "")).join(", ")} providers listed in docs/components.md.`
          : `provider "${provider}" is not supported by hearth: ${unsupported.hint}`,
      );
    }
    const name = shortName(provider);
    if (component.componentType !== undefined && component.componentType !== entry.kind)
      throw componentError(
        component,
        `"component_type" is "${component.componentType}", but ${name} is ${kindNames[entry.kind]}.`,
      );
    if (!kinds.includes(entry.kind))
      throw componentError(
        component,
        `expected ${kinds.map((kind) => kindNames[kind]).join(" or ")}, but ${name} is ${kindNames[entry.kind]}.`,
      );
    if (component.componentVersion !== undefined && component.componentVersion > entry.maxVersion)
      throw componentError(
        component,
        `${name} of component_version ${component.componentVersion} is newer than hearth reads (up to ${entry.maxVersion}).`,
      );
    return entry;
  }

  #suppliedClient(component: ComponentJSON): ModelClient | undefined {
    const supplied = this.options.modelClients;
    if (supplied === undefined) return undefined;
    const model = typeof component.config.model === "string" ? component.config.model : undefined;
    const client =
      typeof supplied === "function"
        ? supplied({ provider: component.provider, model, config: component.config, path: component.path })
        : model !== undefined && Object.hasOwn(supplied, model)
          ? supplied[model]
          : undefined;
    if (client !== undefined && !isModelClient(client))
      throw locatedError(
        `options.modelClients gave something that is not a model client for the model${at(component.path)}.`,
        "modelClients",
      );
    return client;
  }
}
