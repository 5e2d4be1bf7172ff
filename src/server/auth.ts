import { HearthError } from "../core/errors.ts";
import { digestOf } from "../internal/hashed-secrets.ts";
import type { Runtime } from "../runtime/runtime.ts";

export const defaultTenant = "default";

/**
 * A tenant id as `resolve` must give it: a non-empty string, at most 256 characters, without control
 * characters. Anything else (undefined, "", or the function or object a plain-object lookup finds
 * for "constructor", "__proto__" or "toString") is an unknown key.
 */
export function isTenantId(value: unknown): value is string {
  return typeof value === "string" && tenantIdPattern.test(value);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const tenantIdPattern = /^[^\u0000-\u001f\u007f]{1,256}$/;

/** The app's keys by their SHA-256 digests, made once per app: see tenantOf. */
const keyIndexes = new WeakMap<object, ReadonlyMap<string, string>>();

/**
 * The app's API keys, indexed by digest. A presented key is hashed and its digest looked up, so how
 * long the lookup takes depends on the digest, not on how much of a real key the guess got right:
 * no key is ever compared with a presented one character by character. Made when the server is
 * (HttpApp), not by its first request.
 */
export function keyIndexOf(apiKeys: Readonly<Record<string, string>>): ReadonlyMap<string, string> {
  let index = keyIndexes.get(apiKeys);
  if (index === undefined) {
    index = new Map(Object.entries(apiKeys).map(([key, tenant]) => [digestOf(key), tenant]));
    keyIndexes.set(apiKeys, index);
  }
  return index;
}

/**
 * Whether a presented secret is the one whose SHA-256 digest is `expected`, compared in constant
 * time: the two digests always have the same length, and every byte of them is compared.
 */
export function matchesDigest(given: string | undefined, expected: Buffer): boolean {
  if (given === undefined) return false;
  return process.getBuiltinModule("node:crypto").timingSafeEqual(secretDigest(given), expected);
}

/** A secret's SHA-256 digest, as bytes: what matchesDigest compares with. */
export function secretDigest(secret: string): Buffer {
  return Buffer.from(digestOf(secret), "hex");
}

/**
 * The tenant a request belongs to, from `Authorization: Bearer <key>`: through the app's
 * `tenants.resolve`, or its `auth` keys (by digest: see keyIndexOf), then its `auth.resolve`. No key, an unknown one, or a lookup
 * that gives anything but a tenant id (see isTenantId) is 401. An app with neither serves one
 * tenant, "default".
 */
export async function tenantOf(runtime: Runtime, authorization: string | undefined): Promise<string> {
  const auth = runtime.app.auth;
  const tenants = runtime.tenants;
  if (auth === undefined && tenants === undefined) return defaultTenant;
  const key = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  if (key === undefined) throw new HearthError("HEARTH_UNAUTHORIZED", "Send `Authorization: Bearer <your API key>`.");
  let tenant: unknown;
  if (tenants !== undefined) tenant = await tenants.resolve(key);
  else {
    if (auth?.apiKeys !== undefined) tenant = keyIndexOf(auth.apiKeys).get(digestOf(key));
    if (tenant === undefined) tenant = await auth?.resolve?.(key);
  }
  if (!isTenantId(tenant)) throw new HearthError("HEARTH_UNAUTHORIZED", "The API key is not known.");
  return tenant;
}
