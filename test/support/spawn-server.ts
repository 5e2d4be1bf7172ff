// Starts `hearth serve` on the echo app as a separate process and waits until it is ready.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cli = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const appFile = new URL("./echo-app.ts", import.meta.url).pathname;

export interface SpawnedServer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

const cacheRoot = mkdtempSync(join(tmpdir(), "hearth-test-cache-"));
process.on("exit", () => rmSync(cacheRoot, { recursive: true, force: true }));
let spawned = 0;

export function spawnServer(
  modelURL: string,
  flags: string[] = [],
  env: Record<string, string> = {},
): Promise<SpawnedServer> {
  return spawnUntilReady(["--conditions=@hearth/source", cli, "serve", appFile, "--port", "0", ...flags], {
    // Each server its own compile cache, out of the checkout (`hearth serve` keeps one in ./.hearth).
    env: {
      ...process.env,
      OPENAI_BASE_URL: modelURL,
      HEARTH_LOG_LEVEL: "warn",
      HEARTH_COMPILE_CACHE: join(cacheRoot, String(++spawned)),
      ...env,
    },
  });
}

/** Node with these arguments, until it says on stderr that it is ready (as `hearth serve` and a built app do). */
export function spawnUntilReady(
  args: readonly string[],
  options: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string } = {},
): Promise<SpawnedServer> {
  const child = spawn(process.execPath, args, {
    env: options.env ?? process.env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
      const url = /ready on (http:\/\/[^\s]+)/.exec(stderr)?.[1];
      if (url !== undefined) resolve({ child, url, exited, stderr: () => stderr });
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before it was ready: ${stderr}`)));
  });
}

export async function chatOn(
  url: string,
  message: string,
  sessionId?: string,
): Promise<{ status: number; body: { reply?: string; sessionId?: string; code?: string } }> {
  const response = await fetch(`${url}/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(sessionId === undefined ? { message } : { message, sessionId }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { reply?: string; sessionId?: string; code?: string },
  };
}
