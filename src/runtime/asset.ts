import { errorMessage } from "../internal/error-message.ts";
import { HearthError } from "../core/errors.ts";
import type { StandardSchemaV1 } from "../core/standard-schema.ts";
import type { JsonSchema } from "../core/json-schema.ts";
import { checkerOf, jsonSchemaOf } from "../tools/schema.ts";

/** A file read once at startup: a policy document, a prompt, a JSON schema, a table. */
export interface Asset<Value> {
  readonly kind: "text" | "json" | "bytes";
  /** A path (relative to the app's `root`) or a file URL. */
  readonly path: string | URL;
  /** Reads and checks the file's content. */
  parse(content: Buffer, where: string): Value | Promise<Value>;
}

function invalidAsset(where: string, why: string, cause?: unknown): HearthError {
  return new HearthError("HEARTH_ASSET_INVALID", `Asset ${where}: ${why}`, { cause, retryable: false });
}

export const asset = {
  /** UTF-8 text. */
  text(path: string | URL): Asset<string> {
    return Object.freeze({ kind: "text" as const, path, parse: (content: Buffer) => content.toString("utf8") });
  },

  /** Raw bytes. */
  bytes(path: string | URL): Asset<Buffer> {
    return Object.freeze({ kind: "bytes" as const, path, parse: (content: Buffer) => content });
  },

  /** JSON, checked against a Standard Schema or a JSON Schema when one is given. */
  json<Value = unknown>(path: string | URL, schema?: StandardSchemaV1<unknown, Value> | JsonSchema): Asset<Value> {
    const check =
      schema === undefined
        ? undefined
        : checkerOf<Value>(schema, jsonSchemaOf(schema, undefined, `asset ${String(path)}`, "schema"));
    return Object.freeze({
      kind: "json" as const,
      path,
      async parse(content: Buffer, where: string): Promise<Value> {
        let json: unknown;
        try {
          json = JSON.parse(content.toString("utf8"));
        } catch (cause) {
          throw invalidAsset(where, `is not valid JSON: ${errorMessage(cause)}`, cause);
        }
        if (check === undefined) return deepFreeze(json as Value);
        const checked = await check(json);
        if (!checked.ok) throw invalidAsset(where, `does not match its schema: ${checked.message}`);
        return deepFreeze(checked.value);
      },
    });
  },
};

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Resolves an asset's path against the app's root. */
export function assetPath(path: string | URL, root: string): string {
  const { fileURLToPath } = process.getBuiltinModule("node:url");
  const { resolve } = process.getBuiltinModule("node:path");
  if (path instanceof URL) return fileURLToPath(path);
  if (path.startsWith("file:")) return fileURLToPath(path);
  return resolve(root, path);
}

/** Reads and parses one asset; a missing file or a bad content is HEARTH_ASSET_INVALID. */
export async function loadAsset<Value>(definition: Asset<Value>, name: string, root: string): Promise<Value> {
  const file = assetPath(definition.path, root);
  const where = `"${name}" (${file})`;
  const { readFile } = process.getBuiltinModule("node:fs/promises");
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw invalidAsset(
      where,
      code === "ENOENT" ? "the file does not exist" : `cannot be read (${code ?? String(cause)})`,
      cause,
    );
  }
  return definition.parse(content, where);
}
