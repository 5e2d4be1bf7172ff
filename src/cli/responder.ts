import { UserError } from "../core/errors.ts";
import type { MockOpenAIServerOptions } from "../testing/mock-openai-server.ts";

/**
 * The mock model server's responder named by `MODULE#NAME` (default export without `#NAME`), as
 * `--mock` takes it; "" is the default echo responder (undefined).
 */
export async function loadResponder(spec: string, flag: string): Promise<MockOpenAIServerOptions["respond"]> {
  if (spec === "") return undefined;
  const [file, name = "default"] = spec.split("#") as [string, string?];
  const { pathToFileURL } = process.getBuiltinModule("node:url");
  const { resolve } = process.getBuiltinModule("node:path");
  const module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  if (typeof module[name] !== "function")
    throw new UserError(`${flag} ${spec}: ${file} exports no function "${name}".`, { field: flag });
  return module[name] as MockOpenAIServerOptions["respond"];
}
