// The session turn through the server, on every store: concurrent turns on one session run one
// after another (each stored once, in a valid order, one model call each); a streamed turn whose
// events have gone out is never run again; a turn that timed out is never stored, even when its
// agent ignores its signal.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  AssistantAgent,
  defineApp,
  HearthError,
  MemorySessionStore,
  OpenAIChatCompletionClient,
  RedisSessionStore,
  Session,
  SqliteSessionStore,
} from "hearth";
import type { ChatAgent, PutOptions, RunOptions, SessionStore, TaskResult } from "hearth";
import { serve, type HearthServer } from "hearth/node";
import {
  redisSkipReason,
  startMockOpenAIServer,
  startRedisServer,
  type MockOpenAIServer,
  type RedisServer,
} from "hearth/testing";

const directory = mkdtempSync(join(tmpdir(), "hearth-turns-"));
const redisMissing = redisSkipReason();
let mock: MockOpenAIServer;
let redis: RedisServer | undefined;

before(async () => {
  // A little latency, so concurrent turns overlap.
  mock = await startMockOpenAIServer({ latencyMs: 3 });
  if (redisMissing === false) redis = await startRedisServer();
});
after(async () => {
  await mock.close();
  await redis?.stop();
  rmSync(directory, { recursive: true, force: true });
});

function app(extra: Readonly<Record<string, ChatAgent>> = {}) {
  return defineApp({
    name: "turns",
    models: {
      default: () => new OpenAIChatCompletionClient({ model: "mock", baseURL: mock.url, apiKey: "sk-test-0123456789" }),
    },
    agents: {
      echo: ({ models }) => new AssistantAgent({ name: "echo", modelClient: models.default, modelClientStream: true }),
      ...Object.fromEntries(Object.entries(extra).map(([name, agent]) => [name, () => agent])),
    },
  });
}

async function start(
  store: SessionStore,
  options: { requestTimeoutMs?: number; extra?: Readonly<Record<string, ChatAgent>> } = {},
): Promise<HearthServer> {
  return serve(app(options.extra), {
    port: 0,
    store,
    log: () => undefined,
    runtime: { closeConnectionPools: false },
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  });
}

