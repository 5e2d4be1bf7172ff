// serve() and createNodeHandler() open the configured store themselves: when an option is wrong,
// what they opened is closed again, not left holding a file or a connection.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AssistantAgent, defineApp } from "hearth";
import { createNodeHandler, serve } from "hearth/node";
import { ScriptedModelClient } from "hearth/testing";

const app = defineApp({
  name: "serve-options",
  models: { default: () => new ScriptedModelClient() },
  agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
});

/** File descriptors of this process open on `path` (or its -wal and -shm files). */
function openOn(path: string): number {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(path);
    } catch {
      return false;
    }
  }).length;
}

test("a wrong server option closes the store serve() or createNodeHandler() opened for it: no SQLite file is left open", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hearth-serve-store-"));
  const path = join(dir, "sessions.db");
  try {
    const options = { log: () => undefined, store: { kind: "sqlite" as const, path }, cors: { origins: [] } };
    await assert.rejects(serve(app, { port: 0, ...options }), { field: "cors.origins" });
    assert.equal(openOn(path), 0, "serve(): the SQLite file is closed again");
    await assert.rejects(createNodeHandler(app, options), { field: "cors.origins" });
    assert.equal(openOn(path), 0, "createNodeHandler(): the SQLite file is closed again");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
