import type { ModelClient } from "../core/model-client.ts";
import { errorMessage } from "../internal/error-message.ts";
import type { TenantCache } from "../tenancy/tenant-cache.ts";
import type { Logger } from "../internal/log.ts";
import type { BuiltResource } from "./init.ts";
import { withStepTimeout } from "./warm-step.ts";

/**
 * Closes what init built: the tenant cache, the model clients, then the resources in the reverse
 * order of their init, each under its timeout. A failure is logged and the rest still close.
 */
export async function closeBuilt(
  built: {
    readonly tenants: TenantCache | undefined;
    readonly models: Readonly<Record<string, ModelClient>>;
    readonly resources: readonly BuiltResource[];
  },
  timeout: (stepMs: number | undefined) => number,
  log: Logger,
): Promise<void> {
  await built.tenants?.close();
  for (const client of Object.values(built.models)) {
    await client
      .close()
      .catch((error: unknown) => log({ level: "warn", msg: `closing a model client failed: ${errorMessage(error)}` }));
  }
  for (const resource of [...built.resources].reverse()) {
    if (resource.definition.close === undefined) continue;
    try {
      await withStepTimeout(
        `resource:${resource.name}`,
        timeout(resource.definition.timeoutMs),
        new AbortController().signal,
        () => resource.definition.close?.(resource.value),
      );
    } catch (error) {
      log({ level: "warn", msg: `closing resource "${resource.name}" failed: ${errorMessage(error)}` });
    }
  }
}
