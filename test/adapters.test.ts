// The same app through the fetch adapter (Request objects) and the Lambda adapter (recorded events
// of every front door: API Gateway HTTP and REST APIs, function URLs, ALB; keep-warm pings;
// response streaming). test/fixtures/lambda/README.md names each event's public source.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { after, before, test } from "node:test";
import { defineApp, OpenAIChatCompletionClient } from "hearth";
import { createFetchHandler } from "hearth/fetch";
import {
  createLambdaHandler,
  createStreamingLambdaHandler,
  type HttpApiEvent,
  isKeepWarmPing,
  type LambdaStreamingGlobal,
} from "hearth/lambda";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { createSupportAgent, loadOrders, loadPolicy } from "../examples/support/support-agent.ts";
import { supportModel } from "../examples/support/support-model.ts";

let mock: MockOpenAIServer;
before(async () => {
  mock = await startMockOpenAIServer({ respond: supportModel });
});
after(() => mock.close());

const event = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/lambda/${name}`, import.meta.url), "utf8")) as HttpApiEvent;
const app = () =>
  defineApp({
    name: "support",
    models: {
      default: () => new OpenAIChatCompletionClient({ model: "support-mock", baseURL: mock.url, apiKey: "sk-test" }),
    },
    agents: {
      support_agent: ({ models }) =>
        createSupportAgent({ modelClient: models.default, orders: loadOrders(), policy: loadPolicy(), stream: true }),
    },
  });
const quiet = { log: () => {}, runtime: { closeConnectionPools: false } };

test("fetch adapter: Request in, Response out, streaming included", async () => {
  const handle = createFetchHandler(app(), quiet);
  try {
    const early = await handle(new Request("http://app.local/healthz"));
    assert.equal(early.status, 200);
    await handle.runtime.ready;
    const response = await handle(
      new Request("http://app.local/v1/chat", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: "Where is order A123?" }),
      }),
    );
    assert.equal(response.status, 200);
    assert.match(((await response.json()) as { reply: string }).reply, /A123 has shipped/);
    const streamed = await handle(
      new Request("http://app.local/v1/chat", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ message: "Where is order B201?" }),
      }),
    );
    assert.match(streamed.headers.get("content-type") ?? "", /text\/event-stream/);
    const text = await streamed.text();
    assert.match(text, /event: message-delta/);
    assert.match(text, /event: done\ndata: .*B201 was delivered/);
    const tooBig = await handle(
      new Request("http://app.local/v1/chat", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: "x".repeat(2 * 1024 * 1024) }),
      }),
    );
    assert.equal(tooBig.status, 413);
    assert.equal(tooBig.headers.get("content-type"), "application/problem+json; charset=utf-8");
  } finally {
    await handle.runtime.close();
  }
});

test("Lambda adapter: recorded HTTP API and function URL events, and a keep-warm ping that runs no agent", async () => {
  const handler = createLambdaHandler(app(), quiet);
  try {
    mock.requests.length = 0;
    const pong = await handler(event("scheduled-keep-warm.json"), { getRemainingTimeInMillis: () => 30_000 });
    assert.equal(pong.statusCode, 200);
    assert.deepEqual(JSON.parse(pong.body), { warm: true, state: "ready" });
    assert.ok(!mock.requests.some((request) => request.path.endsWith("/chat/completions")), "the ping ran no agent");
    assert.equal((await handler({ hearth: "warmup" })).statusCode, 200);

    const chat = await handler(event("http-api-chat.json"), { getRemainingTimeInMillis: () => 30_000 });
    assert.equal(chat.statusCode, 200);
    assert.equal(chat.isBase64Encoded, false);
    assert.match((JSON.parse(chat.body) as { reply: string }).reply, /A123 has shipped with DHL/);

    const ready = await handler(event("function-url-readyz.json"));
    assert.equal(ready.statusCode, 200);
    assert.equal(JSON.parse(ready.body).state, "ready");

    const odd = await handler({ version: "1.0", path: "/v1/chat" } as HttpApiEvent);
    assert.equal(odd.statusCode, 400);
    assert.equal(JSON.parse(odd.body).code, "HEARTH_INVALID_REQUEST");

    const streamedChat = {
      ...event("http-api-chat.json"),
      headers: { ...event("http-api-chat.json").headers, accept: "text/event-stream" },
    };
    const buffered = await handler(streamedChat);
    assert.match(buffered.body, /event: done/, "a streamed chat is returned whole through API Gateway");
  } finally {
    await handler.runtime.close();
  }
});

test("Lambda front doors as deployed: REST API, SAM's events, a named stage, ALB (single and multi-value); each answers a chat", async () => {
  const logged: Record<string, unknown>[] = [];
  const handler = createLambdaHandler(app(), { ...quiet, log: (entry) => void logged.push(entry) });
  const context = { getRemainingTimeInMillis: () => 30_000 };
  try {
    for (const name of [
      "rest-api-chat.json",
      "sam-rest-api-chat.json",
      "sam-http-api-chat.json",
      "http-api-named-stage-chat.json",
      "alb-chat.json",
    ]) {
      const answer = await handler(event(name), context);
      assert.equal(answer.statusCode, 200, `${name}: ${answer.body}`);
      assert.match((JSON.parse(answer.body) as { reply: string }).reply, /A123 has shipped with DHL/, name);
    }
    // ALB wants a status line; with multi-value headers on, the headers as lists.
    const alb = await handler(event("alb-chat.json"), context);
    assert.equal(alb.statusDescription, "200 OK");
    assert.equal(alb.headers?.["content-type"], "application/json; charset=utf-8");
    const multi = await handler(event("alb-multivalue-chat.json"), context);
    assert.equal(multi.statusCode, 200, multi.body);
    assert.equal(multi.statusDescription, "200 OK");
    assert.equal(multi.headers, undefined);
    assert.deepEqual(multi.multiValueHeaders?.["content-type"], ["application/json; charset=utf-8"]);
    // The stage comes off an HTTP API's path; a REST API's path never had it; other routes still 404.
    const staged = event("http-api-named-stage-chat.json");
    const readyz = await handler({
      ...staged,
      rawPath: "/prod/readyz",
      body: null,
      requestContext: { ...staged.requestContext, http: { method: "GET", path: "/prod/readyz" } },
    } as HttpApiEvent);
    assert.equal(readyz.statusCode, 200);
    // Behind a custom domain the path has no stage, even where a stage shares a route's first segment.
    const mapped = await handler({
      ...staged,
      rawPath: "/v1/chat",
      requestContext: { ...staged.requestContext, stage: "v1", domainName: "agents.example.com" },
    } as HttpApiEvent);
    assert.equal(mapped.statusCode, 200, mapped.body);
    const wrongMethod = await handler({ ...event("rest-api-chat.json"), httpMethod: "GET" } as HttpApiEvent);
    assert.equal(wrongMethod.statusCode, 405);
    // A body with a content type that is not JSON is still refused.
    const text = event("rest-api-chat.json");
    const plain = await handler({
      ...text,
      headers: { ...text.headers, "Content-Type": "text/plain" },
      multiValueHeaders: { ...text.multiValueHeaders, "Content-Type": ["text/plain"] },
    } as HttpApiEvent);
    assert.equal(plain.statusCode, 415);
    assert.deepEqual(
      logged.filter((entry) => /rejected/.test(String(entry.msg))),
      [],
      "none was rejected",
    );

    // An event no front door sent: a 400, logged with its shape and not its content.
    const odd = await handler({ Records: [{ body: "sk-secret-looking" }] } as unknown as HttpApiEvent);
    assert.equal(odd.statusCode, 400);
    const line = logged.find((entry) => /Lambda event rejected/.test(String(entry.msg)));
    assert.deepEqual(line?.eventKeys, ["Records"]);
    assert.doesNotMatch(JSON.stringify(line), /sk-secret-looking/);
  } finally {
    await handler.runtime.close();
  }
});

test("EventBridge Scheduler's invocations are keep-warm pings, as a scheduled rule's are; HTTP events never are", async () => {
  const handler = createLambdaHandler(app(), quiet);
  try {
    mock.requests.length = 0;
    for (const name of ["scheduler-event.json", "scheduler-default-input.json", "scheduled-keep-warm.json"]) {
      assert.ok(isKeepWarmPing(event(name)), name);
      const pong = await handler(event(name));
      assert.deepEqual(JSON.parse(pong.body), { warm: true, state: "ready" }, name);
    }
    assert.ok(!mock.requests.some((request) => request.path.endsWith("/chat/completions")), "no ping ran an agent");
    for (const name of ["http-api-chat.json", "rest-api-chat.json", "alb-chat.json"])
      assert.ok(!isKeepWarmPing(event(name)), name);
  } finally {
    await handler.runtime.close();
  }
});

test("Lambda response streaming writes the events through awslambda.HttpResponseStream", async () => {
  const written: string[] = [];
  let metadata: unknown;
  const fakeRuntime: LambdaStreamingGlobal = {
    streamifyResponse: (inner) => inner,
    HttpResponseStream: {
      from(stream, meta) {
        metadata = meta;
        return stream;
      },
    },
  };
  (globalThis as { awslambda?: LambdaStreamingGlobal }).awslambda = fakeRuntime;
  try {
    const created = createStreamingLambdaHandler(app(), quiet);
    const handler = created as unknown as (event: HttpApiEvent, stream: NodeJS.WritableStream) => Promise<void>;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString());
        done();
      },
    });
    const streamed = {
      ...event("http-api-chat.json"),
      headers: { ...event("http-api-chat.json").headers, accept: "text/event-stream" },
    };
    await handler(streamed, sink);
    assert.equal((metadata as { statusCode: number }).statusCode, 200);
    assert.ok(written.length > 3, "events were written one by one");
    assert.match(written.join(""), /event: done/);
    // An event it cannot stream is answered with its problem, not thrown.
    written.length = 0;
    const fresh = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString());
        done();
      },
    });
    await handler({ Records: [] } as unknown as HttpApiEvent, fresh);
    assert.equal((metadata as { statusCode: number }).statusCode, 400);
    assert.match(written.join(""), /HEARTH_INVALID_REQUEST/);
    await created.runtime.close();
  } finally {
    delete (globalThis as { awslambda?: unknown }).awslambda;
  }
  assert.throws(() => createStreamingLambdaHandler(app(), quiet), /only in AWS Lambda/);
});

test("fetch adapter: a stream whose reader stops reading is cut off at the buffer limit, with an error, and logged", async () => {
  const { AssistantAgent } = await import("hearth");
  const { ScriptedModelClient } = await import("hearth/testing");
  const logs: Record<string, unknown>[] = [];
  const model = new ScriptedModelClient({ chunkSize: 16 * 1024 });
  const handle = createFetchHandler(
    defineApp({
      name: "big",
      models: { default: () => model },
      agents: {
        echo: ({ models }) =>
          new AssistantAgent({ name: "echo", modelClient: models.default, modelClientStream: true }),
      },
    }),
    {
      log: (entry) => logs.push(entry),
      runtime: { closeConnectionPools: false },
      streamBufferBytes: 64 * 1024,
      maxSessionBytes: 16 * 1024 * 1024,
    },
  );
  try {
    await handle.runtime.ready;
    model.enqueue("x".repeat(2_000_000));
    const response = await handle(
      new Request("http://app.local/v1/chat", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ message: "big" }),
      }),
    );
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // one chunk, then nothing: the reply piles up behind it
    for (let waited = 0; !logs.some((entry) => entry.msg === "request") && waited < 5_000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const line = logs.find((entry) => entry.msg === "request");
    assert.equal(line?.code, "HEARTH_SLOW_CLIENT");
    assert.equal(line?.status, 499);
    await assert.rejects(
      async () => {
        for (;;) if ((await reader.read()).done) break;
      },
      (error: unknown) => (error as { code?: string }).code === "HEARTH_SLOW_CLIENT",
    );
  } finally {
    await handle.runtime.close();
  }
});
