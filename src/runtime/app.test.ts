import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { HearthError } from "../core/errors.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { defineApp } from "./app.ts";
import { asset } from "./asset.ts";
import { resource } from "./resource.ts";
import { createRuntime } from "./runtime.ts";

const isConfigError = (field: string) => (error: unknown) =>
  HearthError.is(error, "HEARTH_CONFIG_INVALID") && error.field === field;

test("a wrong definition is a UserError naming the field, before anything runs", () => {
  let built = false;
  const tracked = resource({ init: () => (built = true) });
  const cases: [Record<string, unknown>, string][] = [
    [{ name: "has space" }, "name"],
    [{ name: "app", assets: { doc: "./doc.md" } }, "assets.doc"],
    [{ name: "app", resources: { db: { init: () => 1 } } }, "resources.db"],
    [{ name: "app", resources: { db: resource({ init: () => 1, dependsOn: ["nope"] }) } }, "resources.db.dependsOn"],
    [{ name: "app", models: { main: "gpt-4o" } }, "models.main"],
    [{ name: "app", agents: { helper: {} } }, "agents.helper"],
    [{ name: "app", agents: { x: () => null }, teams: { x: () => null } }, "teams.x"],
    [{ name: "app", agents: { "bad name": () => null } }, "agents.bad name"],
    [{ name: "app", stepTimeoutMs: 0, resources: { tracked } }, "stepTimeoutMs"],
    [{ name: "app", warmup: { attempts: 0 } }, "warmup.attempts"],
    [{ name: "app", afterReady: [1] }, "afterReady"],
  ];
  for (const [definition, field] of cases)
    assert.throws(() => defineApp(definition as never), isConfigError(field), field);
  assert.equal(built, false);
  assert.throws(() => resource({} as never), isConfigError("init"));
  assert.throws(() => resource({ init: () => 1, timeoutMs: -5 }), isConfigError("timeoutMs"));
});

test("a dependency cycle among resources is refused, naming it", () => {
  const app = () =>
    defineApp({
      name: "cyclic",
      resources: {
        a: resource({ init: () => 1, dependsOn: ["c"] }),
        b: resource({ init: () => 2, dependsOn: ["a"] }),
        c: resource({ init: () => 3, dependsOn: ["b"] }),
      },
    });
  assert.throws(
    app,
    (error) => HearthError.is(error, "HEARTH_CONFIG_INVALID") && /cycle: a -> c -> b -> a/.test(error.message),
  );
});

test("factories receive what they depend on, typed; text, JSON and bytes assets are read once", async () => {
  const directory = mkdtempSync(join(tmpdir(), "hearth-app-"));
  try {
    writeFileSync(join(directory, "prompt.md"), "Be kind.");
    writeFileSync(join(directory, "limits.json"), JSON.stringify({ maxTurns: 3 }));
    writeFileSync(join(directory, "logo.bin"), Buffer.from([1, 2, 3]));
    const app = defineApp({
      name: "typed",
      root: directory,
      assets: {
        prompt: asset.text("prompt.md"),
        limits: asset.json<{ maxTurns: number }>("limits.json"),
        logo: asset.bytes("logo.bin"),
      },
      resources: { counter: resource({ init: () => ({ count: 0 }) }) },
      models: { main: () => new ScriptedModelClient() },
      agents: {
        helper: ({ assets, resources, models }) => {
          const prompt: string = assets.prompt;
          const turns: number = assets.limits.maxTurns;
          const bytes: Buffer = assets.logo;
          resources.counter.count += turns + bytes.length;
          return new AssistantAgent({ name: "helper", modelClient: models.main, systemMessage: prompt });
        },
      },
    });
    const runtime = createRuntime(app, { log: () => {}, closeConnectionPools: false });
    await runtime.start();
    assert.equal(runtime.resources.counter.count, 6);
    assert.equal((runtime.agents.helper as AssistantAgent).systemMessage, "Be kind.");
    assert.deepEqual([...runtime.assets.logo], [1, 2, 3]);
    assert.ok(Object.isFrozen(runtime.assets.limits), "JSON assets are frozen: shared by every request");
    assert.equal(runtime.agent("helper"), runtime.agents.helper);
    assert.throws(
      () => runtime.agent("nobody"),
      (error) => HearthError.is(error, "HEARTH_AGENT_UNKNOWN"),
    );
    assert.throws(
      () => runtime.team("nobody"),
      (error) => HearthError.is(error, "HEARTH_TEAM_UNKNOWN"),
    );
    // What every object has is not an agent or a team.
    assert.throws(
      () => runtime.agent("constructor"),
      (error) => HearthError.is(error, "HEARTH_AGENT_UNKNOWN"),
    );
    assert.throws(
      () => runtime.team("toString"),
      (error) => HearthError.is(error, "HEARTH_TEAM_UNKNOWN"),
    );
    await runtime.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test("destroy aborts work in flight at once and closes", async () => {
  const closed: string[] = [];
  const runtime = createRuntime(
    defineApp({
      name: "destroyed",
      resources: { db: resource({ init: () => 1, close: () => void closed.push("db") }) },
    }),
    { log: () => {}, closeConnectionPools: false },
  );
  await runtime.start();
  const work = runtime.track((signal) => delay(10_000, "late", { signal }));
  await runtime.destroy();
  await assert.rejects(work, { name: "AbortError" });
  assert.equal(runtime.state, "closed");
  assert.deepEqual(closed, ["db"]);
});
