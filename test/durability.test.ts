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
