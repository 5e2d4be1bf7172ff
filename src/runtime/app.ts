import type { ChatAgent } from "../core/agent.ts";
import { UserError } from "../core/errors.ts";
import type { ModelClient } from "../core/model-client.ts";
import type { Team } from "../core/team.ts";
import type { TenantsOptions } from "../tenancy/tenant-cache.ts";
import type { Asset } from "./asset.ts";
import { checkKeepWarmOptions, type KeepWarmOptions } from "./keep-warm.ts";
import { checkRequestContextOptions, type RequestContextOptions } from "./request-context.ts";
import type { Resource } from "./resource.ts";
import { knownOptions } from "../core/known-options.ts";
import { appOptionNames } from "./option-names.ts";

// Asset and resource values are whatever their definitions say.
// biome-ignore lint/suspicious/noExplicitAny: an asset of any value type
type AnyAsset = Asset<any>;
// biome-ignore lint/suspicious/noExplicitAny: a resource of any value type
type AnyResource = Resource<any>;

export type AssetValues<Assets> = {
  readonly [K in keyof Assets]: Assets[K] extends Asset<infer Value> ? Value : never;
};
export type ResourceValues<Resources> = {
  readonly [K in keyof Resources]: Resources[K] extends Resource<infer Value> ? Value : never;
};

export interface ModelFactoryContext<Assets, Resources> {
  readonly assets: AssetValues<Assets>;
  readonly resources: ResourceValues<Resources>;
}

export interface AgentFactoryContext<Assets, Resources, Models> extends ModelFactoryContext<Assets, Resources> {
  readonly models: Models;
}

export interface TeamFactoryContext<Assets, Resources, Models, Agents>
  extends AgentFactoryContext<Assets, Resources, Models> {
  readonly agents: Agents;
}

/** A model whose warm-up may fail without failing startup: the runtime is then degraded. */
export interface OptionalModel<Assets, Resources, Model extends ModelClient> {
  readonly create: (context: ModelFactoryContext<Assets, Resources>) => Model;
  readonly required: false;
}

export type ModelEntry<Assets, Resources, Model extends ModelClient> =
  | ((context: ModelFactoryContext<Assets, Resources>) => Model)
  | OptionalModel<Assets, Resources, Model>;

/** Where the synthetic warm-up turns go: a short task for each agent and team. */
export interface WarmupOptions {
  /** The task of the synthetic turns. Default "warm-up". */
  readonly task?: string;
  /** Run synthetic turns through agents and teams before ready. Default true. */
  readonly syntheticTurns?: boolean;
  /** Attempts for each failing warm-up step, the first included. Default 4. */
  readonly attempts?: number;
  /** The first retry's delay; each doubles up to `maxDelayMs`. Default 200. */
  readonly initialDelayMs?: number;
  /** Default 2000. */
  readonly maxDelayMs?: number;
}

/** How requests prove who they are: an API key (`Authorization: Bearer <key>`) maps to a tenant. */
export interface AuthOptions {
  /** Each key and the tenant it belongs to. */
  readonly apiKeys?: Readonly<Record<string, string>>;
  /** Or a function from key to tenant (undefined for an unknown key). */
  readonly resolve?: (apiKey: string) => string | undefined | Promise<string | undefined>;
}

export interface AppDefinition<Assets, Resources, Models, Agents, Teams> {
  readonly name: string;
  /** Without it, the app serves one tenant, "default", with no authentication (and says so when it starts). */
  readonly auth?: AuthOptions;
  /** Per-tenant stacks (agents built with each tenant's credentials), cached; it also maps API keys to tenants. */
  // NoInfer: the app's models are inferred from `models`, never from how `tenants.build` reads them.
  readonly tenants?: TenantsOptions<NoInfer<AssetValues<Assets>>, NoInfer<ResourceValues<Resources>>, NoInfer<Models>>;
  /** Where relative asset paths start. Default: the working directory. */
  readonly root?: string | URL;
  readonly assets?: Assets;
  readonly resources?: Resources;
  readonly models?: {
    readonly [K in keyof Models]: Models[K] extends ModelClient ? ModelEntry<Assets, Resources, Models[K]> : never;
  };
  readonly agents?: {
    readonly [K in keyof Agents]: (context: AgentFactoryContext<Assets, Resources, Models>) => Agents[K];
  };
  readonly teams?: {
    readonly [K in keyof Teams]: (context: TeamFactoryContext<Assets, Resources, Models, Agents>) => Teams[K];
  };
  readonly warmup?: WarmupOptions;
  /** Keep each model provider's connections open through quiet periods (see KeepWarmOptions). Default on. */
  readonly keepWarm?: KeepWarmOptions | false;
  /**
   * What each model's tokens cost, per million, in a currency of the app's choosing: `/metrics`
   * then counts `hearth_model_cost_total` by model, caller and tenant. Keyed by the model name the
   * client asks for.
   */
  readonly prices?: Readonly<Record<string, ModelPrice>>;
  /** How a chat request's `context` field becomes the run's request context (see RequestContextOptions). */
  readonly context?: RequestContextOptions;
  /** Work that the first request does not need (metrics exporters, optional integrations): run after ready. */
  readonly afterReady?: readonly ((
    context: TeamFactoryContext<Assets, Resources, Models, Agents>,
  ) => void | Promise<void>)[];
  /** Each init step's timeout unless the step says otherwise. Default 30 s. */
  readonly stepTimeoutMs?: number;
}

