import { HearthError } from "../../core/errors.ts";
import { addSecrets } from "../../internal/redact.ts";

/** A token as @azure/identity's `getToken` gives it (its AccessToken), or as a plain string. */
export type AzureAdToken = string | { readonly token: string; readonly expiresOnTimestamp: number };

/**
 * AutoGen's `azure_ad_token_provider`: a function that answers an Entra ID token for Azure
 * OpenAI, such as `getBearerTokenProvider(credential, "https://cognitiveservices.azure.com/.default")`
 * from @azure/identity gives.
 */
export type AzureAdTokenProvider = () => AzureAdToken | Promise<AzureAdToken>;

/** How long before its expiry a token is replaced (as @azure/core-rest-pipeline's refresh window). */
const refreshWindowMs = 2 * 60_000;
/** A plain string that is not a JWT with an `exp` is taken to be good for this long. */
export const plainTokenLifetimeMs = 5 * 60_000;
/** After the provider failed while the cached token still holds, it is asked again no sooner than this. */
const retryAfterFailureMs = 10_000;
/** A provider that has not answered by then has failed: a call that hangs must not hold every request after it. */
export const providerTimeoutMs = 30_000;

interface Held {
  readonly token: string;
  /** When the token stops working, in ms since the epoch. */
  readonly expiresAt: number;
  /** When to start replacing it. */
  refreshAt: number;
}

/**
 * An Entra ID token, held for every request of a client: the provider is asked at warm-up, then
 * only when the token nears its expiry or the service refused it (401), never per request. The
 * token is replaced in the background while it still holds (requests go on with it), and awaited
 * only when there is none or it has expired; concurrent requests share one call of the provider.
 */
export class AzureAdTokenCache {
  readonly #provider: AzureAdTokenProvider;
  readonly #now: () => number;
  #held: Held | undefined;
  #pending: Promise<string> | undefined;

  readonly #timeoutMs: number;

  constructor(provider: AzureAdTokenProvider, now: () => number = Date.now, timeoutMs = providerTimeoutMs) {
    this.#provider = provider;
    this.#now = now;
    this.#timeoutMs = timeoutMs;
  }

  /** The token to send now: the cached one, unless it must be replaced first. */
  token(): string | Promise<string> {
    const held = this.#held;
    const now = this.#now();
    if (held === undefined || now >= held.expiresAt) return this.#refresh();
    if (now >= held.refreshAt && this.#pending === undefined)
      // A failure here is not the request's: it keeps the token that still holds (see #refresh).
      this.#refresh().catch(() => undefined);
    return held.token;
  }

  /** A new token after the service refused `rejected`; a refusal of a token already replaced takes the new one. */
  replace(rejected: string): Promise<string> {
    if (this.#pending !== undefined) return this.#pending;
    const held = this.#held;
    if (held !== undefined && held.token !== rejected) return Promise.resolve(held.token);
    this.#held = undefined;
    return this.#refresh();
  }

  #refresh(): Promise<string> {
    this.#pending ??= this.#ask().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #ask(): Promise<string> {
    let fresh: Held;
    try {
      fresh = heldToken(await withTimeout(this.#provider(), this.#timeoutMs), this.#now());
    } catch (cause) {
      const held = this.#held;
      const now = this.#now();
      if (held !== undefined && now < held.expiresAt) {
        held.refreshAt = Math.min(held.expiresAt, now + retryAfterFailureMs);
        return held.token;
      }
      if (HearthError.is(cause)) throw cause;
      throw new HearthError("HEARTH_MODEL_AUTH", "The Entra ID token provider (`azureAdTokenProvider`) failed.", {
        cause,
        retryable: false,
      });
    }
    addSecrets([fresh.token]);
    this.#held = fresh;
    return fresh.token;
  }
}

function withTimeout(given: AzureAdToken | Promise<AzureAdToken>, timeoutMs: number): Promise<AzureAdToken> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new HearthError(
            "HEARTH_MODEL_TIMEOUT",
            `The Entra ID token provider (\`azureAdTokenProvider\`) did not answer within ${timeoutMs} ms.`,
            { retryable: true, timeoutMs },
          ),
        ),
      timeoutMs,
    );
    timer.unref();
  });
  return Promise.race([Promise.resolve(given), timedOut]).finally(() => clearTimeout(timer));
}

function heldToken(given: AzureAdToken, now: number): Held {
  const token = typeof given === "string" ? given : given?.token;
  if (typeof token !== "string" || token === "")
    throw new HearthError(
      "HEARTH_MODEL_AUTH",
      "The Entra ID token provider (`azureAdTokenProvider`) must answer a token: a non-empty string or `{ token, expiresOnTimestamp }`.",
      { retryable: false },
    );
  const expiresAt =
    typeof given === "string"
      ? (jwtExpiry(given) ?? now + plainTokenLifetimeMs)
      : Number.isFinite(given.expiresOnTimestamp)
        ? given.expiresOnTimestamp
        : now + plainTokenLifetimeMs;
  // A token shorter-lived than twice the window is replaced half way through its life.
  const window = Math.min(refreshWindowMs, Math.max(0, (expiresAt - now) / 2));
  return { token, expiresAt, refreshAt: expiresAt - window };
}

/** The `exp` of a JWT (as Entra ID's access tokens are), in ms; undefined for anything else. Read, never verified. */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { exp?: unknown };
    return typeof payload.exp === "number" && Number.isFinite(payload.exp) ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
