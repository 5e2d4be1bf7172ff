// The bugs `npm run mutate` plants, one at a time, in the security- and durability-critical modules:
// each is a small, plausible mistake that changes behaviour, and the tests named beside it must
// fail with it. A mutant marked `equivalent` cannot change behaviour (the reason says why) and is
// run but not counted. The first nine are the planted bugs a mutation sample once found surviving.

export interface Mutant {
  readonly id: string;
  readonly file: string;
  /** Must occur exactly once in the file. */
  readonly find: string;
  readonly replace: string;
  readonly tests: readonly string[];
  readonly equivalent?: string;
}

const auth = ["test/tenant-auth.test.ts"];
const turns = ["test/session-turns.test.ts"];
const redaction = ["src/internal/redact.test.ts", "test/redaction.test.ts"];
const stores = [
  "src/state/memory-session-store.test.ts",
  "src/state/sqlite-session-store.test.ts",
  "src/state/redis-session-store.test.ts",
];
const classification = ["src/models/classify-error.test.ts"];
const retry = ["src/models/retry.test.ts"];
const termination = ["src/teams/termination.test.ts"];

export const mutants: readonly Mutant[] = [
  // The nine of the mutation sample.
  {
    id: "auth-keys-in",
    file: "src/server/auth.ts",
    find: "Object.hasOwn(auth.apiKeys, key)",
    replace: "key in auth.apiKeys",
    tests: auth,
  },
  {
    id: "turn-no-session-lock",
    file: "src/runtime/session-turn.ts",
    find: "const release = id === undefined ? () => undefined : await locks.acquire(`${tenant}\\u0000${id}`);",
    replace: "const release = () => undefined;",
    tests: turns,
  },
  {
    id: "create-session-ignored",
    file: "src/runtime/session-turn.ts",
    find: "stored === undefined && options.createSession !== true",
    replace: "stored === undefined",
    tests: ["src/runtime/session-turn.test.ts", "test/own-session-ids.test.ts"],
  },
  {
    id: "kept-context-not-stored",
    file: "src/runtime/session-turn.ts",
    find: "    if (keep !== undefined) session.apply({ requestContext: keep });\n",
    replace: "",
    tests: ["src/runtime/session-turn.test.ts", "test/request-context.test.ts"],
  },
  {
    id: "context-unchecked-when-absent",
    file: "src/runtime/request-context.ts",
    find: "    if (check === undefined) return field;",
    replace: "    if (check === undefined || field === undefined) return field;",
    tests: ["test/request-context.test.ts"],
  },
  {
    id: "tool-failure-not-logged",
    file: "src/tools/execute-tool-calls.ts",
    find: "if (result.isError && !run.synthetic)",
    replace: "if (result.isError && run.synthetic)",
    tests: ["test/request-context.test.ts"],
  },
  {
    id: "turn-store-after-abort",
    file: "src/runtime/session-turn.ts",
    find: "    if (signal.aborted) throw abortError(signal);\n    if (keep !== undefined)",
    replace: "    if (keep !== undefined)",
    tests: turns,
  },
  {
    id: "environment-keys-not-secrets",
    file: "src/internal/redact.ts",
    find: "    this.#environmentRead = true;\n    this.rescanEnvironment();",
    replace: "    this.#environmentRead = true;",
    tests: redaction,
  },
  {
    id: "stream-rerun-after-events",
    file: "src/runtime/session-turn.ts",
    find: "tries >= 5 || sent || signal.aborted",
    replace: "tries >= 5 || signal.aborted",
    tests: turns,
  },
  { id: "empty-tenant", file: "src/server/auth.ts", find: "{1,256}$/", replace: "{0,256}$/", tests: auth },
  {
    id: "memory-future-version",
    file: "src/state/memory-session-store.ts",
    find: "if (current !== expectedVersion) {",
    replace: "if (current > expectedVersion) {",
    tests: ["src/state/memory-session-store.test.ts"],
  },
  {
    id: "provider-409-not-retried",
    file: "src/models/classify-error.ts",
    find: "if (status === 408 || status === 409) {",
    replace: "if (status === 408) {",
    tests: classification,
  },
  {
    id: "exclusive-minimum-boundary",
    file: "src/tools/json-schema-validator.ts",
    find: "value <= s.exclusiveMinimum",
    replace: "value < s.exclusiveMinimum",
    tests: ["src/tools/json-schema-validator.test.ts"],
  },

  // Authentication and tenancy.
  {
    id: "tenant-any-value",
    file: "src/server/auth.ts",
    find: 'return typeof value === "string" && tenantIdPattern.test(value);',
    replace: "return value !== undefined;",
    tests: auth,
  },
  {
    id: "no-key-default-tenant",
    file: "src/server/auth.ts",
    find: '  if (key === undefined) throw new HearthError("HEARTH_UNAUTHORIZED", "Send `Authorization: Bearer <your API key>`.");',
    replace: "  if (key === undefined) return defaultTenant;",
    tests: auth,
  },
  {
    id: "tenant-reaches-app-agents",
    file: "src/server/chat.ts",
    find: "const sharedAgents = pick(runtime.agents, shared);",
    replace: "const sharedAgents = runtime.agents;",
    tests: auth,
  },
  {
    id: "shared-overrides-tenant-own",
    file: "src/server/chat.ts",
    find: "{ ...stack.agents, ...without(sharedAgents, stack.agents) }",
    replace: "{ ...sharedAgents, ...stack.agents }",
    tests: auth,
  },
  {
    id: "readyz-detail-to-anyone",
    file: "src/server/http-app.ts",
    find: "const detailed = await this.#authenticated(request);",
    replace: "const detailed = true;",
    tests: ["test/redaction.test.ts"],
  },

  // Redaction.
  {
    id: "log-line-not-redacted",
    file: "src/internal/log.ts",
    find: "base(redactEntry(entry) as LogEntry);",
    replace: "base(entry);",
    tests: ["src/internal/log.test.ts", "test/redaction.test.ts"],
  },
  {
    id: "redact-no-url-user-info",
    file: "src/internal/redact.ts",
    find: '      .replace(urlUserInfo, "$1[redacted]@")\n',
    replace: "",
    tests: redaction,
  },
  {
    id: "redact-no-bearer",
    file: "src/internal/redact.ts",
    find: "      .replace(authorization, (match: string, scheme: string, space: string, token: string) =>\n        isCredential(scheme, token) ? `${scheme}${space}[redacted]` : match,\n      )\n",
    replace: "",
    tests: redaction,
  },
  {
    id: "redact-no-known-secrets",
    file: "src/internal/redact.ts",
    find: 'return this.#pattern.test(text) ? text.replace(this.#pattern, "[redacted]") : text;',
    replace: "return text;",
    tests: redaction,
  },
  {
    id: "redact-no-index-of-many",
    file: "src/internal/redact.ts",
    find: "this.#redactIndexed(text, this.#lengthsByPrefix) :",
    replace: "text :",
    tests: redaction,
  },
  {
    id: "redact-short-secrets",
    file: "src/internal/redact.ts",
    find: "const minimumLength = 6;",
    replace: "const minimumLength = 3;",
    tests: redaction,
  },
  {
    id: "redact-log-nested-skipped",
    file: "src/internal/redact.ts",
    find: "    if (Array.isArray(value)) return value.map((item) => this.#redactValue(item, path, depth + 1));",
    replace: "    if (Array.isArray(value)) return value;",
    tests: redaction,
  },
  {
    id: "redact-basic-prose",
    file: "src/internal/redact.ts",
    find: 'if (/^basic$/i.test(scheme)) return Buffer.from(token, "base64").toString("latin1").includes(":");',
    replace: "if (/^basic$/i.test(scheme)) return true;",
    tests: ["src/internal/redact.test.ts"],
  },
  {
    id: "redact-index-partial",
    file: "src/internal/redact.ts",
    find: "const length = lengths.find(",
    replace: "const length = [...lengths].reverse().find(",
    tests: ["src/internal/redact.test.ts"],
  },
  {
    id: "tool-errors-unredacted",
    file: "src/tools/execute-tool-calls.ts",
    find: "content: redact(`Error: ${message}`)",
    replace: "content: `Error: ${message}`",
    tests: ["test/redaction.test.ts"],
  },
  {
    id: "problem-detail-unredacted",
    file: "src/server/problem.ts",
    find: ": redact(known.message),",
    replace: ": known.message,",
    tests: ["src/server/problem.test.ts"],
  },
  {
    id: "health-error-unredacted",
    file: "src/runtime/health-checks.ts",
    find: "checks[`resource:${name}`] = { ok: false, error: redact(message) };",
    replace: "checks[`resource:${name}`] = { ok: false, error: message };",
    tests: ["test/redaction.test.ts"],
  },
  {
    id: "trace-error-unredacted",
    file: "src/runtime/startup-trace.ts",
    find: "message: redact(errorMessage(error))",
    replace: "message: errorMessage(error)",
    tests: ["test/redaction.test.ts"],
  },
  {
    id: "redact-unbounded-scheme",
    file: "src/internal/redact.ts",
    find: "[a-z0-9+.-]{0,31}:",
    replace: "[a-z0-9+.-]*:",
    tests: ["src/internal/redact.test.ts"],
  },
  {
    id: "redact-json-literals",
    file: "src/internal/redact.ts",
    find: "  if (/^(?:true|false|null|-?\\d+(?:\\.\\d+)?)$/.test(value)) return true;\n",
    replace: "",
    tests: ["src/internal/redact.test.ts"],
  },
  {
    id: "redact-snake-case-missed",
    file: "src/internal/redact.ts",
    find: "([A-Za-z0-9_-]{0,40}?(?:password",
    replace: "((?:password",
    tests: ["src/internal/redact.test.ts"],
  },
  {
    id: "tenant-settings-as-secrets",
    file: "src/tenancy/tenant-cache.ts",
    find: ".filter(([name]) => isSecretName(name))",
    replace: "",
    tests: ["src/tenancy/tenant-cache.test.ts"],
  },
  {
    id: "server-env-keys-not-secrets",
    file: "src/server/request-log.ts",
    find: "    process.env.OPENAI_API_KEY,\n    process.env.AZURE_OPENAI_API_KEY,\n",
    replace: "",
    tests: redaction,
    equivalent:
      "the environment scan in internal/redact.ts finds OPENAI_API_KEY and AZURE_OPENAI_API_KEY by their names too; this line only adds them early",
  },

  // A connection that died while idle.
  {
    id: "stale-socket-not-resent",
    file: "src/models/http-call.ts",
    find: "if (mayResend && request.reusedSocket &&",
    replace: "if (false && request.reusedSocket &&",
    tests: ["src/models/stale-socket.test.ts"],
  },

  {
    id: "new-connection-not-marked",
    file: "src/models/http-call.ts",
    find: "if (!request.reusedSocket) this.#options.onNewConnection?.();",
    replace: "if (request.reusedSocket) this.#options.onNewConnection?.();",
    tests: ["src/runtime/keep-warm.test.ts"],
  },

  // Keep-warm.
  {
    id: "keep-warm-over-budget",
    file: "src/runtime/keep-warm.ts",
    find: "const allowed = Math.min(connections, maxPerHour - recent.length);",
    replace: "const allowed = connections;",
    tests: ["src/runtime/keep-warm.test.ts"],
  },
  {
    id: "keep-warm-after-drain",
    file: "src/runtime/runtime.ts",
    find: "    this.#keepWarm?.stop();\n",
    replace: "",
    tests: ["src/runtime/keep-warm.test.ts"],
  },

  // Session format.
  {
    id: "context-ref-without-equality",
    file: "src/core/session-contexts.ts",
    find: "if (made !== undefined && isDeepStrictEqual(made, entry)) {",
    replace: "if (made !== undefined) {",
    tests: ["src/core/session.test.ts", "test/session-format-migration.test.ts"],
  },

  // Session stores.
  {
    id: "sqlite-update-ignores-version",
    file: "src/state/sqlite-session-store.ts",
    find: "    if (Number(result.changes) !== 1) throw conflict();\n",
    replace: "",
    tests: stores,
  },
  {
    id: "sqlite-no-expired-recreate",
    file: "src/state/sqlite-session-store.ts",
    find: "WHERE sessions.expires_at IS NOT NULL AND sessions.expires_at <= excluded.updated_at",
    replace: "WHERE 0",
    tests: stores,
  },
  {
    id: "sqlite-group-conflict-succeeds",
    file: "src/state/sqlite-session-store.ts",
    find: "      if (outcome?.ok === true) item.resolve(outcome.version);",
    replace: "      if (outcome !== undefined) item.resolve(1);",
    tests: ["src/state/sqlite-session-store.test.ts"],
  },
  {
    id: "sqlite-expired-read",
    file: "src/state/sqlite-session-store.ts",
    find: "if (row === undefined || (row.expires_at !== null && row.expires_at <= Date.now())) return undefined;",
    replace: "if (row === undefined) return undefined;",
    tests: stores,
  },
  {
    id: "redis-put-ignores-version",
    file: "src/state/redis-session-store.ts",
    find: "if current ~= tonumber(ARGV[1]) then return -1 end",
    replace: "",
    tests: stores,
  },
  {
    id: "memory-expiry-ignored",
    file: "src/state/memory-session-store.ts",
    find: "if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {",
    replace: "if (false) {",
    tests: ["src/state/memory-session-store.test.ts"],
  },
  {
    id: "store-size-unchecked",
    file: "src/core/session-store.ts",
    find: "  if (bytes > maxBytes) throw sessionTooLarge(tenant, id, bytes, maxBytes);",
    replace: "",
    tests: stores,
  },
  {
    id: "store-size-in-characters",
    file: "src/core/session-store.ts",
    find: "  const bytes = Buffer.byteLength(json);",
    replace: "  const bytes = json.length;",
    tests: stores,
  },

  {
    id: "sqlite-purge-waits-for-lock",
    file: "src/state/sqlite-session-store.ts",
    find: '          this.#db.exec("PRAGMA busy_timeout = 0");\n',
    replace: "",
    tests: ["src/state/sqlite-session-store.test.ts"],
  },

  // Bounds on the server.
  {
    id: "health-called-again",
    file: "src/runtime/health-checks.ts",
    find: "    const running = this.#inFlight.get(name);\n    if (running !== undefined) return running;\n",
    replace: "",
    tests: ["test/server-limits.test.ts"],
  },
  {
    id: "overflow-waits-for-write-timeout",
    file: "src/server/chat.ts",
    find: "    abandon.abort(error);\n",
    replace: "",
    tests: ["test/server-limits.test.ts"],
  },
  {
    id: "body-wait-after-client-gone",
    file: "src/server/node.ts",
    find: "  if (request.destroyed) return Promise.reject(clientGone());\n",
    replace: "",
    tests: ["test/server-limits.test.ts"],
  },
  {
    id: "body-never-times-out",
    file: "src/server/node.ts",
    find: "      reject(bodyTimedOut(timeoutMs));",
    replace: "",
    tests: ["test/server-limits.test.ts"],
  },

  {
    id: "slow-client-after-turn-is-200",
    file: "src/server/http-app.ts",
    find: "      if (!sent && record.code === undefined && request.signal.aborted) {",
    replace: "      if (false) {",
    tests: ["test/server-limits.test.ts"],
  },
  {
    id: "client-gone-mid-body-is-internal",
    file: "src/server/node.ts",
    find: '    request.on("error", () => {\n      clearTimeout(timer);\n      reject(clientGone());',
    replace: '    request.on("error", (error) => {\n      clearTimeout(timer);\n      reject(error);',
    tests: ["test/server-limits.test.ts"],
  },
  {
    id: "fetch-abandoned-stream-never-ends",
    file: "src/server/fetch.ts",
    find: "          void iterator.return?.();\n",
    replace: "",
    tests: ["test/adapters.test.ts"],
  },
  {
    id: "health-never-given-up",
    file: "src/runtime/health-checks.ts",
    find: '    giveUp.addEventListener("abort", forget, { once: true });\n',
    replace: "",
    tests: ["test/server-limits.test.ts"],
  },
  {
    id: "tool-output-escaped-then-redacted",
    file: "src/tools/execute-tool-calls.ts",
    find: "stringifyOutput(redactValue(output))",
    replace: "redact(stringifyOutput(output))",
    tests: ["src/tools/execute-tool-calls.test.ts"],
  },
  {
    id: "environment-not-read-after-init",
    file: "src/runtime/runtime.ts",
    find: "      rescanEnvironmentSecrets();\n",
    replace: "",
    tests: ["test/redaction.test.ts"],
  },

  {
    id: "synthetic-run-calls-tools",
    file: "src/tools/execute-tool-calls.ts",
    find: "const synthetic = run.synthetic;",
    replace: "const synthetic = false;",
    tests: ["test/run-context.test.ts", "test/warmup-safety.test.ts"],
  },
  {
    id: "synthetic-run-calls-the-provider",
    file: "src/models/model-call.ts",
    find: "  if (options.run?.synthetic !== true) return client.create(request, options);",
    replace: "  return client.create(request, options);",
    tests: ["test/warmup-safety.test.ts", "test/server.test.ts"],
  },

  // The session turn.
  {
    id: "turn-conflict-not-retried",
    file: "src/runtime/session-turn.ts",
    find: 'if (!HearthError.is(error, "HEARTH_SESSION_CONFLICT") || tries >= 5',
    replace: 'if (!HearthError.is(error, "HEARTH_SESSION_CONFLICT") || tries >= 1',
    tests: turns,
  },
  {
    id: "turn-missing-session-created",
    file: "src/runtime/session-turn.ts",
    find: "    if (id !== undefined && stored === undefined && options.createSession !== true)\n",
    replace: "    if (false)\n",
    tests: ["test/server.test.ts", "src/runtime/session-turn.test.ts"],
  },
  {
    id: "turn-stores-version-zero",
    file: "src/runtime/session-turn.ts",
    find: "session.snapshot(), stored?.version ?? 0,",
    replace: "session.snapshot(), 0,",
    tests: turns,
  },

  // Retry classification.
  {
    id: "auth-error-retried",
    file: "src/models/classify-error.ts",
    find: "refused the credentials (${status}): ${detail}`, {\n      ...fields,\n      retryable: false,",
    replace: "refused the credentials (${status}): ${detail}`, {\n      ...fields,\n      retryable: true,",
    tests: classification,
  },
  {
    id: "rate-limit-not-retried",
    file: "src/models/classify-error.ts",
    find: "is rate limiting (429): ${detail}`, {\n      ...fields,\n      retryable: true,",
    replace: "is rate limiting (429): ${detail}`, {\n      ...fields,\n      retryable: false,",
    tests: classification,
  },
  {
    id: "bad-request-retried",
    file: "src/models/classify-error.ts",
    find: "rejected the request (${status}): ${detail}`, {\n      ...fields,\n      retryable: false,",
    replace: "rejected the request (${status}): ${detail}`, {\n      ...fields,\n      retryable: true,",
    tests: classification,
  },
  {
    id: "certificate-retried",
    file: "src/models/classify-error.ts",
    find: "{ cause: error, url, retryable: false },",
    replace: "{ cause: error, url, retryable: true },",
    tests: classification,
  },
  {
    id: "retry-ignores-retryable",
    file: "src/models/retry.ts",
    find: "if (!failure.retryable || attemptNumber > policy.maxRetries",
    replace: "if (attemptNumber > policy.maxRetries",
    tests: retry,
  },
  {
    id: "retry-after-ignored",
    file: "src/models/retry.ts",
    find: "if (retryAfterMs !== undefined && retryAfterMs <= policy.maxRetryAfterMs) return retryAfterMs;",
    replace: "",
    tests: retry,
  },
  {
    id: "retry-one-too-many",
    file: "src/models/retry.ts",
    find: "attemptNumber > policy.maxRetries",
    replace: "attemptNumber > policy.maxRetries + 1",
    tests: retry,
  },

  // Termination.
  {
    id: "max-messages-off-by-one",
    file: "src/teams/termination.ts",
    find: "return count >= this.maxMessages",
    replace: "return count > this.maxMessages",
    tests: termination,
  },
  {
    id: "and-fires-on-one",
    file: "src/teams/termination.ts",
    find: "if (fired.some((message) => message === null)) return null;",
    replace: "if (fired.every((message) => message === null)) return null;",
    tests: termination,
  },
  {
    id: "or-needs-first",
    file: "src/teams/termination.ts",
    find: "        if (fired !== null) return fired;\n      }\n      return null;",
    replace: "        return fired;\n      }\n      return null;",
    tests: termination,
  },
  {
    id: "text-mention-any-source",
    file: "src/teams/termination.ts",
    find: "if (this.sources !== undefined && !this.sources.includes(message.source)) return null;",
    replace: "",
    tests: termination,
  },
  {
    id: "token-usage-total-off-by-one",
    file: "src/teams/termination.ts",
    find: "total >= this.maxTotalTokens",
    replace: "total > this.maxTotalTokens",
    tests: termination,
  },
  // This round's: what must not leak, what must not be repeated, what must not be reused after a freeze.
  {
    id: "metrics-tenant-always-named",
    file: "src/telemetry/metrics.ts",
    find: "this.#maxTenantLabels === 0 ? { model, caller }",
    replace: "false ? { model, caller }",
    tests: ["src/telemetry/metrics.test.ts"],
  },
  {
    id: "otel-content-redacted-after-json",
    file: "src/otel/instrument.ts",
    find: "const json = (value: unknown) => JSON.stringify(redactValue(value));",
    replace: "const json = (value: unknown) => JSON.stringify(value);",
    tests: ["test/otel.test.ts"],
  },
  {
    id: "otel-content-without-opt-in",
    file: "src/otel/instrument.ts",
    find: "if (options.captureContent === true && span.isRecording())",
    replace: "if (span.isRecording())",
    tests: ["test/otel.test.ts"],
  },
  {
    id: "mcp-repeats-unsafe-call",
    file: "src/mcp/mcp-workbench.ts",
    find: 'if (lost === "cut-off" && !safeToRepeat)',
    replace: "if (false)",
    tests: ["test/mcp.test.ts"],
  },
  {
    id: "mcp-own-error-is-lost-session",
    file: "src/mcp/mcp-workbench.ts",
    find: 'if (code === -32000 && client.transport === undefined) return "cut-off";',
    replace: 'if (code === -32000) return "cut-off";',
    tests: ["test/mcp.test.ts"],
  },
  {
    id: "pools-ignore-suspended-machine",
    file: "src/models/connection-pools.ts",
    find: "return wall - monotonic > suspendedMs || monotonic > this.#options.idleTimeoutMs;",
    replace: "return monotonic > this.#options.idleTimeoutMs;",
    tests: ["src/models/thaw.test.ts"],
  },
  {
    id: "dns-cache-ignores-ttl",
    file: "src/models/dns-cache.ts",
    find: "if (entry !== undefined && entry.expiresAt > performance.now()) {",
    replace: "if (entry !== undefined) {",
    tests: ["src/models/dns-cache.test.ts"],
  },
  {
    id: "keep-warm-ignores-budget",
    file: "src/runtime/keep-warm.ts",
    find: "const allowed = Math.min(connections, maxPerHour - recent.length);",
    replace: "const allowed = connections;",
    tests: ["src/runtime/keep-warm.test.ts"],
  },
];
