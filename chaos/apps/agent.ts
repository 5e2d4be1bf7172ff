// The chaos scenarios' app (./definition.ts) served on its own, logs off.
// Configured by the scenario through the environment:
// - CHAOS_ADMISSION: admission control, "turns,queued,timeoutMs", or "off" (the default);
// - CHAOS_STORE: "memory" (the default), "sqlite:<file>" or "redis:<url>";
// - CHAOS_TTL_MS: how long sessions live after their last turn (default: the store's);
// - CHAOS_STREAM=1: the agent streams from the model (modelClientStream);
// - CHAOS_MODEL_TIMEOUT_MS and CHAOS_MODEL_RETRIES: the model client's idle timeout and retries;
// - CHAOS_LOG=1: hearth's log lines on stderr (default off);
// - CHAOS_SERVE_OPTIONS: more options for serve(), as JSON (`{"bodyTimeoutMs": 2000}`).
import { serve } from "hearth/node";
import app from "./definition.ts";

const env = process.env;
const numberFrom = (name: string) => (env[name] === undefined ? undefined : Number(env[name]));

const [kind = "memory", where = ""] = (env.CHAOS_STORE ?? "memory").split(/:(.*)/s);
const ttlMs = numberFrom("CHAOS_TTL_MS");
const store = {
  kind: kind as "memory" | "sqlite" | "redis",
  ...(kind === "sqlite" ? { path: where } : kind === "redis" ? { url: where } : {}),
  ...(ttlMs === undefined ? {} : { ttlMs }),
};
const [turns, queued, queueTimeoutMs] = (env.CHAOS_ADMISSION ?? "off").split(",").map(Number);
const server = await serve(app, {
  port: 0,
  store,
  ...(env.CHAOS_LOG === "1" ? {} : { log: () => {} }),
  // For the soak: the process's memory, after a full collection when Node runs with --expose-gc.
  routes: {
    "GET /chaos/memory": () => {
      (globalThis as { gc?: () => void }).gc?.();
      return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(process.memoryUsage()) };
    },
  },
  ...(turns === undefined || Number.isNaN(turns)
    ? {}
    : { admission: { maxTurnsInFlight: turns, maxQueued: queued ?? turns, queueTimeoutMs: queueTimeoutMs ?? 1_000 } }),
  ...(env.CHAOS_SERVE_OPTIONS === undefined ? {} : (JSON.parse(env.CHAOS_SERVE_OPTIONS) as object)),
});
process.stdout.write(`READY ${server.url}\n`);
