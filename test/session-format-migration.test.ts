// A session stored by the previous hearth (format 1: every model-context entry whole) in an SQLite
// file is read, continued and written back in format 2 (entries that repeat the transcript stored
// as references), with nothing lost.
// A session whose team has a team among its members is written as format 3, and continued from
// its file by another server.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import {
  AssistantAgent,
  defineApp,
  type ModelRequest,
  RoundRobinGroupChat,
  type SessionJSON,
  SqliteSessionStore,
  TextMentionTermination,
} from "hearth";
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

test("a team with a team among its members is stored as format 3, its member's session inside; another server goes on from it", async () => {
  const directory = mkdtempSync(join(tmpdir(), "hearth-format-"));
  const path = join(directory, "sessions.db");
  // Each agent answers with its name and how many messages its model was shown.
  const model = () =>
    new ScriptedModelClient({
      replies: Array.from({ length: 10 }, () => (request: ModelRequest) => {
        const system = request.messages[0];
        const name = system?.role === "system" ? system.content.replace(/^You are (\w+)\.$/, "$1") : "?";
        return `${name} saw ${request.messages.length - 1}${name === "editor" ? " DONE" : ""}`;
      }),
    });
  const app = (client: ScriptedModelClient) =>
    defineApp({
      name: "nested",
      warmup: { syntheticTurns: false },
      models: { default: () => client },
      agents: Object.fromEntries(
        ["drafter", "editor", "critic"].map((name) => [
          name,
          ({ models }: { models: { default: ScriptedModelClient } }) =>
            new AssistantAgent({ name, modelClient: models.default, systemMessage: `You are ${name}.` }),
        ]),
      ),
      teams: {
        crew: ({ agents }) =>
          new RoundRobinGroupChat({
            name: "crew",
            participants: [
              new RoundRobinGroupChat({
                name: "writers",
                participants: [agents.drafter as AssistantAgent, agents.editor as AssistantAgent],
                termination: new TextMentionTermination("DONE"),
              }),
              agents.critic as AssistantAgent,
            ],
            maxTurns: 2,
          }),
      },
    });
  const chat = async (url: string, body: Record<string, unknown>) => {
    const response = await fetch(`${url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ team: "crew", ...body }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as { sessionId: string };
  };
  try {
    const first = await serve(app(model()), { port: 0, store: new SqliteSessionStore({ path }), log: () => undefined });
    let sessionId: string;
    try {
      ({ sessionId } = await chat(first.url, { message: "Write a tagline." }));
      const stored = (await (await fetch(`${first.url}/v1/sessions/${sessionId}`)).json()) as SessionJSON;
      assert.equal(
        stored.version,
        3,
        "a hearth that reads format 2 only refuses it rather than drop the member's session",
      );
      assert.deepEqual(
        stored.messages.map((message) => message.source),
        ["user", "drafter", "editor", "critic"],
      );
      const writers = stored.memberSessions?.writers;
      assert.equal(writers?.team?.team, "writers");
      assert.deepEqual(writers?.team?.delivered, { drafter: 2, editor: 3 });
    } finally {
      await first.close();
    }

    // Another server, its definitions built anew, the same file: the inner team goes on where it was.
    const client = model();
    const second = await serve(app(client), { port: 0, store: new SqliteSessionStore({ path }), log: () => undefined });
    try {
      await chat(second.url, { message: "Shorter.", sessionId });
      const drafter = client.requests.find((request) => {
        const system = request.messages[0];
        return system?.role === "system" && system.content === "You are drafter.";
      });
      assert.deepEqual(
        drafter?.messages.slice(1).map((message) => (message.role === "tool" ? "" : message.content)),
        ["Write a tagline.", "drafter saw 1", "editor saw 2 DONE", "critic saw 3", "Shorter."],
      );
    } finally {
      await second.close();
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