/** A checked, frozen app definition: what `createRuntime` builds. */
export interface App<
  Assets = Record<string, AnyAsset>,
  Resources = Record<string, AnyResource>,
  Models = Record<string, ModelClient>,
  Agents = Record<string, ChatAgent>,
  Teams = Record<string, Team>,
> extends AppDefinition<Assets, Resources, Models, Agents, Teams> {
  readonly kind: "hearth-app";
}

const namePattern = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function checkMap(value: unknown, field: string, check: (entry: unknown, name: string) => void): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new UserError(`App \`${field}\` must be an object of named entries.`, { field });
  for (const [name, entry] of Object.entries(value)) {
    if (!namePattern.test(name))
      throw new UserError(`App \`${field}.${name}\`: names are letters, digits, "_" and "-".`, {
        field: `${field}.${name}`,
      });
    check(entry, name);
  }
}

/**
 * Declares an app: its assets, resources, models, agents and teams. Each factory receives what it
 * depends on, already built; the runtime builds everything once, at startup, in dependency order.
 * The definition is checked here, before anything runs: a mistake is a UserError naming the field.
 */
// `{}` is "none declared", and still lets each literal key be inferred.
// biome-ignore-start lint/complexity/noBannedTypes: see above
export function defineApp<
  const Assets extends Record<string, AnyAsset> = {},
  const Resources extends Record<string, AnyResource> = {},
  Models extends Record<string, ModelClient> = {},
  Agents extends Record<string, ChatAgent> = {},
  Teams extends Record<string, Team> = {},
  // biome-ignore-end lint/complexity/noBannedTypes: see above
