import type { ChildProcess } from "node:child_process";

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Whether a `redis-server` binary is on the PATH. */
export function hasRedisServer(): boolean {
  const { spawnSync } = process.getBuiltinModule("node:child_process");
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * For tests that need Redis: `false` when `redis-server` is installed (run them), else the reason to
 * skip them, written once to standard error in capitals so a skipped run is never mistaken for a
 * passing one. With `HEARTH_REQUIRE_REDIS=1` (CI sets it) a missing server is an error instead.
 */
export function redisSkipReason(): string | false {
  if (hasRedisServer()) return false;
  const reason = "redis-server is not installed (apt-get install redis-server)";
  if (process.env.HEARTH_REQUIRE_REDIS === "1") throw new Error(`HEARTH_REQUIRE_REDIS=1, but ${reason}.`);
  if (!warned) {
    warned = true;
    process.stderr.write(
      `\n*** REDIS TESTS SKIPPED in ${process.argv[1] ?? "this file"}: ${reason}. They are not passing: install it, or run .ci/run. ***\n\n`,
    );
  }
  return reason;
}

let warned = false;

async function freePort(): Promise<number> {
  const net = process.getBuiltinModule("node:net");
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts a real `redis-server` on a free loopback port, with no persistence, in a temporary folder:
 * for the Redis session store's tests (and users' own). It stops with `stop()` or with this process.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const { spawn } = process.getBuiltinModule("node:child_process");
  const { mkdtempSync, rmSync } = process.getBuiltinModule("node:fs");
  const { tmpdir } = process.getBuiltinModule("node:os");
  const { join } = process.getBuiltinModule("node:path");
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), "hearth-redis-"));
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const stopOnExit = () => child.kill("SIGKILL");
  process.once("exit", stopOnExit);
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}):\n${output}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      process.off("exit", stopOnExit);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
