// examples/autogen-port: AutoGen's FastAPI sample ported to hearth (docs/autogen.md), served by
// `hearth serve` against the mock OpenAI server: the agent, its sessions across a restart, the
// session as the sample's /history, CORS, the team, a conversation AutoGen saved moved over, and the
// per-tenant version.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { serve } from "hearth/node";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { spawnUntilReady, type SpawnedServer } from "./support/spawn-server.ts";

const run = promisify(execFile);
const root = new URL("../", import.meta.url).pathname;
const cli = join(root, "src/cli/main.ts");
const example = (file: string) => join(root, "examples/autogen-port", file);

interface ChatBody {
  reply?: string;
  sessionId?: string;
  stopReason?: string;
  code?: string;
  messages?: { type: string; source: string; content?: unknown }[];
}

async function chat(url: string, body: object, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as ChatBody };
}

/** The text of each message of the model request the mock saw last. */
function lastRequestTexts(mock: MockOpenAIServer): string[] {
  return (mock.requests.at(-1)?.body?.messages ?? []).map((message) =>
    typeof message.content === "string" ? message.content : JSON.stringify(message.content ?? null),
  );
}

describe("the AutoGen FastAPI sample, ported", () => {
  let mock: MockOpenAIServer;
  let folder: string;
  let database: string;
  const servers: SpawnedServer[] = [];
  const env = () => ({
    ...process.env,
    OPENAI_BASE_URL: mock.url,
    OPENAI_API_KEY: "sk-port",
    HEARTH_LOG_LEVEL: "warn",
    HEARTH_COMPILE_CACHE: join(folder, "compile-cache"),
  });
  const start = async (file: string) => {
    const server = await spawnUntilReady(
      [
        "--conditions=@hearth/source",
        cli,
        "serve",
        example(file),
        "--port",
        "0",
        "--sessions-db",
        database,
        "--cors",
        "*",
      ],
      { env: env() },
    );
    servers.push(server);
    return server;
  };
  const stop = async (server: SpawnedServer) => {
    server.child.kill("SIGTERM");
    assert.equal(await server.exited, 0);
  };

  before(async () => {
    mock = await startMockOpenAIServer();
    folder = mkdtempSync(join(tmpdir(), "hearth-autogen-port-"));
    database = join(folder, "sessions.db");
  });
  after(async () => {
    for (const server of servers) server.child.kill("SIGKILL");
    await mock.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test("the agent answers, keeps the conversation in a session across a restart, and the session is the history", async () => {
    let server = await start("app.ts");
    const first = await chat(server.url, { message: "Hello" }, { origin: "https://chat.example.com" });
    assert.equal(first.status, 200);
    assert.equal(first.body.reply, "You said: Hello");
    // app_agent.py's CORSMiddleware(allow_origins=["*"]) is `--cors "*"`.
    assert.equal(first.headers.get("access-control-allow-origin"), "*");
    const sessionId = first.body.sessionId as string;
    assert.match(lastRequestTexts(mock)[0] ?? "", /^You are a helpful assistant\.$/);

    // The process restarts, as the sample's server did; the conversation was stored, not held.
    await stop(server);
    server = await start("app.ts");
    const second = await chat(server.url, { message: "And again", sessionId });
    assert.equal(second.body.reply, "You said: And again");
    assert.deepEqual(lastRequestTexts(mock), ["You are a helpful assistant.", "Hello", "You said: Hello", "And again"]);

    // The sample's /history: the session's transcript.
    const stored = (await (await fetch(`${server.url}/v1/sessions/${sessionId}`)).json()) as ChatBody;
    assert.deepEqual(
      stored.messages?.map((message) => [message.source, message.content]),
      [
        ["user", "Hello"],
        ["assistant", "You said: Hello"],
        ["user", "And again"],
        ["assistant", "You said: And again"],
      ],
    );

    // app_team.py's team: one round per request, ending when yoda has spoken.
    const team = await chat(server.url, { team: "assistant_and_yoda", message: "Hello team" });
    assert.equal(team.status, 200);
    assert.deepEqual(
      team.body.messages?.map((message) => message.source),
      ["user", "assistant", "yoda"],
    );
    assert.equal(team.body.stopReason, "'yoda' answered");
    await stop(server);
  });

  test("import-state.ts moves AutoGen's saved agent_state.json into the store the server reads", async () => {
    const state = join(root, "test/fixtures/autogen/assistant-agent-state.json");
    const { stdout } = await run(
      process.execPath,
      ["--conditions=@hearth/source", example("import-state.ts"), state, database],
      {
        env: env(),
      },
    );
    const sessionId = stdout.trim();
    const server = await start("app.ts");
    const answer = await chat(server.url, { message: "And in Boston?", sessionId });
    assert.equal(answer.status, 200);
    const texts = lastRequestTexts(mock);
    // The model sees AutoGen's conversation, its tool call and result included, then the new message.
    assert.deepEqual(texts.slice(-5), [
      "What is the weather in New York?",
      "null",
      "The weather in New York is 73 degrees and Sunny.",
      "The weather in New York is 73 degrees and Sunny.",
      "And in Boston?",
    ]);
    assert.equal(mock.requests.at(-1)?.body?.messages.at(-4)?.tool_calls !== undefined, true);
    await stop(server);
  });

  test("the per-tenant version calls the model with each tenant's own key, and refuses unknown clients", async () => {
    process.env.OPENAI_BASE_URL = mock.url;
    process.env.OPENAI_API_KEY_ACME = "sk-acme-provider";
    process.env.OPENAI_API_KEY_GLOBEX = "sk-globex-provider";
    const { default: app } = await import("../examples/autogen-port/tenants.ts");
    const server = await serve(app, { port: 0, log: () => undefined, store: { kind: "memory" } });
    try {
      for (const [key, providerKey, tenant] of [
        ["client-key-acme-0001", "sk-acme-provider", "acme"],
        ["client-key-globex-0002", "sk-globex-provider", "globex"],
      ] as const) {
        mock.requests.length = 0;
        const answer = await chat(server.url, { message: "Hello" }, { authorization: `Bearer ${key}` });
        assert.equal(answer.status, 200);
        assert.equal(answer.body.reply, "You said: Hello");
        assert.equal(mock.requests.at(-1)?.headers.authorization, `Bearer ${providerKey}`);
        assert.equal(lastRequestTexts(mock)[0], `You are a helpful assistant for ${tenant}.`);
      }
      const stranger = await chat(server.url, { message: "Hello" }, { authorization: "Bearer client-key-unknown-9" });
      assert.equal(stranger.status, 401);
      assert.equal(stranger.body.code, "HEARTH_UNAUTHORIZED");
    } finally {
      await server.close();
    }
  });

  test("docs/autogen.md shows the example's code as it is in examples/autogen-port", () => {
    const guide = readFileSync(join(root, "docs/autogen.md"), "utf8");
    for (const file of ["app.ts", "tenants.ts", "import-state.ts"]) {
      // The file without its header comment, which the guide's prose replaces.
      const code = readFileSync(example(file), "utf8").replace(/^(\/\/.*\n)+/, "");
      assert.ok(guide.includes(`\`\`\`ts\n${code}\`\`\``), `docs/autogen.md shows examples/autogen-port/${file}`);
    }
  });
});
