// Sessions survive a crash (SQLite, SIGKILL mid-stream of turns) and stay ordered across two
// instances sharing Redis.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  redisSkipReason,
  startMockOpenAIServer,
  startRedisServer,
  type MockOpenAIServer,
  type RedisServer,
} from "hearth/testing";
import { chatOn, spawnServer } from "./support/spawn-server.ts";

const directory = mkdtempSync(join(tmpdir(), "hearth-durability-"));
let mock: MockOpenAIServer;
before(async () => {
  mock = await startMockOpenAIServer({ latencyMs: 15 });
});
after(async () => {
  await mock.close();
  rmSync(directory, { recursive: true, force: true });
});

interface Turn {
  readonly role: string;
  readonly content: string;
}

async function turnsOf(url: string, sessionId: string): Promise<Turn[]> {
  const response = await fetch(`${url}/v1/sessions/${sessionId}`);
  assert.equal(response.status, 200);
  const session = (await response.json()) as { messages: { type: string; source: string; content?: string }[] };
  return session.messages
    .filter((message) => message.type === "text")
    .map((message) => ({ role: message.source === "user" ? "user" : "agent", content: String(message.content) }));
}

test("SIGKILL during a stream of turns on SQLite: after a restart, every answered turn is there, in order", async () => {
  const database = join(directory, "crash.db");
  const flags = ["--store", "sqlite", "--sessions-db", database];
  const first = await spawnServer(mock.url, flags);
  const opened = await chatOn(first.url, "turn 0");
  assert.equal(opened.status, 200);
  const sessionId = opened.body.sessionId as string;
  const answered = ["turn 0"];
  // Turns one after another; the server dies under the tenth.
  for (let index = 1; index < 30; index++) {
    if (index === 10) setTimeout(() => first.child.kill("SIGKILL"), 5);
    const result = await chatOn(first.url, `turn ${index}`, sessionId).catch(() => undefined);
    if (result?.status !== 200) break;
    answered.push(`turn ${index}`);
  }
  await first.exited;
  assert.ok(answered.length >= 10, `${answered.length} turns were answered before the kill`);

  const second = await spawnServer(mock.url, flags);
  try {
    const turns = await turnsOf(second.url, sessionId);
    const users = turns.filter((turn) => turn.role === "user").map((turn) => turn.content);
    // Every answered turn is stored, in order; at most the one in flight at the kill is extra, and complete.
    assert.deepEqual(users.slice(0, answered.length), answered);
    assert.ok(users.length <= answered.length + 1);
    turns.forEach((turn, index) => {
      if (turn.role === "user")
        assert.equal(turns[index + 1]?.content, `You said: ${turn.content}`, "each stored turn has its reply");
    });
    const after = await chatOn(second.url, "after the restart", sessionId);
    assert.equal(after.status, 200);
  } finally {
    second.child.kill("SIGTERM");
    await second.exited;
  }
});

test("SIGKILL under concurrent load on SQLite, writes grouped into shared commits: every answered turn of every session is there", async () => {
  const database = join(directory, "crash-concurrent.db");
  const flags = ["--store", "sqlite", "--sessions-db", database];
  const first = await spawnServer(mock.url, flags);
  const clients = 16;
  const answered = new Map<string, string[]>();
  let killed = false;
  setTimeout(() => {
    killed = true;
    first.child.kill("SIGKILL");
  }, 400);
  // Each client runs turns back to back on its own session until the server dies under it.
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      let sessionId: string | undefined;
      for (let index = 0; !killed && index < 200; index++) {
        const message = `client ${client} turn ${index}`;
        const result = await chatOn(first.url, message, sessionId).catch(() => undefined);
        if (result?.status !== 200) break;
        sessionId = result.body.sessionId as string;
        answered.set(sessionId, [...(answered.get(sessionId) ?? []), message]);
      }
    }),
  );
  await first.exited;
  const total = [...answered.values()].reduce((sum, turns) => sum + turns.length, 0);
  assert.ok(answered.size === clients && total >= clients * 3, `${total} turns on ${answered.size} sessions answered`);

  const second = await spawnServer(mock.url, flags);
  try {
    for (const [sessionId, turns] of answered) {
      const users = (await turnsOf(second.url, sessionId))
        .filter((turn) => turn.role === "user")
        .map((turn) => turn.content);
      assert.deepEqual(users.slice(0, turns.length), turns, `session of ${turns[0]}`);
      assert.ok(users.length <= turns.length + 1, "at most the turn in flight at the kill is extra");
    }
  } finally {
    second.child.kill("SIGTERM");
    await second.exited;
  }
});

const skip = redisSkipReason();

test("two instances on Redis, 50 concurrent turns each on one session: exactly 100 turns, in a valid order", {
  skip,
}, async () => {
  const redis: RedisServer = await startRedisServer();
  const flags = ["--store", "redis", "--redis-url", redis.url];
  const [a, b] = await Promise.all([spawnServer(mock.url, flags), spawnServer(mock.url, flags)]);
  try {
    const opened = await chatOn(a.url, "opening");
    const sessionId = opened.body.sessionId as string;
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, index) => chatOn(index % 2 === 0 ? a.url : b.url, `message ${index}`, sessionId)),
    );
    assert.deepEqual(
      results.map((result) => result.status),
      results.map(() => 200),
    );
    const turns = await turnsOf(b.url, sessionId);
    const users = turns.filter((turn) => turn.role === "user").map((turn) => turn.content);
    assert.equal(users.length, 101, "the opening turn and exactly 100 more");
    assert.deepEqual(
      [...users].sort(),
      ["opening", ...Array.from({ length: 100 }, (_, index) => `message ${index}`)].sort(),
      "each turn once, none lost",
    );
    // A valid order: every user message is followed by its own reply, never interleaved.
    turns.forEach((turn, index) => {
      if (turn.role === "user") assert.equal(turns[index + 1]?.content, `You said: ${turn.content}`);
    });
    assert.equal(turns.length, 202);
  } finally {
    a.child.kill("SIGTERM");
    b.child.kill("SIGTERM");
    await Promise.all([a.exited, b.exited]);
    await redis.stop();
  }
});
