// `hearth build --target lambda`: the built handler run in a child process by the build's bootstrap,
// against a local fake of Lambda's Runtime API (its documented HTTP protocol: the next invocation,
// its response or error, an init error), fed recorded events of each front door.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { supportModel } from "../examples/support/support-model.ts";
import { runNode } from "./support/run-node.ts";

const cli = new URL("../src/cli/main.ts", import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), "hearth-lambda-build-"));
const fixture = (name: string) => readFileSync(new URL(`./fixtures/lambda/${name}`, import.meta.url), "utf8");
let mock: MockOpenAIServer;

before(async () => {
  mock = await startMockOpenAIServer({ respond: supportModel });
});
after(async () => {
  await mock?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** What the fake Runtime API was told. */
interface Posted {
  readonly kind: "response" | "error" | "init-error";
  readonly id?: string;
  readonly body: unknown;
  readonly errorType?: string;
}

/**
 * A fake of Lambda's Runtime API: hands out the queued events one per `next` (holding the call
 * while none is queued, as Lambda does) and records what the runtime posts back.
 */
async function fakeRuntimeApi(events: readonly string[]) {
  const queue = events.map((body, index) => ({ id: `request-${index + 1}`, body }));
  const posted: Posted[] = [];
  let waiting: ServerResponse | undefined;
  let settle: (() => void) | undefined;
  const done = new Promise<void>((resolve) => (settle = resolve));
  const read = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = "";
      request.on("data", (chunk: Buffer) => (text += chunk.toString()));
      request.on("end", () => resolve(text));
    });
  const server = createServer(async (request, response) => {
    const path = request.url ?? "";
    if (request.method === "GET" && path === "/2018-06-01/runtime/invocation/next") {
      const next = queue.shift();
      if (next === undefined) {
        waiting = response;
        return;
      }
      response.writeHead(200, {
        "content-type": "application/json",
        "lambda-runtime-aws-request-id": next.id,
        "lambda-runtime-deadline-ms": String(Date.now() + 30_000),
        "lambda-runtime-invoked-function-arn": "arn:aws:lambda:us-east-1:123456789012:function:support",
        "lambda-runtime-trace-id": "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c",
      });
      response.end(next.body);
      return;
    }
    const invocation = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    const body = JSON.parse((await read(request)) || "null") as unknown;
    if (invocation !== null)
      posted.push({
        kind: invocation[2] as "response" | "error",
        id: invocation[1] as string,
        body,
        ...(invocation[2] === "error"
          ? { errorType: String(request.headers["lambda-runtime-function-error-type"]) }
          : {}),
      });
    else if (path === "/2018-06-01/runtime/init/error")
      posted.push({
        kind: "init-error",
        body,
        errorType: String(request.headers["lambda-runtime-function-error-type"]),
      });
    else {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(202, { "content-type": "application/json" }).end('{"status":"OK"}');
    if (posted.length === events.length || invocation === null) settle?.();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    posted,
    done,
    close: () => {
      waiting?.destroy();
      server.closeAllConnections();
      server.close();
    },
  };
}

/** The build's bootstrap in a child process, as Lambda's would run it, until the fake has its answers. */
async function runBootstrap(build: string, api: Awaited<ReturnType<typeof fakeRuntimeApi>>) {
  const child = spawn(process.execPath, [join(build, "bootstrap.mjs")], {
    cwd: build,
    env: {
      ...process.env,
      AWS_LAMBDA_RUNTIME_API: api.address,
      LAMBDA_TASK_ROOT: build,
      _HANDLER: "index.handler",
      OPENAI_BASE_URL: mock.url,
      OPENAI_API_KEY: "sk-lambda",
      HEARTH_LOG_LEVEL: "error",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const timeout = setTimeout(() => child.kill("SIGKILL"), 60_000);
  await Promise.race([api.done, exited]);
  clearTimeout(timeout);
  // One that ends by itself (after an init error) is given the time to; one that serves, waiting for the next event, is stopped.
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000))]);
  child.kill("SIGKILL");
  const code = await exited;
  api.close();
  return { code, stderr };
}

test("the built handler answers each front door's events through the Runtime API, warm from its init", async () => {
  const build = join(scratch, "support");
  const built = await runNode([
    "--conditions=@hearth/source",
    cli,
    "build",
    "examples/support",
    "--out",
    build,
    "--target",
    "lambda",
  ]);
  assert.equal(built.code, 0);
  const api = await fakeRuntimeApi([
    fixture("scheduled-keep-warm.json"),
    fixture("http-api-chat.json"),
    fixture("rest-api-chat.json"),
    fixture("alb-chat.json"),
    fixture("http-api-named-stage-chat.json"),
  ]);
  mock.requests.length = 0;
  const { stderr } = await runBootstrap(build, api);
  assert.deepEqual(
    api.posted.map((post) => [post.kind, post.id]),
    [1, 2, 3, 4, 5].map((index) => ["response", `request-${index}`]),
    stderr,
  );
  const [ping, ...chats] = api.posted.map((post) => post.body as { statusCode: number; body: string });
  assert.deepEqual(JSON.parse(ping?.body ?? "{}"), { warm: true, state: "ready" });
  for (const chat of chats) {
    assert.equal(chat.statusCode, 200, chat.body);
    assert.match((JSON.parse(chat.body) as { reply: string }).reply, /A123 has shipped with DHL/);
  }
  assert.equal((api.posted[3]?.body as { statusDescription?: string } | undefined)?.statusDescription, "200 OK");
  // Warm before the first invocation: the model client's warm-up reached the provider during init.
  assert.ok(mock.requests.findIndex((request) => request.path.endsWith("/models")) >= 0);
});

test("a startup that fails is an init error posted to the Runtime API, and the bootstrap exits", async () => {
  const app = join(scratch, "broken");
  // An app of its own, with hearth installed as a user's would be (this checkout, linked).
  mkdirSync(join(app, "node_modules"), { recursive: true });
  symlinkSync(new URL("../", import.meta.url).pathname, join(app, "node_modules/hearth"));
  writeFileSync(
    join(app, "app.ts"),
    [
      'import { AssistantAgent, asset, defineApp } from "hearth";',
      'import { ScriptedModelClient } from "hearth/testing";',
      "export default defineApp({",
      '  name: "broken",',
      '  assets: { missing: asset.text(new URL("./missing.md", import.meta.url)) },',
      "  models: { default: () => new ScriptedModelClient() },",
      '  agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },',
      "});",
      "",
    ].join("\n"),
  );
  const build = join(scratch, "broken-build");
  const built = await runNode([
    "--conditions=@hearth/source",
    cli,
    "build",
    app,
    "--out",
    build,
    "--target",
    "lambda",
    "--no-prime",
  ]);
  assert.equal(built.code, 0);
  const api = await fakeRuntimeApi([fixture("http-api-chat.json")]);
  const { code } = await runBootstrap(build, api);
  assert.equal(code, 1);
  assert.equal(api.posted.length, 1);
  assert.equal(api.posted[0]?.kind, "init-error");
  assert.equal(api.posted[0]?.errorType, "Runtime.InitError");
  assert.match(String((api.posted[0]?.body as { errorMessage?: string } | undefined)?.errorMessage), /missing/);
});