async function chat(
  server: HearthServer,
  body: Record<string, unknown>,
): Promise<{ status: number; text: string; json: Record<string, unknown> | undefined }> {
  const response = await fetch(`${server.url}/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    json: (response.headers.get("content-type") ?? "").includes("json")
      ? (JSON.parse(text) as Record<string, unknown>)
      : undefined,
  };
}

const chatCalls = () => mock.requests.filter((request) => request.path === "/v1/chat/completions").length;

const stores: [string, () => Promise<SessionStore>, string | false][] = [
  ["memory", async () => new MemorySessionStore(), false],
  [
    "sqlite",
    async () => new SqliteSessionStore({ path: join(directory, `turns-${Math.random().toString(36).slice(2)}.db`) }),
    false,
  ],
  [
    "redis",
    async () =>
      RedisSessionStore.connect({ url: redis?.url as string, prefix: `turns-${Math.random().toString(36).slice(2)}:` }),
    redisMissing,
  ],
];

for (const [kind, open, skip] of stores) {
  describe(`the session turn on the ${kind} store`, { skip }, () => {
    test("20 concurrent turns on one session, streamed and not: all answered, each stored once, in a valid order, one model call each", async () => {
      const server = await start(await open());
      try {
        const opened = await chat(server, { message: "opening" });
        const sessionId = opened.json?.sessionId as string;
        const calls = chatCalls();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, index) =>
            chat(server, { message: `message ${index}`, sessionId, stream: index % 2 === 1 }),
          ),
        );
        assert.deepEqual(
          results.map((result) => result.status),
          results.map(() => 200),
        );
        for (const [index, result] of results.entries())
          if (index % 2 === 1) assert.match(result.text, /event: done\n/, `stream ${index} ended with done`);
        assert.equal(chatCalls() - calls, 20, "one model call a turn: none ran twice");
        const stored = (await (await fetch(`${server.url}/v1/sessions/${sessionId}`)).json()) as {
          messages: { type: string; source: string; content: string }[];
        };
        const texts = stored.messages.filter((message) => message.type === "text");
        const users = texts.filter((message) => message.source === "user").map((message) => message.content);
        assert.deepEqual(
          [...users].sort(),
          ["opening", ...Array.from({ length: 20 }, (_, index) => `message ${index}`)].sort(),
          "each turn once, none lost",
        );
        texts.forEach((message, index) => {
          if (message.source === "user")
            assert.equal(
              texts[index + 1]?.content,
              `You said: ${message.content}`,
              "each turn followed by its own reply",
            );
        });
      } finally {
        await server.close();
      }
    });
  });
}

/** A store whose next write conflicts once, as when another instance wrote the session meanwhile. */
class ConflictOnce extends MemorySessionStore {
  conflicts = 0;
  override async put(
    tenant: string,
    session: Parameters<MemorySessionStore["put"]>[1],
    expectedVersion: number,
    options?: PutOptions,
  ): Promise<number> {
    if (this.conflicts === 0) {
      this.conflicts += 1;
      throw new HearthError("HEARTH_SESSION_CONFLICT", "conflict for the test", { retryable: true });
    }
    return super.put(tenant, session, expectedVersion, options);
  }
}

describe("a turn whose write conflicts", () => {
  test("not streamed, it is run again on the stored version and answered once", async () => {
    const store = new ConflictOnce();
    const server = await start(store);
    try {
      const calls = chatCalls();
      const result = await chat(server, { message: "retry me" });
      assert.equal(result.status, 200);
      assert.equal(store.conflicts, 1);
      assert.equal(chatCalls() - calls, 2, "run again after the conflict");
    } finally {
      await server.close();
    }
  });

  test("streamed, once its events have gone out it is not run again: each event once, then a 409", async () => {
    const store = new ConflictOnce();
    const server = await start(store);
    try {
      const calls = chatCalls();
      const result = await chat(server, { message: "stream me", stream: true });
      const events = [...result.text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
      const replies = [...result.text.matchAll(/^event: message\ndata: (.+)$/gm)].filter(
        (match) => (JSON.parse(match[1] ?? "{}") as { source?: string }).source === "echo",
      );
      assert.equal(replies.length, 1, "the reply went out once");
      assert.equal(events.at(-1), "error");
      assert.match(result.text, /"HEARTH_SESSION_CONFLICT"/);
      assert.equal(chatCalls() - calls, 1, "the model was called once");
    } finally {
      await server.close();
    }
  });
});

/** An agent that does not look at its signal: it answers after `ms`, whatever happened meanwhile. */
function stubbornAgent(ms: number): ChatAgent {
  const run = async (options: RunOptions = {}): Promise<TaskResult> => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const message = {
      id: `m-${Date.now()}`,
      type: "text" as const,
      source: "stubborn",
      createdAt: new Date().toISOString(),
      content: "too late",
    };
    options.session?.apply({ messages: [message], contexts: {} });
    return {
      type: "task-result",
      messages: [message],
      stopReason: "text",
      usage: { promptTokens: 0, completionTokens: 0 },
    };
  };
  return {
    name: "stubborn",
    description: "Ignores its signal.",
    createSession: () => new Session(),
    run,
    async *runStream(options?: RunOptions) {
      yield await run(options);
    },
    onMessages: () => Promise.reject(new Error("not used by a single-agent chat")),
  };
}

test("a turn that times out is 504 and stores nothing, even when its agent ignores its signal", async () => {
  const store = new MemorySessionStore();
  const server = await start(store, { requestTimeoutMs: 100, extra: { stubborn: stubbornAgent(400) } });
  try {
    const result = await chat(server, { message: "hello", agent: "stubborn" });
    assert.equal(result.status, 504);
    assert.equal(result.json?.code, "HEARTH_REQUEST_TIMEOUT");
    // The agent finishes after the answer; what it did must still not be stored.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(await store.list("default"), []);
  } finally {
    await server.close();
  }
});
