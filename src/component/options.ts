import type { ModelClient } from "../core/model-client.ts";
import type { AnyTool } from "../core/tool.ts";
import type { Workbench } from "../core/workbench.ts";
import type { InputFunction } from "../agents/user-proxy-agent.ts";
import type { ConnectionPools } from "../models/connection-pools.ts";
import type { AzureAdTokenProvider } from "../models/openai/azure-ad-token.ts";
import type { ComponentType } from "./loader.ts";

/** A model client component of the JSON, as `modelClients` is asked about it. */
export interface ModelComponent {
  /** The provider, short aliases resolved: "autogen_ext.models.openai.OpenAIChatCompletionClient". */
  readonly provider: string;
  /** The config's `model`, when it has one. */
  readonly model: string | undefined;
  readonly config: Readonly<Record<string, unknown>>;
  /** Where it is in the document: `config.participants[0].config.model_client`. */
  readonly path: string;
}

export interface LoadComponentOptions {
  /** The kind the JSON must be ("team", "agent", "model", "termination", "chat_completion_context"); it types the result. */
  readonly componentType?: ComponentType;
  /**
   * The tools the JSON names, by name. No code from the JSON runs: a FunctionTool's `source_code` is
   * never read, and a tool the JSON names that is not here is an error naming it.
   */
  readonly tools?: Readonly<Record<string, AnyTool>>;
  /**
   * Workbenches the JSON names (an `McpWorkbench`), keyed by the component's `label` or by its path in
   * the document (`config.participants[0].config.workbench[1]`): an `mcpServer` resource of the app,
   * say. hearth starts no process and opens no connection that a JSON file names.
   */
  readonly workbenches?: Readonly<Record<string, Workbench>>;
  /**
   * Model clients to use instead of building them from the JSON: by the config's `model` name, or a
   * function of each model component (undefined: build it from the JSON). Give the app's `models`
   * here, and the runtime warms them before ready; clients built from the JSON are not warmed.
   */
  readonly modelClients?: Readonly<Record<string, ModelClient>> | ((model: ModelComponent) => ModelClient | undefined);
  /** How a UserProxyAgent asks its person (AutoGen does not serialise `input_func`). Default: standard input. */
  readonly inputFunc?: InputFunction;
  /** For an Azure client whose JSON has an `azure_ad_token_provider` (AutoGen's AzureTokenProvider). */
  readonly azureAdTokenProvider?: AzureAdTokenProvider;
  /** The connection pools of the clients built from the JSON. Default: the process-wide ones. */
  readonly connectionPools?: ConnectionPools;
}
