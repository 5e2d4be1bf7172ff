import type { ChatAgent } from "../core/agent.ts";
import type { ModelClient } from "../core/model-client.ts";
import type { Team, TerminationCondition } from "../core/team.ts";
import type { AnyTool } from "../core/tool.ts";
import type { Workbench } from "../core/workbench.ts";
import type { ModelContext } from "../agents/model-context.ts";
import type { Memory } from "../core/memory.ts";
import type { LoadComponentOptions } from "./options.ts";
import type { ComponentJSON } from "./component-json.ts";

/** What each kind of component becomes. */
export interface LoadedComponents {
  readonly team: Team;
  readonly agent: ChatAgent;
  readonly model: ModelClient;
  readonly termination: TerminationCondition;
  readonly chat_completion_context: ModelContext;
  readonly memory: Memory;
}

/** The `component_type`s that loadComponent returns. */
export type ComponentType = keyof LoadedComponents;

/** Every `component_type` hearth reads, the nested ones (a tool, a workbench) included. */
export type ComponentKind = ComponentType | "tool" | "workbench";

/** What the builders of each provider are given: the options, and a way to build nested components. */
export interface Loader {
  readonly options: LoadComponentOptions;
  /** Builds a nested component, which must be of one of `kinds`. */
  build<Kind extends ComponentType>(component: ComponentJSON, kinds: readonly Kind[]): LoadedComponents[Kind];
  /** A model client: the one the options supply for it, or one built from its config. */
  modelClient(component: ComponentJSON): ModelClient;
  /** Checks that a component is a model client, without building it (a token-limited context's, which only counts). */
  checkModel(component: ComponentJSON): void;
  /** A tool: the one the options supply under its name, or one hearth can build from its config. */
  tool(component: ComponentJSON): AnyTool;
  /** A workbench: the one the options supply, or, for a static workbench, the tools it lists. */
  workbench(component: ComponentJSON): { readonly tools: readonly AnyTool[]; readonly workbench?: Workbench };
}

/** How hearth builds one AutoGen provider. */
export interface ProviderEntry {
  readonly kind: ComponentKind;
  /** The newest `component_version` hearth reads. */
  readonly maxVersion: number;
  /** Absent for tools and workbenches, which the loader resolves itself. */
  readonly build?: (component: ComponentJSON, loader: Loader) => unknown;
}
