// The playground in a real headless browser: Playwright driving Debian's Chromium against the
// support agent served with `playground: true`, its model hearth's mock server on loopback.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { defineApp, OpenAIChatCompletionClient } from "hearth";
import { type HearthServer, serve } from "hearth/node";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import { createSupportAgent, loadOrders, loadPolicy } from "../examples/support/support-agent.ts";
import { supportModel } from "../examples/support/support-model.ts";
import { playgroundHtml } from "../src/server/playground/page.ts";
import { modulesLoadedServing } from "./support/loaded-modules.ts";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// CI installs Chromium and sets HEARTH_REQUIRE_CHROMIUM: there, a missing browser fails the tests.
const skip =
  !existsSync(chromiumPath) && process.env.HEARTH_REQUIRE_CHROMIUM !== "1"
    ? `no Chromium at ${chromiumPath} (apt-get install chromium)`
    : false;
const key = "sk-playground-key";

let mock: MockOpenAIServer;
let server: HearthServer;
let browser: Browser | undefined;

before(async () => {
  mock = await startMockOpenAIServer({ respond: supportModel, chunkDelayMs: 2 });
  const orders = loadOrders();
  const policy = loadPolicy();
  const app = defineApp({
    name: "shop",
    auth: { apiKeys: { [key]: "front" } },
    models: {
      default: () => new OpenAIChatCompletionClient({ model: "support-mock", baseURL: mock.url, apiKey: "sk-mock" }),
    },
    agents: {
      support_agent: ({ models }) => createSupportAgent({ modelClient: models.default, orders, policy, stream: true }),
    },
  });
  server = await serve(app, { port: 0, log: () => undefined, store: { kind: "memory" }, playground: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await mock?.close();
});

test("the page loads, 'Where is order A123?' is sent, the streamed reply and the tool call appear", {
  skip,
}, async () => {
  const profile = mkdtempSync(join(tmpdir(), "hearth-chromium-"));
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      // This machine's network is closed: Chromium's own background connections are turned off.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.goto(`${server.url}/playground`);
    // Without the key the page says what the server answered; with it, it loads.
    await page.locator("#status.error").waitFor();
    assert.match((await page.locator("#status").textContent()) ?? "", /401/);
    // Those 401s are the only resources the page failed to load.
    assert.ok(errors.length > 0 && errors.every((error) => error.includes("401")), errors.join("\n"));
    errors.length = 0;
    await page.fill("#key", key);
    await page.locator("#key").dispatchEvent("change");
    await page.locator("body[data-ready=true]").waitFor();
    assert.deepEqual(await page.locator("#runner option").allTextContents(), ["agent: support_agent"]);
    assert.ok((await page.locator("#startup svg rect").count()) > 3, "the startup waterfall is drawn");

    await page.fill("#input", "Where is order A123?");
    await page.click("#send");
    const tool = page.locator(".message.assistant .tool");
    await tool.locator(".tool-result", { hasText: "JD014600006281" }).waitFor();
    assert.match((await tool.locator(".tool-name").textContent()) ?? "", /support_agent calls lookup_order/);
    assert.equal(await tool.locator(".tool-args").textContent(), '{"order_id":"A123"}');
    const reply = page.locator(".message.assistant .text .body", { hasText: "has shipped" });
    await reply.waitFor();
    assert.match((await reply.textContent()) ?? "", /Order A123 has shipped with .* \(tracking JD014600006281\)/);
    // The reply came as the model wrote it: in many deltas, into one text part, after the tool call.
    const part = page.locator(".message.assistant .text");
    assert.equal(await part.count(), 1);
    assert.ok(Number(await part.getAttribute("data-deltas")) > 3);
    // The stored session and the request's timings follow the turn.
    await page.locator("#session", { hasText: "tool-call-execution" }).waitFor();
    await page.locator("#requests tbody tr", { hasText: "POST /v1/chat" }).first().waitFor();
    assert.match((await page.locator("#session-id").textContent()) ?? "", /^session [\w-]+$/);

    // The next message continues the session.
    await page.fill("#input", "And order B201?");
    await page.click("#send");
    await page.locator(".message.assistant .tool .tool-result", { hasText: "B201" }).waitFor();
    await page.locator("#send:not([disabled])").waitFor();
    const session = JSON.parse((await page.locator("#session").textContent()) ?? "{}") as {
      messages: { type: string }[];
    };
    assert.equal(session.messages.filter((message) => message.type === "tool-call-execution").length, 2);
    assert.deepEqual(errors, []);

    // `HEARTH_SCREENSHOT=docs/playground.png npm test` refreshes the docs' screenshot.
    const screenshot = process.env.HEARTH_SCREENSHOT ?? join(profile, "playground.png");
    await page.screenshot({ path: screenshot });
    assert.ok(existsSync(screenshot));
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});

test("the page and script are public and locked down; the data behind them needs the key", async () => {
  const page = await fetch(`${server.url}/playground`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
  assert.match(await page.text(), /<script src="\/playground\/app.js">/);
  assert.equal((await fetch(`${server.url}/playground/app.js`)).status, 200);
  for (const part of ["runners", "startup.svg", "requests"]) {
    assert.equal((await fetch(`${server.url}/playground/${part}`)).status, 401, part);
    const answered = await fetch(`${server.url}/playground/${part}`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(answered.status, 200, part);
  }
  assert.equal(
    (await fetch(`${server.url}/playground/nothing`, { headers: { authorization: `Bearer ${key}` } })).status,
    404,
  );
  assert.equal((await fetch(`${server.url}/playground`, { method: "POST" })).status, 405);
  // Under a base path, the page names its script there.
  assert.match(playgroundHtml("/agents"), /<script src="\/agents\/playground\/app.js">/);
});

test("off by default: /playground is a 404 and its code is never loaded", async () => {
  const { code, loaded, status } = await modulesLoadedServing(
    /playground/,
    { OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: "k", OPENAI_MODEL: "m" },
    "/playground",
  );
  assert.equal(code, 0);
  assert.equal(status, 404);
  assert.deepEqual(loaded, []);
});

test("a wrong playground option is refused before the server starts", async () => {
  await assert.rejects(
    serve(defineApp({ name: "x", agents: {} }), { port: 0, playground: "yes" as never, store: { kind: "memory" } }),
    /`playground` must be true or false/,
  );
});
