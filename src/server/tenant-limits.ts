import { HearthError, UserError } from "../core/errors.ts";

/** What one tenant may use of the server. Each is optional: no limit where it is not set. */
export interface TenantLimits {
  /** Chat requests a minute, as a bucket that refills evenly (bursts up to the limit). */
  readonly requestsPerMinute?: number;
  /** Chat turns running at once. */
  readonly turnsInFlight?: number;
  /** Tokens a day (UTC), as the models report them: a turn that starts under the limit runs to its end. */
  readonly tokensPerDay?: number;
}

/** The server's `tenantLimits`: the same limits for every tenant, and some tenants' own in their place. */
export interface TenantLimitsOptions extends TenantLimits {
  readonly tenants?: Readonly<Record<string, TenantLimits>>;
}

const limitNames = ["requestsPerMinute", "turnsInFlight", "tokensPerDay"] as const;

function checkLimits(limits: TenantLimits, where: string): void {
  for (const [name, value] of Object.entries(limits)) {
    if (!(limitNames as readonly string[]).includes(name))
      throw new UserError(`${where}.${name} is not a tenant limit (${limitNames.join(", ")}).`, { field: where });
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
      throw new UserError(`${where}.${name} must be a whole number, 1 or more.`, { field: `${where}.${name}` });
  }
}

/** The `tenantLimits` option, checked: a wrong one is a UserError before the server starts. */
export function checkTenantLimits(options: TenantLimitsOptions | undefined): void {
  if (options === undefined) return;
  const { tenants, ...limits } = options;
  checkLimits(limits, "tenantLimits");
  for (const [tenant, own] of Object.entries(tenants ?? {})) checkLimits(own, `tenantLimits.tenants.${tenant}`);
}

interface TenantState {
  /** Requests the bucket holds now (fractional as it refills), and when that was computed. */
  bucket: number;
  bucketAt: number;
  inFlight: number;
  /** The UTC day the token count is for ("2026-11-28"), and the count. */
  day: string;
  tokens: number;
}

const dayMs = 24 * 60 * 60 * 1000;
/** Tenants whose state is kept at most; the idlest go first. */
const keptTenants = 10_000;

/**
 * Per-tenant limits on chat turns. `admit` takes a turn or refuses it with HEARTH_TENANT_LIMITED
 * (429, the limit named, `Retry-After` when it frees); the release it returns ends the turn with
 * the tokens it used.
 */
export class TenantLimiter {
  readonly #options: TenantLimitsOptions;
  readonly #now: () => number;
  readonly #states = new Map<string, TenantState>();

  constructor(options: TenantLimitsOptions, clock: { now(): number } = Date) {
    checkTenantLimits(options);
    this.#options = options;
    this.#now = () => clock.now();
  }

  #limitsOf(tenant: string): TenantLimits {
    const own = this.#options.tenants;
    return own !== undefined && Object.hasOwn(own, tenant) ? (own[tenant] as TenantLimits) : this.#options;
  }

  #stateOf(tenant: string, now: number, limits: TenantLimits): TenantState {
    let state = this.#states.get(tenant);
    if (state === undefined) {
      state = { bucket: limits.requestsPerMinute ?? 0, bucketAt: now, inFlight: 0, day: dayOf(now), tokens: 0 };
      if (this.#states.size >= keptTenants) this.#forgetIdlest();
    } else this.#states.delete(tenant);
    // Most recently used last: the first entries are the idlest.
    this.#states.set(tenant, state);
    return state;
  }

  #forgetIdlest(): void {
    for (const [tenant, state] of this.#states) {
      if (state.inFlight > 0) continue;
      this.#states.delete(tenant);
      return;
    }
  }

  admit(tenant: string): (tokensUsed: number) => void {
    const now = this.#now();
    const limits = this.#limitsOf(tenant);
    const state = this.#stateOf(tenant, now, limits);
    const limited = (limit: string, retryAfterMs: number, why: string) =>
      new HearthError("HEARTH_TENANT_LIMITED", `This tenant reached its limit of ${why}.`, {
        limit,
        retryAfterMs: Math.max(1, Math.ceil(retryAfterMs)),
        retryable: true,
        tenantId: tenant,
      });
    if (state.day !== dayOf(now)) {
      state.day = dayOf(now);
      state.tokens = 0;
    }
    if (limits.tokensPerDay !== undefined && state.tokens >= limits.tokensPerDay)
      throw limited("tokensPerDay", dayMs - (now % dayMs), `${limits.tokensPerDay} tokens a day (UTC)`);
    if (limits.turnsInFlight !== undefined && state.inFlight >= limits.turnsInFlight)
      throw limited("turnsInFlight", 1_000, `${limits.turnsInFlight} turns at once`);
    const perMinute = limits.requestsPerMinute;
    if (perMinute !== undefined) {
      state.bucket = Math.min(perMinute, state.bucket + ((now - state.bucketAt) * perMinute) / 60_000);
      state.bucketAt = now;
      if (state.bucket < 1)
        throw limited("requestsPerMinute", ((1 - state.bucket) * 60_000) / perMinute, `${perMinute} requests a minute`);
      state.bucket -= 1;
    }
    state.inFlight += 1;
    let released = false;
    return (tokensUsed) => {
      if (released) return;
      released = true;
      state.inFlight -= 1;
      if (dayOf(this.#now()) === state.day) state.tokens += tokensUsed;
    };
  }
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
