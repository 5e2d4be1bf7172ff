import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { HearthError } from "../../core/errors.ts";
import type { ModelRequest } from "../../core/model-client.ts";
import { startMockOpenAIServer, type MockOpenAIServer } from "../../testing/mock-openai-server.ts";
import { ConnectionPools } from "../connection-pools.ts";
import { AzureAdTokenCache, type AzureAdToken, jwtExpiry, plainTokenLifetimeMs } from "./azure-ad-token.ts";
import { AzureOpenAIChatCompletionClient } from "./azure-client.ts";

const hello: ModelRequest = { messages: [{ role: "user", content: "hello there" }] };
const hour = 60 * 60_000;
const isCode = (code: string) => (error: unknown) => HearthError.is(error) && error.code === code;

/** A token provider that answers token-1, token-2, ... and counts its calls. */
function countingProvider(lifetimeMs = hour, delayMs = 0) {
  const provider = async (): Promise<AzureAdToken> => {
    provider.calls += 1;
    const token = `token-${provider.calls}`;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return { token, expiresOnTimestamp: Date.now() + lifetimeMs };
  };
  provider.calls = 0;
  return provider;
}

function jwt(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(payload)}.signature`;
}

describe("Azure OpenAI with an Entra ID token provider, against the mock server", () => {
  let mock: MockOpenAIServer;
  let pools: ConnectionPools;
  const azure = (azureAdTokenProvider: () => Promise<AzureAdToken> | AzureAdToken) =>
    new AzureOpenAIChatCompletionClient({
      model: "gpt-4o",
      azureEndpoint: new URL(mock.url).origin,
      azureDeployment: "prod-4o",
      apiVersion: "2024-10-21",
      apiKey: "key-never-sent",
      azureAdTokenProvider,
      connectionPools: pools,
      retry: { initialDelayMs: 5, maxDelayMs: 20 },
    });
  const bearers = () => mock.requests.map((request) => request.headers.authorization);

  before(async () => {
    mock = await startMockOpenAIServer();
  });
  beforeEach(() => {
    pools?.close();
    pools = new ConnectionPools();
    mock.requests.length = 0;
    mock.setApiKeys(["token-1"]);
  });
  after(async () => {
    pools.close();
    await mock.close();
  });

  test("the token provider is called once across 100 requests and again after a 401", async () => {
    const provider = countingProvider();
    const client = azure(provider);
    await client.warmup();
    assert.equal(provider.calls, 1);
    const streamed = async () => {
      for await (const _ of client.createStream(hello));
    };
    await Promise.all(Array.from({ length: 100 }, (_, index) => (index % 4 === 0 ? streamed() : client.create(hello))));
    assert.equal(provider.calls, 1);
    assert.equal(mock.requests.length, 101);
    assert.ok(bearers().every((header) => header === "Bearer token-1"));
    assert.equal(mock.requests[0]?.headers["api-key"], undefined);

    // The service stops taking token-1: each request in flight meets a 401, and they share one new token.
    mock.setApiKeys(["token-2"]);
    mock.requests.length = 0;
    const replies = await Promise.all(Array.from({ length: 10 }, () => client.create(hello)));
    assert.ok(replies.every((reply) => reply.content === "You said: hello there"));
    assert.equal(provider.calls, 2);
    assert.deepEqual(
      [...new Set(bearers())].sort(),
      ["Bearer token-1", "Bearer token-2"],
      "each refused request was sent again once, with the new token",
    );
    assert.equal(bearers().filter((header) => header === "Bearer token-2").length, 10);
    await client.create(hello);
    assert.equal(provider.calls, 2);
  });

  test("requests before any token share one call of the provider", async () => {
    const provider = countingProvider(hour, 20);
    const client = azure(provider);
    await Promise.all(Array.from({ length: 50 }, () => client.create(hello)));
    assert.equal(provider.calls, 1);
  });

  test("a token refused again after its replacement is HEARTH_MODEL_AUTH, with no more calls of the provider", async () => {
    mock.setApiKeys(["something-else"]);
    const provider = countingProvider();
    await assert.rejects(azure(provider).create(hello), (error) => isCode("HEARTH_MODEL_AUTH")(error));
    assert.equal(provider.calls, 2);
    assert.deepEqual(bearers(), ["Bearer token-1", "Bearer token-2"]);
  });

  test("a provider that fails or answers no token fails warm-up with HEARTH_MODEL_AUTH, before any request", async () => {
    await assert.rejects(
      azure(() => {
        throw new Error("no managed identity here");
      }).warmup(),
      (error) => isCode("HEARTH_MODEL_AUTH")(error) && (error as Error).cause instanceof Error,
    );
    await assert.rejects(azure(() => "").warmup(), isCode("HEARTH_MODEL_AUTH"));
    assert.equal(mock.requests.length, 0);
  });

  test("a provider that answers a plain string (getBearerTokenProvider's) is sent as the bearer", async () => {
    const client = azure(async () => "token-1");
    await client.create(hello);
    assert.deepEqual(bearers(), ["Bearer token-1"]);
  });

  test("a request waiting for a token the provider does not give ends with its signal", async () => {
    const client = azure(() => new Promise<AzureAdToken>(() => undefined));
    const started = performance.now();
    await assert.rejects(client.create(hello, { signal: AbortSignal.timeout(100) }), isCode("HEARTH_ABORTED"));
    assert.ok(performance.now() - started < 5_000);
  });

  test("bad options fail at construction, naming azureAdTokenProvider", () => {
    for (const options of [{ azureAdTokenProvider: "token" }, { azureAdTokenProvider: () => "t", azureAdToken: "t" }])
      assert.throws(
        () =>
          new AzureOpenAIChatCompletionClient({
            model: "gpt-4o",
            azureEndpoint: "https://example.openai.azure.com",
            azureDeployment: "d",
            apiVersion: "2024-10-21",
            ...(options as object),
          }),
        (error) => isCode("HEARTH_CONFIG_INVALID")(error) && (error as HearthError).field === "azureAdTokenProvider",
      );
  });
});

describe("AzureAdTokenCache", () => {
  test("a token is replaced in the background inside its last two minutes, and awaited once expired", async () => {
    let now = 1_000_000;
    let calls = 0;
    const cache = new AzureAdTokenCache(
      () => {
        calls += 1;
        return { token: `token-${calls}`, expiresOnTimestamp: now + hour };
      },
      () => now,
    );
    assert.equal(await cache.token(), "token-1");
    now += hour - 3 * 60_000;
    assert.equal(cache.token(), "token-1");
    assert.equal(calls, 1);
    now += 2 * 60_000;
    // Inside the window: the old token goes on being sent while the new one is fetched.
    assert.equal(cache.token(), "token-1");
    assert.equal(cache.token(), "token-1");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls, 2);
    assert.equal(cache.token(), "token-2");
    now += 2 * hour;
    const awaited = cache.token();
    assert.ok(awaited instanceof Promise);
    assert.equal(await awaited, "token-3");
  });

  test("a provider that fails while the token still holds keeps the token and is asked again 10 s later", async () => {
    let now = 0;
    let calls = 0;
    let failing = false;
    const cache = new AzureAdTokenCache(
      () => {
        calls += 1;
        if (failing) throw new Error("Entra ID is unreachable");
        return { token: `token-${calls}`, expiresOnTimestamp: now + hour };
      },
      () => now,
    );
    await cache.token();
    failing = true;
    now = hour - 60_000;
    assert.equal(cache.token(), "token-1");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls, 2);
    now += 5_000;
    assert.equal(cache.token(), "token-1");
    assert.equal(calls, 2);
    now += 5_000;
    assert.equal(cache.token(), "token-1");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls, 3);
    now = hour;
    await assert.rejects(Promise.resolve(cache.token()), isCode("HEARTH_MODEL_AUTH"));
  });

  test("a plain string is held until a JWT's exp, else for five minutes", async () => {
    let now = 0;
    let calls = 0;
    const expiring = jwt({ aud: "https://cognitiveservices.azure.com", exp: 3600 });
    const cache = new AzureAdTokenCache(
      () => {
        calls += 1;
        return calls === 1 ? expiring : "opaque-token";
      },
      () => now,
    );
    assert.equal(jwtExpiry(expiring), hour);
    assert.equal(jwtExpiry("opaque-token"), undefined);
    assert.equal(jwtExpiry("a.b.c"), undefined);
    assert.equal(await cache.token(), expiring);
    now = hour - 3 * 60_000;
    assert.equal(cache.token(), expiring);
    now = hour;
    assert.equal(await cache.token(), "opaque-token");
    now += plainTokenLifetimeMs - 3 * 60_000;
    assert.equal(cache.token(), "opaque-token");
    assert.equal(calls, 2);
    now += 2 * 60_000;
    assert.equal(cache.token(), "opaque-token");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls, 3);
  });

  test("a provider that never answers fails after the timeout, and the next call asks it again", async () => {
    let calls = 0;
    const cache = new AzureAdTokenCache(
      () => (++calls === 1 ? new Promise<AzureAdToken>(() => undefined) : "token-2"),
      Date.now,
      50,
    );
    await assert.rejects(Promise.resolve(cache.token()), isCode("HEARTH_MODEL_TIMEOUT"));
    assert.equal(await cache.token(), "token-2");
    assert.equal(calls, 2);
  });

  test("a refusal of a token already replaced takes the new one without asking again", async () => {
    let calls = 0;
    const cache = new AzureAdTokenCache(() => `token-${++calls}`);
    assert.equal(await cache.token(), "token-1");
    assert.equal(await cache.replace("token-1"), "token-2");
    assert.equal(await cache.replace("token-1"), "token-2");
    assert.equal(calls, 2);
  });
});
