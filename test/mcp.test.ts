// Tools from MCP servers: a real published server (@modelcontextprotocol/server-everything) over
// stdio and over Streamable HTTP, and a fixture server on the SDK's own server classes for what a
// published server cannot be made to do on demand (pages of tools, a changed list, a cancelled
// call, an exit in the middle of a call).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AssistantAgent, ConnectionPools, defineApp, HearthError, OpenAIChatCompletionClient } from "hearth";
import { McpWorkbench, mcpServer } from "hearth/mcp";
import { serve } from "hearth/node";
import { type MockChatRequest, startMockOpenAIServer } from "hearth/testing";
import { modulesLoadedServing } from "./support/loaded-modules.ts";

const everythingBin = new URL("../node_modules/@modelcontextprotocol/server-everything/dist/index.js", import.meta.url)
  .pathname;
const fixtureServer = new URL("./fixtures/mcp/fixture-server.ts", import.meta.url).pathname;
const everythingStdio = { command: process.execPath, args: [everythingBin, "stdio"] };

function fixture(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "hearth-mcp-"));
  const events = join(dir, "events.log");
  return {
    stdio: { command: process.execPath, args: [fixtureServer], env: { FIXTURE_EVENTS: events, ...env } },
    events: () => {
      try {
        return readFileSync(events, "utf8").trim().split("\n");
      } catch {
        return [];
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The model: asks for the named tool with the user's text once, then answers with what it returned. */
function toolThenAnswer(tool: string, args: (text: string) => Record<string, unknown>) {
  return (request: MockChatRequest) => {
    const toolMessage = request.messages.find((message) => message.role === "tool");
    if (toolMessage !== undefined) return { content: `The tool said: ${String(toolMessage.content)}` };
    const user = [...request.messages].reverse().find((message) => message.role === "user");
    return { toolCalls: [{ name: tool, arguments: args(String(user?.content)) }] };
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test("stdio: the published everything server's tools are listed with provider-valid names and called", async () => {
  const workbench = new McpWorkbench({ name: "everything", stdio: everythingStdio });
  try {
    await workbench.start();
    const tools = await workbench.listTools();
    assert.ok(tools.some((tool) => tool.name === "echo"));
    assert.ok(tools.some((tool) => tool.name === "get-sum"));
    for (const tool of workbench.tools()) assert.match(tool.name, /^[A-Za-z0-9_-]{1,64}$/);
    assert.equal((await workbench.callTool("echo", { message: "hello" })).text, "Echo: hello");
    const sum = await workbench.callTool("get-sum", { a: 2, b: 3 });
    assert.match(sum.text, /5/);
    assert.equal(sum.isError, false);
  } finally {
    await workbench.stop();
  }
});

test("an agent calls an MCP tool end to end over POST /v1/chat; 100 concurrent conversations share one MCP session", async () => {
  const mock = await startMockOpenAIServer({ respond: toolThenAnswer("echo", (text) => ({ message: text })) });
  const pools = new ConnectionPools();
  const app = defineApp({
    name: "mcp-chat",
    resources: { everything: mcpServer({ name: "everything", stdio: everythingStdio }) },
    models: {
      default: () =>
        new OpenAIChatCompletionClient({ model: "m", baseURL: mock.url, apiKey: "k", connectionPools: pools }),
    },
    agents: {
      helper: ({ models, resources }) =>
        new AssistantAgent({
          name: "helper",
          modelClient: models.default,
          workbench: resources.everything,
          reflectOnToolUse: true,
        }),
    },
  });
  const server = await serve(app, { port: 0, log: () => undefined, store: { kind: "memory" } });
  try {
    const chat = async (message: string) => {
      const response = await fetch(`${server.url}/v1/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message }),
      });
      return { status: response.status, body: (await response.json()) as { reply: string } };
    };
    const first = await chat("hello over MCP");
    assert.equal(first.status, 200);
    assert.equal(first.body.reply, "The tool said: Echo: hello over MCP");
    const replies = await Promise.all(Array.from({ length: 100 }, (_, index) => chat(`conversation ${index}`)));
    replies.forEach((reply, index) => {
      assert.equal(reply.status, 200);
      assert.equal(reply.body.reply, `The tool said: Echo: conversation ${index}`, "its own answer, not another's");
    });
    const workbench = (server.runtime.resources as Record<string, unknown>).everything as McpWorkbench;
    assert.equal(workbench.sessionsOpened, 1, "one MCP session for the 101 conversations");
    // The model was offered the MCP tools, with their schemas passed through.
    const offered = mock.requests.find((request) => request.body?.tools !== undefined)?.body?.tools as {
      function: { name: string; parameters: { properties?: Record<string, unknown> } };
    }[];
    const echo = offered.find((tool) => tool.function.name === "echo");
    assert.ok(echo?.function.parameters.properties?.message !== undefined);
  } finally {
    await server.close();
    pools.close();
    await mock.close();
  }
});

/** The everything server over Streamable HTTP on a port, with what it prints. */
async function startHttpEverything(port: number) {
  const child = spawn(process.execPath, [everythingBin, "streamableHttp"], {
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let printed = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => (printed += chunk));
  await new Promise<void>((resolve, reject) => {
    let said = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      said += chunk;
      if (said.includes("listening")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the server exited (${code}): ${said}`)));
  });
  return {
    printed: () => printed,
    stop: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    },
  };
}

test("Streamable HTTP: the everything server over HTTP; a restarted server that forgot the session is reconnected; stop sends a DELETE", async () => {
  const port = await freePort();
  let server = await startHttpEverything(port);
  const workbench = new McpWorkbench({ name: "everything-http", http: { url: `http://127.0.0.1:${port}/mcp` } });
  try {
    await workbench.start();
    assert.equal((await workbench.callTool("echo", { message: "over http" })).text, "Echo: over http");
    await workbench.ping();
    // A new server process knows no session: it answers 404, which the server never acted on, so the call is sent again.
    await server.stop();
    server = await startHttpEverything(port);
    assert.equal((await workbench.callTool("echo", { message: "again" })).text, "Echo: again");
    assert.equal(workbench.sessionsOpened, 2);
    await workbench.stop();
    assert.equal(workbench.connected, false);
    for (let wait = 0; wait < 50 && !server.printed().includes("session termination"); wait++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(server.printed(), /Received session termination request/);
  } finally {
    await workbench.stop();
    await server.stop();
  }
});

test("every page of tools is listed; names are made valid and kept apart; toolFilter and prefix apply", async () => {
  const server = fixture();
  const all = new McpWorkbench({ name: "fixture", stdio: server.stdio });
  const some = new McpWorkbench({
    name: "fixture-some",
    stdio: server.stdio,
    prefix: "shop_",
    toolFilter: ["lookup.order", "charge"],
  });
  try {
    await all.start();
    assert.deepEqual(
      (await all.listTools()).map((tool) => tool.toolName),
      ["slow", "lookup_order", "charge", "picture", "fail", "grow", "busy"],
    );
    assert.ok(
      server.events().filter((line) => line.startsWith("list")).length >= 4,
      "four pages of two were asked for",
    );
    await some.start();
    assert.deepEqual(
      some.tools().map((tool) => tool.name),
      ["shop_lookup_order", "shop_charge"],
    );
    assert.equal((await some.callTool("shop_lookup_order", { id: "A1" })).text, "order A1: shipped");
  } finally {
    await all.stop();
    await some.stop();
    server.remove();
  }
});

test("results: images and links described, text joined; isError reaches the model as a tool error", async () => {
  const server = fixture();
  const workbench = new McpWorkbench({ name: "fixture", stdio: server.stdio });
  try {
    await workbench.start();
    assert.equal(
      (await workbench.callTool("picture")).text,
      'a red dot\n[image image/png, 16 bytes]\n[resource link file:///dot.png "dot"]',
    );
    const failed = await workbench.callTool("fail");
    assert.equal(failed.isError, true);
    const tool = workbench.tools().find((candidate) => candidate.name === "fail");
    await assert.rejects(
      Promise.resolve(
        tool?.execute({}, { signal: new AbortController().signal, callId: "c1", context: {}, run: {} as never }),
      ),
      /the card was declined/,
    );
  } finally {
    await workbench.stop();
    server.remove();
  }
});

test("an aborted run cancels its MCP call on the server", async () => {
  const server = fixture();
  const workbench = new McpWorkbench({ name: "fixture", stdio: server.stdio });
  try {
    await workbench.start();
    const controller = new AbortController();
    const call = workbench.callTool("slow", { ms: 10_000 }, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    await assert.rejects(call, (error) => HearthError.is(error, "HEARTH_ABORTED"));
    for (let wait = 0; wait < 50 && !server.events().includes("cancelled slow"); wait++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(server.events().includes("cancelled slow"), "the server saw notifications/cancelled");
    assert.equal((await workbench.callTool("lookup_order", { id: "B2" })).text, "order B2: shipped", "still usable");
  } finally {
    await workbench.stop();
    server.remove();
  }
});

test("a server that exits mid-call: a read-only call is repeated on a new session, another is not; later calls reconnect", async () => {
  const server = fixture({ FIXTURE_EXIT_AFTER: "2" });
  const workbench = new McpWorkbench({ name: "fixture", stdio: server.stdio });
  try {
    await workbench.start();
    assert.equal((await workbench.callTool("lookup_order", { id: "A1" })).text, "order A1: shipped");
    // The second call makes the server exit before answering: read-only, so it is sent again.
    assert.equal((await workbench.callTool("lookup_order", { id: "A2" })).text, "order A2: shipped");
    assert.equal(workbench.sessionsOpened, 2);
    // A new process counts from one again: its second call is a charge, which is not repeated.
    assert.equal((await workbench.callTool("lookup_order", { id: "A3" })).text, "order A3: shipped");
    await assert.rejects(workbench.callTool("charge", { id: "C1" }), (error) => {
      assert.ok(HearthError.is(error, "HEARTH_MCP_UNAVAILABLE"));
      assert.match(error.message, /not repeated/);
      return true;
    });
    assert.equal(server.events().filter((line) => line === "call charge").length, 1, "charged once at most");
    assert.equal((await workbench.callTool("lookup_order", { id: "A4" })).text, "order A4: shipped");
  } finally {
    await workbench.stop();
    server.remove();
  }
});

test("a server killed under load: 40 concurrent read-only calls all answered, on one new session", async () => {
  const server = fixture({ FIXTURE_EXIT_AFTER: "10", FIXTURE_EXIT_ONCE: "1" });
  const workbench = new McpWorkbench({ name: "fixture", stdio: server.stdio });
  try {
    await workbench.start();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, index) => workbench.callTool("lookup_order", { id: `L${index}` })),
    );
    for (const [index, answer] of answers.entries()) assert.equal(answer.text, `order L${index}: shipped`);
    assert.ok(server.events().includes("exit"), "the server did exit mid-load");
    assert.equal(workbench.sessionsOpened, 2, "the calls cut off waited for one reconnect");
  } finally {
    await workbench.stop();
    server.remove();
  }
});

test("a server's own error with the code the SDK uses for a closed connection is not taken for a lost session", async () => {
  const server = fixture();
  const workbench = new McpWorkbench({ name: "fixture", stdio: server.stdio });
  try {
    await workbench.start();
    await assert.rejects(workbench.callTool("busy"), (error) => {
      assert.ok(HearthError.is(error, "HEARTH_MCP_UNAVAILABLE"));
      assert.match(error.message, /the fixture is busy/);
      assert.doesNotMatch(error.message, /went away/);
      return true;
    });
    assert.equal((await workbench.callTool("lookup_order", { id: "A1" })).text, "order A1: shipped");
    assert.equal(workbench.sessionsOpened, 1, "the session was kept: no reconnect");
  } finally {
    await workbench.stop();
    server.remove();
  }
});

test("callers waiting for one connect: one giving up does not fail the others", async () => {
  const server = fixture();
  const workbench = new McpWorkbench({ name: "fixture", stdio: server.stdio });
  try {
    const impatient = new AbortController();
    const first = workbench.callTool("lookup_order", { id: "A1" }, { signal: impatient.signal });
    const second = workbench.callTool("lookup_order", { id: "A2" });
    impatient.abort();
    await assert.rejects(first, (error) => HearthError.is(error, "HEARTH_ABORTED"));
    assert.equal((await second).text, "order A2: shipped");
    assert.equal(workbench.sessionsOpened, 1);
  } finally {
    await workbench.stop();
    server.remove();
  }
});

test("tools/list_changed: the list is fetched again, and the new tool can be called", async () => {
  const server = fixture();
  const workbench = new McpWorkbench({ name: "fixture", stdio: server.stdio });
  try {
    await workbench.start();
    const version = workbench.toolsVersion;
    assert.ok(!workbench.tools().some((tool) => tool.name === "extra"));
    await workbench.callTool("grow");
    for (let wait = 0; wait < 50 && workbench.toolsVersion === version; wait++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(workbench.tools().some((tool) => tool.name === "extra"));
    assert.equal((await workbench.callTool("extra")).text, "extra here");
    assert.equal(server.events().filter((line) => line.startsWith("list 0")).length, 2, "listed again, once");
  } finally {
    await workbench.stop();
    server.remove();
  }
});

test("a required server that cannot start fails startup, naming it and what it said; an optional one leaves the runtime degraded and named", async () => {
  const broken = {
    command: process.execPath,
    args: ["-e", "console.error('no such folder: /policies'); process.exit(2)"],
  };
  const failing = defineApp({
    name: "mcp-required",
    resources: { docs: mcpServer({ name: "docs", stdio: broken, timeoutMs: 5_000 }) },
  });
  await assert.rejects(serve(failing, { port: 0, log: () => undefined, store: { kind: "memory" } }), (error: Error) => {
    assert.ok(HearthError.is(error, "HEARTH_STARTUP_FAILED"));
    assert.match(error.message, /MCP server "docs"/);
    assert.match(error.message, /no such folder/);
    return true;
  });
  const degraded = defineApp({
    name: "mcp-optional",
    warmup: { attempts: 1 },
    resources: { docs: mcpServer({ name: "docs", stdio: broken, required: false, timeoutMs: 5_000 }) },
  });
  const server = await serve(degraded, { port: 0, log: () => undefined, store: { kind: "memory" } });
  try {
    assert.equal(server.runtime.state, "degraded");
    const health = await server.runtime.health();
    const docs = Object.entries(health.checks).find(([name]) => name.includes("docs"));
    assert.equal(docs?.[1].ok, false, JSON.stringify(health.checks));
  } finally {
    await server.close();
  }
});

test("an app without MCP loads none of it", async () => {
  const mock = await startMockOpenAIServer();
  try {
    const { code, loaded } = await modulesLoadedServing(/modelcontextprotocol|\/mcp\//, {
      OPENAI_BASE_URL: mock.url,
      OPENAI_API_KEY: "k",
      OPENAI_MODEL: "m",
    });
    assert.equal(code, 0);
    assert.deepEqual(loaded, []);
  } finally {
    await mock.close();
  }
});

test("warm-up: synthetic turns never call an MCP tool; the app's warmupCalls are the only calls made before ready; the trace shows each part", async () => {
  const server = fixture();
  const mock = await startMockOpenAIServer();
  const pools = new ConnectionPools();
  const app = defineApp({
    name: "mcp-warm",
    resources: {
      shop: mcpServer({
        name: "shop",
        stdio: server.stdio,
        warmupCalls: [{ tool: "lookup.order", arguments: { id: "warm" } }],
      }),
    },
    models: {
      default: () =>
        new OpenAIChatCompletionClient({ model: "m", baseURL: mock.url, apiKey: "k", connectionPools: pools }),
    },
    agents: {
      helper: ({ models, resources }) =>
        new AssistantAgent({ name: "helper", modelClient: models.default, workbench: resources.shop }),
    },
  });
  const served = await serve(app, { port: 0, log: () => undefined, store: { kind: "memory" } });
  try {
    assert.deepEqual(
      server.events().filter((line) => line.startsWith("call")),
      ["call lookup.order"],
      "the warm-up call, and nothing the synthetic turns made",
    );
    const steps = served.runtime.startupTrace().steps.map((step) => `${step.kind}:${step.name}`);
    for (const step of ["resource:shop", "resource:shop/spawn+initialize", "resource:shop/list-tools"])
      assert.ok(steps.includes(step), `${step} in ${steps.join(", ")}`);
  } finally {
    await served.close();
    pools.close();
    await mock.close();
    server.remove();
  }
  assert.throws(() => mcpServer({ name: "bad", stdio: { command: "x" }, warmupCalls: [{}] as never }), {
    field: "warmupCalls",
  });
  assert.throws(() => mcpServer({ name: "bad" } as never), { field: "stdio" });
});

test("per-tenant servers: each tenant's stack starts its own server with its credentials, and closes it when evicted", async () => {
  const servers = new Map<string, ReturnType<typeof fixture>>();
  const workbenches = new Map<string, McpWorkbench>();
  const mock = await startMockOpenAIServer({
    respond: toolThenAnswer("whoami_lookup_order", () => ({ id: "T1" })),
  });
  const pools = new ConnectionPools();
  const app = defineApp({
    name: "mcp-tenants",
    tenants: {
      resolve: (apiKey) => (apiKey.startsWith("key-") ? apiKey.slice("key-".length) : undefined),
      credentials: (tenantId) => ({ token: `token-of-${tenantId}` }),
      build: async ({ tenantId, credentials }) => {
        const server = fixture({ FIXTURE_TOKEN: credentials.token ?? "" });
        servers.set(tenantId, server);
        const workbench = new McpWorkbench({ name: `shop-${tenantId}`, stdio: server.stdio, prefix: "whoami_" });
        await workbench.start();
        workbenches.set(tenantId, workbench);
        const modelClient = new OpenAIChatCompletionClient({
          model: "m",
          baseURL: mock.url,
          apiKey: "k",
          connectionPools: pools,
        });
        return {
          agents: {
            helper: new AssistantAgent({ name: "helper", modelClient, workbench, reflectOnToolUse: true }),
          },
          close: () => workbench.stop(),
        };
      },
    },
  });
  const served = await serve(app, { port: 0, log: () => undefined, store: { kind: "memory" } });
  try {
    for (const tenant of ["acme", "globex"]) {
      const response = await fetch(`${served.url}/v1/chat`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer key-${tenant}` },
        body: JSON.stringify({ message: "where is my order?" }),
      });
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { reply: string }).reply, "The tool said: order T1: shipped");
    }
    assert.equal(workbenches.size, 2, "one server per tenant");
    for (const tenant of ["acme", "globex"]) {
      const events = servers.get(tenant)?.events() ?? [];
      assert.ok(events.includes(`token token-of-${tenant}`), "started with the tenant's own credential");
      assert.ok(events.includes("call lookup.order"), "and called for that tenant");
    }
    await served.runtime.tenants?.invalidate("acme");
    assert.equal(workbenches.get("acme")?.connected, false, "closed with its stack");
    assert.equal(workbenches.get("globex")?.connected, true);
  } finally {
    await served.close();
    pools.close();
    await mock.close();
    for (const server of servers.values()) server.remove();
  }
  assert.equal(workbenches.get("globex")?.connected, false, "closed with the runtime");
});
