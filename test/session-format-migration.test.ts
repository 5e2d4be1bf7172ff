// A session stored by the previous hearth (format 1: every model-context entry whole) in an SQLite
// file is read, continued and written back in format 2 (entries that repeat the transcript stored
// as references), with nothing lost.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { AssistantAgent, defineApp, SqliteSessionStore } from "hearth";
import { serve } from "hearth/node";
import { ScriptedModelClient } from "hearth/testing";

test("a format-1 session in an SQLite file from the previous hearth is continued and written back as format 2", async () => {
  const directory = mkdtempSync(join(tmpdir(), "hearth-format-"));
  const path = join(directory, "sessions.db");
  // The file as the previous hearth left it: its schema, and a row holding a format-1 session.
  await new SqliteSessionStore({ path }).close();
  const at = "2026-11-20T10:00:00.000Z";
  const v1 = {
    version: 1,
    id: "old-conversation",
    createdAt: at,
    updatedAt: at,
    messages: [
      { id: "m0", type: "text", source: "user", createdAt: at, content: "hi" },
      {
        id: "m1",
        type: "text",
        source: "helper",
        createdAt: at,
        content: "hello",
        usage: { promptTokens: 3, completionTokens: 1 },
      },
    ],
    contexts: {
      helper: [
        { role: "user", content: "hi", source: "user" },
        { role: "assistant", content: "hello", source: "helper" },
      ],
    },
  };
  const raw = new DatabaseSync(path);
  raw
    .prepare("INSERT INTO sessions (tenant, id, version, json, updated_at, expires_at) VALUES (?, ?, 1, ?, ?, NULL)")
    .run("default", v1.id, JSON.stringify(v1), Date.now());
  raw.close();

  const model = new ScriptedModelClient({ replies: ["welcome back"] });
  const app = defineApp({
    name: "format",
    warmup: { syntheticTurns: false },
    models: { default: () => model },
    agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
  });
  const server = await serve(app, { port: 0, store: new SqliteSessionStore({ path }), log: () => undefined });
  try {
    const before = await (await fetch(`${server.url}/v1/sessions/${v1.id}`)).json();
    assert.deepEqual(before, v1, "read as it was stored");
    const turn = await fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "again", sessionId: v1.id }),
    });
    assert.equal(turn.status, 200);
    // The model saw the old conversation whole.
    assert.deepEqual(
      model.requests[0]?.messages.slice(1).map((message) => (message.role === "tool" ? "" : message.content)),
      ["hi", "hello", "again"],
    );
    const after = (await (await fetch(`${server.url}/v1/sessions/${v1.id}`)).json()) as {
      version: number;
      messages: unknown[];
      contexts: Record<string, unknown[]>;
    };
    assert.equal(after.version, 2);
    assert.equal(after.messages.length, 4);
    assert.deepEqual(after.contexts.helper, [{ m: 0 }, { m: 1 }, { m: 2 }, { m: 3 }]);
  } finally {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  }
});