>(definition: AppDefinition<Assets, Resources, Models, Agents, Teams>): App<Assets, Resources, Models, Agents, Teams> {
  if (typeof definition !== "object" || definition === null)
    throw new UserError("defineApp needs a definition object.", { field: "app" });
  definition = knownOptions("App", definition, appOptionNames);
  if (typeof definition.name !== "string" || !namePattern.test(definition.name))
    throw new UserError(`App name ${JSON.stringify(definition.name)} is invalid.`, { field: "name" });
  checkMap(definition.assets, "assets", (entry, name) => {
    const candidate = entry as Partial<AnyAsset> | undefined;
    if (typeof candidate?.parse !== "function")
      throw new UserError(`App \`assets.${name}\` must be made with asset.text(), asset.json() or asset.bytes().`, {
        field: `assets.${name}`,
      });
  });
  const resourceNames = new Set(Object.keys(definition.resources ?? {}));
  checkMap(definition.resources, "resources", (entry, name) => {
    const candidate = entry as Partial<AnyResource> | undefined;
    if (candidate?.kind !== "resource")
      throw new UserError(`App \`resources.${name}\` must be made with resource().`, { field: `resources.${name}` });
    for (const dependency of candidate.dependsOn ?? []) {
      if (!resourceNames.has(dependency))
        throw new UserError(
          `App \`resources.${name}\` depends on "${dependency}", which is not a resource of the app.`,
          { field: `resources.${name}.dependsOn` },
        );
    }
  });
  const cycle = findCycle(definition.resources ?? {});
  if (cycle !== undefined)
    throw new UserError(`App resources depend on each other in a cycle: ${cycle.join(" -> ")}.`, {
      field: `resources.${cycle[0]}.dependsOn`,
    });
  checkMap(definition.models, "models", (entry, name) => {
    const candidate = entry as { create?: unknown } | ((...args: never[]) => unknown) | undefined;
    if (typeof candidate !== "function" && typeof candidate?.create !== "function") {
      throw new UserError(`App \`models.${name}\` must be a factory, or { create, required: false }.`, {
        field: `models.${name}`,
      });
    }
  });
  for (const field of ["agents", "teams"] as const) {
    checkMap(definition[field], field, (entry, name) => {
      if (typeof entry !== "function")
        throw new UserError(`App \`${field}.${name}\` must be a factory function.`, { field: `${field}.${name}` });
    });
  }
  const agentNames = Object.keys(definition.agents ?? {});
  for (const name of Object.keys(definition.teams ?? {})) {
    if (agentNames.includes(name))
      throw new UserError(`App has an agent and a team both named "${name}".`, { field: `teams.${name}` });
  }
  if (
    definition.afterReady !== undefined &&
    (!Array.isArray(definition.afterReady) || definition.afterReady.some((hook) => typeof hook !== "function"))
  ) {
    throw new UserError("App `afterReady` must be a list of functions.", { field: "afterReady" });
  }
  if (definition.auth !== undefined) {
    const { apiKeys, resolve } = definition.auth;
    if (apiKeys === undefined && resolve === undefined)
      throw new UserError("App `auth` needs apiKeys or resolve.", { field: "auth" });
    if (resolve !== undefined && typeof resolve !== "function")
      throw new UserError("App `auth.resolve` must be a function.", { field: "auth.resolve" });
    if (apiKeys !== undefined) {
      for (const [key, tenant] of Object.entries(apiKeys)) {
        if (key.length < 8 || typeof tenant !== "string" || tenant === "")
          throw new UserError("App `auth.apiKeys` maps keys of 8 or more characters to tenant names.", {
            field: "auth.apiKeys",
          });
      }
    }
  }
  if (definition.tenants !== undefined) {
    const tenants = definition.tenants;
    if (definition.auth !== undefined)
      throw new UserError(
        "App has both `auth` and `tenants`: `tenants.resolve` maps keys to tenants, so leave `auth` out.",
        { field: "auth" },
      );
    if (typeof tenants.resolve !== "function")
      throw new UserError("App `tenants.resolve` must be a function from API key to tenant.", {
        field: "tenants.resolve",
      });
    if (typeof tenants.build !== "function")
      throw new UserError("App `tenants.build` must be a function that builds a tenant's agents.", {
        field: "tenants.build",
      });
    if (tenants.credentials !== undefined && typeof tenants.credentials !== "function")
      throw new UserError("App `tenants.credentials` must be a function.", { field: "tenants.credentials" });
    if (
      tenants.prewarm !== undefined &&
      (!Array.isArray(tenants.prewarm) || tenants.prewarm.some((id) => typeof id !== "string"))
    ) {
      throw new UserError("App `tenants.prewarm` must be a list of tenant ids.", { field: "tenants.prewarm" });
    }
    if (tenants.shared !== undefined) {
      const runners = [...Object.keys(definition.agents ?? {}), ...Object.keys(definition.teams ?? {})];
      if (!Array.isArray(tenants.shared))
        throw new UserError("App `tenants.shared` must be a list of the app's agent and team names.", {
          field: "tenants.shared",
        });
      for (const name of tenants.shared) {
        if (typeof name !== "string" || !runners.includes(name))
          throw new UserError(
            `App \`tenants.shared\` names ${JSON.stringify(name)}, which is not an agent or team of the app (it has: ${runners.join(", ") || "none"}).`,
            { field: "tenants.shared" },
          );
      }
    }
  }
  checkRequestContextOptions(definition.context);
  checkKeepWarmOptions(definition.keepWarm);
  checkPrices(definition.prices);
  const timeout = definition.stepTimeoutMs;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout <= 0))
    throw new UserError("App `stepTimeoutMs` must be a positive number.", { field: "stepTimeoutMs" });
  const attempts = definition.warmup?.attempts;
  if (attempts !== undefined && (!Number.isInteger(attempts) || attempts < 1))
    throw new UserError("App `warmup.attempts` must be a whole number, 1 or more.", { field: "warmup.attempts" });
  return Object.freeze({ ...definition, kind: "hearth-app" as const });
}

/** What a model's tokens cost, per million, in the app's currency. */
export interface ModelPrice {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
}

function checkPrices(prices: unknown): void {
  if (prices === undefined) return;
  if (typeof prices !== "object" || prices === null)
    throw new UserError("App `prices` must map model names to { inputPerMillion, outputPerMillion }.", {
      field: "prices",
    });
  for (const [model, price] of Object.entries(prices)) {
    const { inputPerMillion, outputPerMillion } = (price ?? {}) as Partial<ModelPrice>;
    for (const value of [inputPerMillion, outputPerMillion])
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
        throw new UserError(
          `App \`prices["${model}"]\` must be { inputPerMillion, outputPerMillion }, each a number, 0 or more.`,
          { field: `prices.${model}` },
        );
  }
}

/** A dependency cycle among resources, as the names along it, or undefined. */
function findCycle(resources: Readonly<Record<string, AnyResource>>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...path.slice(path.indexOf(name)), name];
    state.set(name, "visiting");
    for (const dependency of resources[name]?.dependsOn ?? []) {
      const cycle = visit(dependency, [...path, name]);
      if (cycle !== undefined) return cycle;
    }
    state.set(name, "done");
    return undefined;
  };
  for (const name of Object.keys(resources)) {
    const cycle = visit(name, []);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

/** Any app, whatever its assets, resources, models, agents and teams: what the runtime's adapters accept. */
// biome-ignore lint/suspicious/noExplicitAny: each type parameter is whatever the app declares
export type AnyApp = App<any, any, any, any, any>;
