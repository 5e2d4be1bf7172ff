// examples/studio-team: a team exported from AutoGen Studio, served warm by `hearth serve` against
// hearth's mock OpenAI-compatible server, and asked over POST /v1/chat.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { studioModel } from "../examples/studio-team/studio-model.ts";
import { spawnUntilReady, type SpawnedServer } from "./support/spawn-server.ts";

const cli = new URL("../src/cli/main.ts", import.meta.url).pathname;
const app = new URL("../examples/studio-team/app.ts", import.meta.url).pathname;
let mock: MockOpenAIServer;
let server: SpawnedServer;

before(async () => {
  mock = await startMockOpenAIServer({ respond: studioModel, models: ["gpt-4o-mini"] });
  server = await spawnUntilReady(
    ["--conditions=@hearth/source", cli, "serve", app, "--port", "0", "--store", "memory", "--no-compile-cache"],
    {
      env: {
        ...process.env,
        OPENAI_BASE_URL: mock.url,
        OPENAI_API_KEY: "sk-studio",
        HEARTH_LOG_LEVEL: "warn",
      },
    },
  );
});
after(async () => {
  server.child.kill("SIGTERM");
  await server.exited;
  await mock.close();
});

test("the exported team is warm before ready: its model warmed, a synthetic turn run through it", async () => {
  const trace = (await (await fetch(`${server.url}/v1/startup`)).json()) as {
    steps: { kind: string; name: string; status: string }[];
  };
  const step = (kind: string, name: string) => trace.steps.find((item) => item.kind === kind && item.name === name);
  assert.equal(step("team", "studio")?.status, "ok", "built from the JSON at init");
  assert.equal(step("warmup", "model:default")?.status, "ok");
  assert.equal(step("synthetic", "team:studio")?.status, "ok");
  // The warm-up proved the key against the provider; the synthetic turn sent nothing to it.
  assert.deepEqual(
    mock.requests.map((request) => `${request.method} ${request.path}`),
    ["GET /v1/models"],
  );
  assert.equal(mock.requests[0]?.headers.authorization, "Bearer sk-studio");
});

test("POST /v1/chat: the team calls the app's calculator and stops on TERMINATE", async () => {
  const response = await fetch(`${server.url}/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ team: "studio", message: "What is 12 * 7?" }),
  });
  const body = (await response.json()) as {
    reply: string;
    messages: { source: string; type: string; content?: unknown }[];
  };
  assert.equal(response.status, 200, JSON.stringify(body));
  assert.equal(body.reply, "The answer is 84. TERMINATE");
  assert.deepEqual(
    body.messages.map((message) => `${message.source}:${message.type}`),
    [
      "user:text",
      "assistant_agent:tool-call-request",
      "assistant_agent:tool-call-execution",
      "assistant_agent:tool-call-summary",
      "assistant_agent:text",
    ],
  );
  const chats = mock.requests.filter((request) => request.method === "POST");
  const first = chats[0]?.body;
  assert.equal(first?.model, "gpt-4o-mini");
  assert.equal(
    first?.messages[0]?.content,
    "You are a helpful assistant. Solve tasks carefully. When done, say TERMINATE.",
    "the system message is the JSON's",
  );
  assert.deepEqual(
    first?.tools?.map((tool) => tool.function.name),
    ["calculator"],
  );
});
