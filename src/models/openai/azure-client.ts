import { UserError } from "../../core/errors.ts";
import { AzureAdTokenCache, type AzureAdTokenProvider } from "./azure-ad-token.ts";
import { OpenAIChatCompletionClient, type OpenAIChatCompletionClientOptions, parseBaseURL } from "./openai-client.ts";
import { knownOptions } from "../../core/known-options.ts";
import { type AzureClientAutoGenNames, azureClientOptionNames } from "../option-names.ts";

export interface AzureOpenAIChatCompletionClientOptions
  extends Omit<OpenAIChatCompletionClientOptions, "baseURL" | "apiKey"> {
  /** `https://<resource>.openai.azure.com`; defaults to `AZURE_OPENAI_ENDPOINT`. */
  readonly azureEndpoint?: string;
  readonly azureDeployment: string;
  /** For example "2024-10-21". */
  readonly apiVersion: string;
  /** Defaults to `AZURE_OPENAI_API_KEY`. Give `azureAdTokenProvider` (or a fixed `azureAdToken`) instead for Entra ID. */
  readonly apiKey?: string;
  /** A fixed Entra ID token. It expires (in about an hour): a long-lived process wants `azureAdTokenProvider`. */
  readonly azureAdToken?: string;
  /**
   * AutoGen's `azure_ad_token_provider`: answers an Entra ID token (a string, or `{ token,
   * expiresOnTimestamp }` as @azure/identity's `getToken` does). Asked at warm-up, then again only
   * before the token expires or after a 401 (see azure-ad-token.ts and docs/models.md).
   */
  readonly azureAdTokenProvider?: AzureAdTokenProvider;
}

/** Chat Completions on Azure OpenAI: deployment in the path, `api-version` in the query, `api-key` header. */
export class AzureOpenAIChatCompletionClient extends OpenAIChatCompletionClient {
  constructor(options: AzureOpenAIChatCompletionClientOptions & AzureClientAutoGenNames) {
    options = knownOptions("AzureOpenAIChatCompletionClient", options, azureClientOptionNames);
    const endpoint = options.azureEndpoint ?? process.env.AZURE_OPENAI_ENDPOINT;
    if (endpoint === undefined || endpoint === "")
      throw new UserError("AzureOpenAIChatCompletionClient needs `azureEndpoint`.", { field: "azureEndpoint" });
    if (!options.azureDeployment)
      throw new UserError("AzureOpenAIChatCompletionClient needs `azureDeployment`.", { field: "azureDeployment" });
    if (!options.apiVersion)
      throw new UserError("AzureOpenAIChatCompletionClient needs `apiVersion`.", { field: "apiVersion" });
    const base = parseBaseURL(endpoint);
    const query = `?api-version=${encodeURIComponent(options.apiVersion)}`;
    const headers: Record<string, string> = { ...options.headers };
    const apiKey = options.apiKey ?? process.env.AZURE_OPENAI_API_KEY;
    const tokenProvider = options.azureAdTokenProvider;
    if (tokenProvider !== undefined && typeof tokenProvider !== "function")
      throw new UserError("`azureAdTokenProvider` must be a function that answers a token.", {
        field: "azureAdTokenProvider",
      });
    if (tokenProvider !== undefined && options.azureAdToken !== undefined)
      throw new UserError("Give `azureAdTokenProvider` or `azureAdToken`, not both.", {
        field: "azureAdTokenProvider",
      });
    // With a token provider, neither a fixed token nor the environment's key is sent.
    if (tokenProvider === undefined) {
      if (options.azureAdToken !== undefined) headers.authorization = `Bearer ${options.azureAdToken}`;
      else if (apiKey !== undefined && apiKey !== "") headers["api-key"] = apiKey;
    }
    super(options, {
      provider: "azure.ai.openai",
      chatCompletionsURL: new URL(
        `openai/deployments/${encodeURIComponent(options.azureDeployment)}/chat/completions${query}`,
        base,
      ),
      warmupURL: new URL(`openai/models${query}`, base),
      headers: Object.freeze(headers),
      ...(tokenProvider === undefined ? {} : { bearerTokens: new AzureAdTokenCache(tokenProvider) }),
    });
  }
}
