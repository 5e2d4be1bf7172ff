import { HearthError } from "../core/errors.ts";
import type { Runtime } from "../runtime/runtime.ts";

export const defaultTenant = "default";

/**
 * The tenant a request belongs to, from `Authorization: Bearer <key>`: through the app's
 * `tenants.resolve`, or its `auth` keys. No key, or an unknown one, is 401. An app with neither
 * serves one tenant, "default".
 */
export async function tenantOf(runtime: Runtime, authorization: string | undefined): Promise<string> {
  const auth = runtime.app.auth;
  const tenants = runtime.tenants;
  if (auth === undefined && tenants === undefined) return defaultTenant;
  const key = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  if (key === undefined) throw new HearthError("HEARTH_UNAUTHORIZED", "Send `Authorization: Bearer <your API key>`.");
  let tenant: string | undefined;
  if (tenants !== undefined) tenant = await tenants.resolve(key);
  else if (auth?.apiKeys !== undefined && Object.hasOwn(auth.apiKeys, key)) tenant = auth.apiKeys[key];
  else tenant = await auth?.resolve?.(key);
  if (tenant === undefined || tenant === "") throw new HearthError("HEARTH_UNAUTHORIZED", "The API key is not known.");
  return tenant;
}
