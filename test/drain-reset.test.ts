// The end of a drain answers a request a client has already sent with 503; it never resets it.
// Closing the listener resets any connection still in the kernel's accept queue, so the server
// holds requests while connections keep arriving, then closes, then answers the held ones.
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import { AssistantAgent, defineApp, MemorySessionStore, resource } from "hearth";
import { serve } from "hearth/node";
import { ScriptedModelClient } from "hearth/testing";

/** A server whose drain stops, until released, at a resource's close: after the runtime drains, before the listener closes. */
async function gatedServer() {
  let release!: () => void;
  let reached!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const atGate = new Promise<void>((resolve) => (reached = resolve));
  const app = defineApp({
    name: "drain_reset",
    resources: {
      gate: resource({
        init: () => ({}),
        close: () => {
          reached();
          return gate;
        },
      }),
    },
    models: { default: () => new ScriptedModelClient() },
    agents: { echo: ({ models }) => new AssistantAgent({ name: "echo", modelClient: models.default }) },
  });
  const server = await serve(app, {
    port: 0,
    store: new MemorySessionStore(),
    log: () => {},
    runtime: { log: () => {}, closeConnectionPools: false },
  });
  return { server, atGate, release };
}

const request =
  'POST /v1/chat HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 16\r\n\r\n{"message":"hi"}';

/** Everything the server sends on a socket, or the error that ended it. */
function answerOn(socket: Socket): Promise<string> {
  let text = "";
  socket.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
  return new Promise((resolve) => {
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(`error ${error.code}`));
    socket.on("close", () => resolve(text));
  });
}

test("a connection the kernel has queued when the drain ends is answered 503, not reset", async () => {
  const { server, atGate, release } = await gatedServer();
  const closed = server.close({ deadlineMs: 1_000 });
  await atGate;
  // connect(2) happens on the next tick: the kernel queues the connection and nobody has accepted it
  // when the drain goes on; released after it, no poll phase runs before the old code closed the listener.
  const socket = connect(server.port, "127.0.0.1");
  socket.write(request);
  const answer = answerOn(socket);
  process.nextTick(release);
  assert.match(await answer, /^HTTP\/1\.1 503 [\s\S]*connection: close[\s\S]*HEARTH_RUNTIME_CLOSED/i);
  await closed;
});

test("a connection accepted but not read yet when the drain ends is answered 503, not destroyed", async () => {
  const { server, atGate, release } = await gatedServer();
  const accepted = once(server.server, "connection");
  const socket = connect(server.port, "127.0.0.1");
  await Promise.all([once(socket, "connect"), accepted]);
  const answer = answerOn(socket);
  const closed = server.close({ deadlineMs: 1_000 });
  await atGate;
  release();
  await server.runtime.close();
  socket.write(request);
  assert.match(await answer, /^HTTP\/1\.1 503 [\s\S]*connection: close[\s\S]*HEARTH_RUNTIME_CLOSED/i);
  await closed;
});
