// Serves the support example in a fresh process (hearth from source) and reports which modules it
// resolved: for tests that an app not using a part of hearth never loads that part's code.
import { runNode } from "./run-node.ts";

const supportApp = new URL("../../examples/support/app.ts", import.meta.url).href;

/**
 * The URLs of the modules matching `pattern` that serving the support app loaded, and the status
 * of a GET to `path` on it when one is given.
 */
export async function modulesLoadedServing(
  pattern: RegExp,
  env: Readonly<Record<string, string>>,
  path?: string,
): Promise<{ code: number | null; loaded: string[]; status?: number }> {
  const probe = `
    import { registerHooks } from "node:module";
    const loaded = [];
    registerHooks({ resolve(specifier, context, next) { const result = next(specifier, context); loaded.push(result.url); return result; } });
    const { serve } = await import("hearth/node");
    const { supportApp } = await import(${JSON.stringify(supportApp)});
    const server = await serve(supportApp, { port: 0, log: () => {}, store: { kind: "memory" } });
    const path = ${JSON.stringify(path ?? null)};
    const status = path === null ? undefined : (await fetch(server.url + path)).status;
    await server.close();
    const pattern = new RegExp(${JSON.stringify(pattern.source)}, ${JSON.stringify(pattern.flags)});
    console.log(JSON.stringify({ status, loaded: loaded.filter((url) => pattern.test(url)) }));
  `;
  const { code, stdout } = await runNode(["--conditions=@hearth/source", "--input-type=module", "-e", probe], env);
  const reported = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { status?: number; loaded?: string[] };
  return { code, loaded: reported.loaded ?? [], ...(reported.status === undefined ? {} : { status: reported.status }) };
}
