// The DNS cache learns a provider's TTL from a real DNS server (a small one over UDP on loopback,
// below), keeps the address that long and no longer, and leaves a name it cannot learn a TTL for to
// the lookup each time.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import type { LookupAddress } from "node:dns";
import { test } from "node:test";
import { startMockOpenAIServer } from "../testing/mock-openai-server.ts";
import { ConnectionPools } from "./connection-pools.ts";
import { OpenAIChatCompletionClient } from "./openai/openai-client.ts";

/**
 * Answers A queries for the names it knows with 127.0.0.1 and their TTL; AAAA with no records;
 * anything else with NXDOMAIN. Counts the queries it gets.
 */
async function startDnsServer(ttls: Record<string, number>) {
  const socket = createSocket("udp4");
  const queries: string[] = [];
  socket.on("message", (query, from) => {
    const labels: string[] = [];
    let offset = 12;
    while (query[offset] !== 0) {
      const length = query[offset] as number;
      labels.push(query.subarray(offset + 1, offset + 1 + length).toString("ascii"));
      offset += length + 1;
    }
    const questionEnd = offset + 5;
    const type = query.readUInt16BE(offset + 1);
    const name = labels.join(".");
    queries.push(`${type === 1 ? "A" : type === 28 ? "AAAA" : type} ${name}`);
    const ttl = ttls[name];
    const answers = ttl !== undefined && type === 1 ? 1 : 0;
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0);
    header.writeUInt16BE(ttl === undefined ? 0x8183 : 0x8180, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers, 6);
    const answer = Buffer.alloc(answers === 1 ? 16 : 0);
    if (answers === 1) {
      answer.writeUInt16BE(0xc00c, 0);
      answer.writeUInt16BE(1, 2);
      answer.writeUInt16BE(1, 4);
      answer.writeUInt32BE(ttl as number, 6);
      answer.writeUInt16BE(4, 10);
      Buffer.from([127, 0, 0, 1]).copy(answer, 12);
    }
    socket.send(Buffer.concat([header, query.subarray(12, questionEnd), answer]), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { server: `127.0.0.1:${socket.address().port}`, queries, close: () => socket.close() };
}

/** A lookup that answers 127.0.0.1 for every name and counts its calls: the system's would not know the test's names. */
function countingLookup() {
  const calls: string[] = [];
  const lookup = (
    hostname: string,
    _options: unknown,
    callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
  ) => {
    calls.push(hostname);
    process.nextTick(() => callback(null, [{ address: "127.0.0.1", family: 4 }]));
  };
  return { calls, lookup };
}

/** Opens a new connection to `host` each call: the pool's idle sockets are closed first. */
async function connectFresh(pools: ConnectionPools, client: OpenAIChatCompletionClient, url: URL) {
  for (const sockets of Object.values(pools.forOrigin(url).freeSockets))
    for (const socket of sockets ?? []) socket.destroy();
  await client.warmup();
}

async function setUp(host: string, ttls: Record<string, number>) {
  const dns = await startDnsServer(ttls);
  const mock = await startMockOpenAIServer();
  const { calls, lookup } = countingLookup();
  const pools = new ConnectionPools({ dns: { servers: [dns.server], lookup } });
  const url = new URL(`http://${host}:${mock.port}/v1`);
  const client = new OpenAIChatCompletionClient({ model: "m", baseURL: url.href, apiKey: "k", connectionPools: pools });
  return {
    dns,
    mock,
    calls,
    pools,
    connect: () => connectFresh(pools, client, url),
    close: async () => {
      pools.close();
      dns.close();
      await mock.close();
    },
  };
}

test("an address is looked up once and kept within its TTL; after the TTL it is looked up again", async () => {
  const setup = await setUp("model.hearth.test", { "model.hearth.test": 1 });
  try {
    await setup.connect();
    // The TTL query runs alongside the first lookup; let it land.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await setup.connect();
    await setup.connect();
    assert.equal(setup.mock.connectionCount, 3, "three connections");
    assert.deepEqual(setup.calls, ["model.hearth.test"], "one lookup for the three");
    assert.deepEqual(setup.dns.queries.sort(), ["A model.hearth.test", "AAAA model.hearth.test"]);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await setup.connect();
    assert.equal(setup.calls.length, 2, "the TTL of 1 s ran out: looked up again");
  } finally {
    await setup.close();
  }
});

test("a name whose TTL cannot be learnt (the DNS server does not know it) is looked up for each connection, and not asked about again for a while", async () => {
  const setup = await setUp("unknown.hearth.test", {});
  try {
    await setup.connect();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await setup.connect();
    await setup.connect();
    assert.equal(setup.calls.length, 3);
    assert.deepEqual(setup.dns.queries.sort(), ["A unknown.hearth.test", "AAAA unknown.hearth.test"], "asked once");
  } finally {
    await setup.close();
  }
});

test("localhost is left to the lookup, and no DNS query is sent for it", async () => {
  const setup = await setUp("localhost", { localhost: 300 });
  try {
    await setup.connect();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await setup.connect();
    assert.equal(setup.calls.length, 2);
    assert.deepEqual(setup.dns.queries, []);
  } finally {
    await setup.close();
  }
});

test("dns servers that are not addresses are refused when the pools are made", () => {
  assert.throws(() => new ConnectionPools({ dns: { servers: ["not an address"] } }), { field: "dns.servers" });
  assert.throws(() => new ConnectionPools({ dns: { maxTtlMs: -1 } }), { field: "dns.maxTtlMs" });
});
