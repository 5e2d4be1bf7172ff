// The support example on Claude: the same app, unchanged, picks the Anthropic client when only
// ANTHROPIC_API_KEY is set, and answers through hearth's mock Messages server.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";
import { type MockAnthropicServer, startMockAnthropicServer } from "hearth/testing";
import { usesAnthropic } from "../examples/support/app.ts";
import { supportModelMessages } from "../examples/support/support-model.ts";

let mock: MockAnthropicServer;
before(async () => {
  mock = await startMockAnthropicServer({
    respond: supportModelMessages,
    apiKeys: ["sk-ant-test"],
    models: ["claude-haiku-4-5"],
  });
});
after(() => mock.close());

/** Runs examples/support/start.ts with `env` over the parent's, without any OpenAI key; resolves with its "answered" line. */
function answerOnce(env: Record<string, string>): Promise<{ reply: string }> {
  const script = new URL("../examples/support/start.ts", import.meta.url).pathname;
  const { OPENAI_API_KEY: _key, OPENAI_BASE_URL: _base, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=@hearth/source", script], {
      env: { ...inherited, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const answered = output
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { msg: string; reply?: string })
        .find((line) => line.msg === "answered");
      if (code !== 0 || answered === undefined) reject(new Error(`the example exited with ${code}: ${output}`));
      else resolve({ reply: String(answered.reply) });
    });
  });
}

test("the support example runs on Claude when only ANTHROPIC_API_KEY is set, against the mock Messages server", async () => {
  const { reply } = await answerOnce({ ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: mock.url });
  assert.equal(reply, "Order A123 has shipped with DHL (tracking JD014600006281) and should arrive by 2026-11-27.");
  assert.deepEqual(
    mock.requests.map((request) => `${request.method} ${request.path} ${String(request.headers["x-api-key"])}`),
    ["GET /v1/models?limit=1 sk-ant-test", "POST /v1/messages sk-ant-test", "POST /v1/messages sk-ant-test"],
    "warm-up proved the key; the synthetic warm-up turn sent nothing; the question took a tool call and an answer",
  );
  const [, first, second] = mock.requests;
  assert.equal(first?.body?.model, "claude-haiku-4-5");
  assert.match(String(first?.body?.system), /30 days of delivery/, "the policy is the system prompt");
  assert.equal(first?.body?.tools?.[0]?.name, "lookup_order");
  const results = second?.body?.messages.at(-1)?.content;
  assert.equal(Array.isArray(results) ? results[0]?.type : undefined, "tool_result");
});

test("the example picks Anthropic only when ANTHROPIC_API_KEY is set and OPENAI_API_KEY is not", () => {
  assert.equal(usesAnthropic({ ANTHROPIC_API_KEY: "a" }), true);
  assert.equal(usesAnthropic({ ANTHROPIC_API_KEY: "a", OPENAI_API_KEY: "o" }), false);
  assert.equal(usesAnthropic({ OPENAI_API_KEY: "o" }), false);
  assert.equal(usesAnthropic({ ANTHROPIC_API_KEY: "" }), false);
});
