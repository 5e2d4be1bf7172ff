import type { ErrorCode } from "./error-codes.ts";

const marker = Symbol.for("hearth.error");

/** Fields that explain an error; each is optional and only set where it applies. */
export interface HearthErrorFields {
  readonly cause?: unknown;
  readonly retryable?: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly timeoutMs?: number;
  readonly toolName?: string;
  readonly tenantId?: string;
  readonly field?: string;
  readonly url?: string;
  readonly attempts?: number;
  /** The startup step, for runtime errors: "resource:db", "model:default", ... */
  readonly step?: string;
  /** The limit a request ran into: "requestsPerMinute", "turnsInFlight", "tokensPerDay". */
  readonly limit?: string;
  /** The tool calls an approval error is about: those waiting, or those a request named wrongly. */
  readonly callIds?: readonly string[];
  /**
   * What a model provider said beyond its message (its error `code`, `type`, Azure's `innererror`,
   * OpenRouter's `metadata`, Groq's `failed_generation`), redacted: for the log, never a client.
   */
  readonly providerDetails?: Readonly<Record<string, unknown>>;
}

/**
 * The root of every error hearth throws. `code` is stable and documented in docs/errors.md.
 * `HearthError.is(x)` works across two copies of the package because it checks a global symbol.
 */
export class HearthError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly toolName: string | undefined;
  readonly tenantId: string | undefined;
  readonly field: string | undefined;
  readonly url: string | undefined;
  readonly step: string | undefined;
  readonly limit: string | undefined;
  readonly callIds: readonly string[] | undefined;
  readonly providerDetails: Readonly<Record<string, unknown>> | undefined;
  /** How many attempts were made; set by the retry loop that gave up. */
  attempts: number | undefined;

  constructor(code: ErrorCode, message: string, fields: HearthErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = "HearthError";
    this.code = code;
    this.retryable = fields.retryable ?? false;
    this.status = fields.status;
    this.retryAfterMs = fields.retryAfterMs;
    this.timeoutMs = fields.timeoutMs;
    this.toolName = fields.toolName;
    this.tenantId = fields.tenantId;
    this.field = fields.field;
    this.url = fields.url;
    this.step = fields.step;
    this.limit = fields.limit;
    this.callIds = fields.callIds;
    this.providerDetails = fields.providerDetails;
    this.attempts = fields.attempts;
    Object.defineProperty(this, marker, { value: true });
  }

  static is(value: unknown, code?: ErrorCode): value is HearthError {
    if (typeof value !== "object" || value === null || !(marker in value)) return false;
    return code === undefined || (value as unknown as HearthError).code === code;
  }

  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
    };
    for (const key of [
      "status",
      "retryAfterMs",
      "timeoutMs",
      "toolName",
      "tenantId",
      "field",
      "url",
      "attempts",
      "step",
      "limit",
      "callIds",
      "providerDetails",
    ] as const) {
      if (this[key] !== undefined) json[key] = this[key];
    }
    return json;
  }
}

/**
 * "You configured it wrong": raised when a definition or option is invalid, always before any side
 * effect (no connection, no model call), and never retried.
 */
export class UserError extends HearthError {
  constructor(message: string, fields: HearthErrorFields & { field?: string } = {}) {
    super("HEARTH_CONFIG_INVALID", message, { ...fields, retryable: false });
    this.name = "UserError";
  }
}

export function abortError(signal: AbortSignal | undefined): HearthError {
  return new HearthError("HEARTH_ABORTED", "The run was aborted.", { cause: signal?.reason, retryable: false });
}
