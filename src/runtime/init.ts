import type { ChatAgent } from "../core/agent.ts";
import { HearthError } from "../core/errors.ts";
import type { ModelClient } from "../core/model-client.ts";
import type { Team } from "../core/team.ts";
import { inFactory } from "../core/construction.ts";
import { errorMessage } from "../internal/error-message.ts";
import type { AnyApp } from "./app.ts";
import { loadAsset, type Asset } from "./asset.ts";
import type { Resource } from "./resource.ts";
import { errorSummary, type StartupTrace, type StepKind } from "./startup-trace.ts";
import { withStepTimeout } from "./warm-step.ts";
import { markWarmable } from "../core/synthetic.ts";

// The init phase: every definition of the app built once, along its dependencies, each step timed
// into the startup trace under its timeout.

export interface BuiltResource {
  readonly name: string;
  readonly definition: Resource<unknown>;
  readonly value: unknown;
}

/** Runs one init step under its timeout, in the factory scope, and records it; a failure stops startup, naming the step. */
export type InitStep = <T>(
  kind: StepKind,
  name: string,
  timeoutMs: number | undefined,
  work: (signal: AbortSignal) => T | Promise<T>,
) => Promise<T>;

export function initStepRunner(
  app: AnyApp,
  trace: StartupTrace,
  signal: AbortSignal,
  timeout: (stepMs: number | undefined) => number,
): InitStep {
  return async (kind, name, timeoutMs, work) => {
    const label = `${kind}:${name}`;
    const started = performance.now();
    try {
      const value = await withStepTimeout(label, timeout(timeoutMs), signal, (stepSignal) =>
        inFactory(() => work(stepSignal)),
      );
      trace.step({ phase: "init", kind, name, status: "ok" }, started, performance.now());
      return value;
    } catch (error) {
      trace.step(
        { phase: "init", kind, name, status: "failed", error: errorSummary(error) },
        started,
        performance.now(),
      );
      throw new HearthError(
        "HEARTH_STARTUP_FAILED",
        `App "${app.name}" failed to start at ${label}: ${errorMessage(error)}`,
        { cause: error, step: label },
      );
    }
  };
}

/** Every asset, read and parsed once, in parallel. */
export async function loadAssets(
  app: AnyApp,
  root: string,
  step: InitStep,
): Promise<Readonly<Record<string, unknown>>> {
  const assets = Object.entries((app.assets ?? {}) as Record<string, Asset<unknown>>);
  const values = await Promise.all(
    assets.map(([name, definition]) => step("asset", name, undefined, () => loadAsset(definition, name, root))),
  );
  return Object.freeze(Object.fromEntries(assets.map(([name], index) => [name, values[index]])));
}

/**
 * Resources follow their dependsOn graph: each starts once what it depends on is built. Each one
 * built is added to `built` at once, so a startup that fails later still closes it.
 */
export async function initResources(
  app: AnyApp,
  assets: Readonly<Record<string, unknown>>,
  step: InitStep,
  built: BuiltResource[],
  mark?: (resource: string, part: string, startMs: number, endMs: number) => void,
): Promise<Record<string, unknown>> {
  const definitions = (app.resources ?? {}) as Record<string, Resource<unknown>>;
  const values: Record<string, unknown> = {};
  const building = new Map<string, Promise<unknown>>();
  const build = (name: string): Promise<unknown> => {
    let promise = building.get(name);
    if (promise === undefined) {
      const definition = definitions[name] as Resource<unknown>;
      promise = Promise.all((definition.dependsOn ?? []).map(build)).then(() =>
        step("resource", name, definition.timeoutMs, async (signal) => {
          const dependencies = Object.fromEntries(
            (definition.dependsOn ?? []).map((dependency) => [dependency, values[dependency]]),
          );
          const value = await definition.init({
            assets,
            resources: dependencies,
            signal,
            ...(mark === undefined ? {} : { mark: (part, startMs, endMs) => mark(name, part, startMs, endMs) }),
          });
          values[name] = value;
          built.push({ name, definition, value });
          return value;
        }),
      );
      building.set(name, promise);
    }
    return promise;
  };
  const results = await Promise.allSettled(Object.keys(definitions).map(build));
  const failed = results.find((result) => result.status === "rejected");
  if (failed !== undefined) throw failed.reason;
  return values;
}

type ModelEntry =
  | ((context: unknown) => ModelClient)
  | { create: (context: unknown) => ModelClient; required?: boolean };

/** Every model client, one after another, marked as the runtime's (agents on them take synthetic turns); each is added to `models` as it is built. */
export async function initModels(
  app: AnyApp,
  context: unknown,
  step: InitStep,
  models: Record<string, ModelClient>,
  replacements: Readonly<Record<string, ModelClient>> = {},
): Promise<void> {
  for (const [name, entry] of Object.entries((app.models ?? {}) as Record<string, ModelEntry>)) {
    const create = typeof entry === "function" ? entry : entry.create;
    const replacement = Object.hasOwn(replacements, name) ? replacements[name] : undefined;
    const client = await step("model", name, undefined, () => replacement ?? create(context));
    if (typeof client?.create !== "function")
      throw new HearthError(
        "HEARTH_STARTUP_FAILED",
        `App "${app.name}": models.${name} did not return a model client.`,
        { step: `model:${name}` },
      );
    models[name] = markWarmable(client);
  }
}

/**
 * The agents, then the teams (which are given the agents). `withoutTools` (`hearth profile
 * --no-tools`) takes the agents' tools away, where an agent can do without them.
 */
export async function buildAgentsAndTeams(
  app: AnyApp,
  context: Readonly<Record<string, unknown>>,
  step: InitStep,
  withoutTools: boolean,
): Promise<{ agents: Readonly<Record<string, ChatAgent>>; teams: Readonly<Record<string, Team>> }> {
  const agents: Record<string, ChatAgent> = {};
  for (const [name, factory] of Object.entries((app.agents ?? {}) as Record<string, (context: unknown) => ChatAgent>)) {
    agents[name] = await step("agent", name, undefined, () => {
      const agent = factory(context);
      return withoutTools && agent.withoutTools !== undefined ? agent.withoutTools() : agent;
    });
  }
  const teams: Record<string, Team> = {};
  const teamContext = { ...context, agents };
  for (const [name, factory] of Object.entries((app.teams ?? {}) as Record<string, (context: unknown) => Team>)) {
    teams[name] = await step("team", name, undefined, () => factory(teamContext));
  }
  return { agents: Object.freeze(agents), teams: Object.freeze(teams) };
}
