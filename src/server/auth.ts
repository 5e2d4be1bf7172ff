import { HearthError } from "../core/errors.ts";
import type { AuthOptions } from "../runtime/app.ts";

export const defaultTenant = "default";

/** The tenant a request belongs to, from `Authorization: Bearer <key>`; no or an unknown key is 401. */
export async function tenantOf(auth: AuthOptions | undefined, authorization: string | undefined): Promise<string> {
  if (auth === undefined) return defaultTenant;
  const key = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  if (key === undefined) throw new HearthError("HEARTH_UNAUTHORIZED", "Send `Authorization: Bearer <your API key>`.");
  const tenant = auth.apiKeys !== undefined && Object.hasOwn(auth.apiKeys, key) ? auth.apiKeys[key] : await auth.resolve?.(key);
  if (tenant === undefined || tenant === "") throw new HearthError("HEARTH_UNAUTHORIZED", "The API key is not known.");
  return tenant;
}
