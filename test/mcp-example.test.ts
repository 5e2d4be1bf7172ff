// examples/mcp: the policy agent answers from a document it reads through the published filesystem
// server, which the app starts, connects and warms before ready.
import assert from "node:assert/strict";
import { test } from "node:test";
import { serve } from "hearth/node";
import { startMockOpenAIServer } from "hearth/testing";
import { policyModel } from "../examples/mcp/policy-model.ts";

test("the MCP example answers a policy question from the document the filesystem server read", async () => {
  const mock = await startMockOpenAIServer({ respond: policyModel });
  process.env.OPENAI_BASE_URL = mock.url;
  process.env.OPENAI_API_KEY = "sk-example";
  const { default: app } = await import("../examples/mcp/app.ts");
  const server = await serve(app, { port: 0, log: () => undefined, store: { kind: "memory" } });
  try {
    assert.equal(server.runtime.state, "ready");
    const response = await fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "How do refunds work?" }),
    });
    const body = (await response.json()) as {
      reply: string;
      messages: { type: string; toolCalls?: { name: string }[] }[];
    };
    assert.equal(response.status, 200);
    assert.match(body.reply, /^From our policy: Items can be returned within 30 days/);
    const request = body.messages.find((message) => message.type === "tool-call-request");
    assert.equal(request?.toolCalls?.[0]?.name, "policies_read_text_file");
    // Only the reading tools the app allowed are offered.
    const offered = (mock.requests.at(-1)?.body?.tools ?? mock.requests.find((r) => r.body?.tools)?.body?.tools) as {
      function: { name: string };
    }[];
    assert.deepEqual(offered.map((tool) => tool.function.name).sort(), [
      "policies_list_directory",
      "policies_read_text_file",
      "policies_search_files",
    ]);
  } finally {
    await server.close();
    await mock.close();
  }
});
