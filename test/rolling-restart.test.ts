// A rolling restart of `hearth serve --workers 2` on SIGHUP, under steady load: new workers start and
// warm, and only once they listen (ready) do the old ones retire. No request fails, no connection is
// refused, and the new workers answer afterwards.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { spawnServer } from "./support/spawn-server.ts";

let mock: MockOpenAIServer;
before(async () => {
  mock = await startMockOpenAIServer({ latencyMs: 20 });
});
after(() => mock.close());

const workerPids = (stderr: string) =>
  [...stderr.matchAll(/ready on \S+ \(worker (\d+)\)/g)].map((match) => Number(match[1]));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("SIGHUP replaces every worker with a warm one under load: no failed request, no refused connection", async () => {
  const server = await spawnServer(mock.url, ["--workers", "2", "--drain-deadline", "5000"]);
  try {
    await until("both workers", () => workerPids(server.stderr()).length === 2);
    const old = workerPids(server.stderr());

    // Steady load: eight clients, each one request after another on its keep-alive connection.
    let running = true;
    const outcomes: string[] = [];
    const client = async () => {
      while (running) {
        try {
          const response = await fetch(`${server.url}/v1/chat`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ message: "ping" }),
          });
          const body = (await response.json()) as { reply?: string };
          outcomes.push(
            response.status === 200 && body.reply === "You said: ping" ? "ok" : `status ${response.status}`,
          );
        } catch (error) {
          outcomes.push(`error ${String((error as Error).cause ?? error)}`);
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    await until("some load", () => outcomes.length >= 40);

    server.child.kill("SIGHUP");
    await until("the new workers", () => workerPids(server.stderr()).length === 4);
    await until("the old workers to leave", () => old.every((pid) => !alive(pid)));
    const during = outcomes.length;
    await until("load after the reload", () => outcomes.length >= during + 40);
    running = false;
    await Promise.all(clients);

    const failed = outcomes.filter((outcome) => outcome !== "ok");
    assert.deepEqual(failed, [], `${failed.length} of ${outcomes.length} requests failed`);
    // New connections reach the new workers only.
    const fresh = workerPids(server.stderr()).slice(2);
    for (let index = 0; index < 6; index++) {
      const trace = (await (await fetch(`${server.url}/v1/startup`, { headers: { connection: "close" } })).json()) as {
        pid: number;
      };
      assert.ok(fresh.includes(trace.pid), `answered by ${trace.pid}, not one of ${fresh.join(", ")}`);
    }
    assert.match(server.stderr(), /SIGHUP: 2 new workers ready; the old ones are retiring/);
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
  }
});
