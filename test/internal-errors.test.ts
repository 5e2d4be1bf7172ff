// An unexpected error tells the client only that the log has the details, and the log has them:
// the stack, once, with the request's id, whether the reply was streamed or not.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AssistantAgent, defineApp, MemorySessionStore } from "hearth";
import { serve, type HearthServer } from "hearth/node";
import { ScriptedModelClient } from "hearth/testing";

const model = new ScriptedModelClient();
const logs: Record<string, unknown>[] = [];
let server: HearthServer;

before(async () => {
  const app = defineApp({
    name: "broken",
    models: { default: () => model },
    agents: { echo: ({ models }) => new AssistantAgent({ name: "echo", modelClient: models.default }) },
  });
  server = await serve(app, {
    port: 0,
    store: new MemorySessionStore(),
    log: (entry) => logs.push(entry),
    runtime: { closeConnectionPools: false },
  });
});
after(() => server.close());

for (const stream of [false, true]) {
  test(`an unexpected error${stream ? " in a stream" : ""} is logged with its stack and answered without it`, async () => {
    model.enqueue(new TypeError(`the model client broke (${stream ? "streamed" : "plain"})`));
    const response = await fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "hi", stream }),
    });
    const text = await response.text();
    assert.doesNotMatch(text, /the model client broke|TypeError|at /);
    const problem = JSON.parse(stream ? (/event: error\ndata: (.+)\n/.exec(text)?.[1] ?? "{}") : text) as {
      code: string;
      detail: string;
      instance: string;
    };
    assert.equal(problem.code, "HEARTH_INTERNAL");
    assert.match(problem.detail, /the server's log has the details/);
    const stack = logs.filter((entry) => entry.msg === "unexpected error" && entry.id === problem.instance);
    assert.equal(stack.length, 1);
    assert.match(
      String(stack[0]?.error),
      new RegExp(`TypeError: the model client broke \\(${stream ? "streamed" : "plain"}\\)\\n\\s+at `),
    );
    const line = logs.find((entry) => entry.msg === "request" && entry.id === problem.instance);
    assert.equal(line?.code, "HEARTH_INTERNAL");
    assert.equal(line?.status, 500);
  });
}
