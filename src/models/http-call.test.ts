import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, test } from "node:test";
import { HearthError } from "../core/errors.ts";
import { withNetworkRefused } from "../internal/synthetic-tripwire.ts";
import { ConnectionPools } from "./connection-pools.ts";
import { HttpCall } from "./http-call.ts";

// A server whose body arrives in two parts, the second only when asked for.
let server: Server;
let url: URL;
let release: (() => void) | undefined;
let received = 0;
const pools = new ConnectionPools();

before(async () => {
  server = createServer((_request, response) => {
    received += 1;
    response.writeHead(200, { "content-type": "application/json" });
    response.write('{"a":');
    release = () => response.end("1}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/v1/x`);
});
after(async () => {
  pools.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const call = () =>
  new HttpCall({ url, provider: "test", method: "GET", headers: {}, pool: pools.forOrigin(url), timeoutMs: 5_000 });

test("readText reads a body that arrives in parts", async () => {
  const exchange = call();
  await exchange.open();
  const text = exchange.readText();
  release?.();
  assert.equal(await text, '{"a":1}');
});

test("readText on a response already destroyed fails at once instead of waiting for events that are gone", async () => {
  const exchange = call();
  await exchange.open();
  exchange.dispose();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await assert.rejects(exchange.readText(), (error) => HearthError.is(error));
});

test("inside a synthetic warm-up turn no call leaves the process", async () => {
  const before = received;
  await assert.rejects(
    withNetworkRefused(() => call().open()),
    (error: unknown) =>
      HearthError.is(error, "HEARTH_INTERNAL") &&
      /synthetic warm-up turn tried to call the model provider "test"/.test((error as Error).message),
  );
  assert.equal(received, before, "the server saw nothing");
});
