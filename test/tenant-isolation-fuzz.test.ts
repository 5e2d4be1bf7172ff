// Tenants never reach each other's sessions, whatever session ids and keys a client makes up: a
// seeded fuzz against a real server (memory store with `auth.apiKeys`, SQLite with
// `tenants.resolve`). Session ids: random, another tenant's (exact, case changed, one character
// changed, with a prefix or suffix), unicode, percent-encoded, with `../`, very long. Keys: near
// misses of real ones (one character changed, cut short, lengthened, case changed, with whitespace
// inside), other schemes, empty, very long, and the real ones written every way HTTP allows. No
// tenant reads, continues, lists or deletes another's session, and a key the app does not know is
// always 401. The seed is printed; HEARTH_FUZZ_SEED=<seed> replays a run.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { AssistantAgent, defineApp, OpenAIChatCompletionClient } from "hearth";
import { type HearthServer, serve } from "hearth/node";
import { type MockOpenAIServer, startMockOpenAIServer } from "hearth/testing";
import { seededRandom } from "./support/seeded-random.ts";

const seed = Number(process.env.HEARTH_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const operations = 400;

type Random = ReturnType<typeof seededRandom>;

// Tenant 1's key is tenant 0's with its case changed, and its name is tenant 0's upper-cased: a
// near miss of one tenant's key is another tenant's, which must get that tenant, not the first.
const tenants = [
  { name: "acme", keys: ["hk_acme_7Qm2xR9vL4pT8sW1", "hk_acme_second_k3Y6nB0cF5"] },
  { name: "ACME", keys: ["HK_ACME_7QM2XR9VL4PT8SW1"] },
  { name: "globex", keys: ["hk_globex_Zt5Hq8Lw2Nc4Vb7"] },
  { name: "açme/../globex", keys: ["hk-unicode-tenant-9f8e7d6c5b4a"] },
] as const;
const tenantByKey = new Map<string, number>(
  tenants.flatMap((tenant, index) => tenant.keys.map((key) => [key, index] as const)),
);
const idCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
const sessionPattern = /^\/v1\/sessions\/([A-Za-z0-9_-]{1,128})$/;

let mock: MockOpenAIServer;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
before(async () => {
  mock = await startMockOpenAIServer();
});
after(async () => {
  agent.destroy();
  await mock.close();
});

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly sessionHeader: string | undefined;
}

/** A request with its target and headers as given: no client-side normalisation of `../` or encoding. */
function send(
  server: HearthServer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> {
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: "127.0.0.1",
        port: server.port,
        method,
        path,
        agent,
        headers: { ...headers, ...(data === undefined ? {} : { "content-type": "application/json" }) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString("utf8"),
            sessionHeader: response.headers["x-session-id"] as string | undefined,
          }),
        );
      },
    );
    outgoing.on("error", (error) =>
      reject(new Error(`${method} ${path.slice(0, 80)}: ${error.message} (HEARTH_FUZZ_SEED=${seed})`)),
    );
    outgoing.end(data);
  });
}

/** A header value as Node sends it: text beyond Latin-1 goes as its UTF-8 bytes, as a client's would. */
const asHeader = (text: string) => Buffer.from(text, "utf8").toString("latin1");

function randomId(random: Random, length = 1 + random.below(24)): string {
  let id = "";
  for (let index = 0; index < length; index++) id += random.pick(idCharacters);
  return id;
}

function swapCase(text: string): string {
  return [...text].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");
}

function changeOne(random: Random, text: string): string {
  if (text.length === 0) return random.pick(idCharacters);
  const at = random.below(text.length);
  let replacement = random.pick(idCharacters);
  while (replacement === text[at]) replacement = random.pick(idCharacters);
  return text.slice(0, at) + replacement + text.slice(at + 1);
}

/** A key near a real one, or something else that is not a key: it may happen to be another tenant's, which the oracle knows. */
function nearKey(random: Random, key: string): string {
  switch (random.below(12)) {
    case 0:
      return changeOne(random, key);
    case 1:
      return key.slice(0, 1 + random.below(key.length - 1));
    case 2:
      return key.slice(1 + random.below(key.length - 1));
    case 3:
      return key + random.pick(idCharacters);
    case 4:
      return random.pick(idCharacters) + key;
    case 5:
      return swapCase(key);
    case 6: {
      const at = random.below(key.length);
      return key.slice(0, at) + swapCase(key.slice(at, at + 1)) + key.slice(at + 1);
    }
    case 7:
      return key + key;
    case 8:
      return `${key}${"x".repeat(500 + random.below(6_000))}`;
    case 9:
      return `${key}é`;
    case 10:
      return `${key.slice(0, -1)}😀`;
    default:
      return randomId(random, 8 + random.below(40));
  }
}

/** An Authorization header and the tenant it must give (undefined: 401). */
function authorization(random: Random): { header: string | undefined; tenant: number | undefined } {
  const key = random.pick(tenants.flatMap((tenant) => tenant.keys));
  const scheme = random.pick(["Bearer", "bearer", "BEARER", "bEaReR"]);
  const space = random.pick([" ", "  ", "\t", " \t "]);
  const trailing = random.pick(["", "", " ", "\t"]);
  switch (random.below(10)) {
    case 0:
    case 1:
    case 2: {
      // A real key, written any way HTTP and the Bearer scheme allow.
      return { header: `${scheme}${space}${key}${trailing}`, tenant: tenantByKey.get(key) };
    }
    case 3:
    case 4:
    case 5: {
      const near = nearKey(random, key);
      return { header: asHeader(`${scheme}${space}${near}`), tenant: tenantByKey.get(near) };
    }
    case 6: {
      // Whitespace inside the key: not one token.
      const at = 1 + random.below(key.length - 2);
      return { header: `Bearer ${key.slice(0, at)}${random.pick([" ", "\t"])}${key.slice(at)}`, tenant: undefined };
    }
    case 7:
      return {
        header: random.pick([
          key,
          `Basic ${key}`,
          `Token ${key}`,
          `Bearer:${key}`,
          `Bearer=${key}`,
          `${key} Bearer`,
          `Bearer ${key} ${key}`,
          `Bearer${key}`,
          `Basic ${Buffer.from(`${key}:`).toString("base64")}`,
        ]),
        tenant: undefined,
      };
    case 8:
      return { header: random.pick(["", "Bearer", "Bearer ", " ", `Bearer ${"k".repeat(8_000)}`]), tenant: undefined };
    default:
      return { header: undefined, tenant: undefined };
  }
}

/** A session id a client might send: another tenant's (or its own), a variant of one, or junk. */
function sessionId(random: Random, known: readonly string[]): string {
  const some = known.length > 0 ? random.pick(known) : randomId(random);
  switch (random.below(14)) {
    case 0:
    case 1:
    case 2:
      return some;
    case 3:
      return swapCase(some);
    case 4:
      return changeOne(random, some);
    case 5:
      return `${some}${random.pick(idCharacters)}`;
    case 6:
      return some.slice(0, Math.max(1, some.length - 1));
    case 7:
      return random.pick(["shared-1", "ticket-1", "SHARED-1", "session"]);
    case 8:
      return randomId(random);
    case 9:
      return random.pick(["sés-1", "😀", "ticket‐1", "ｔｉｃｋｅｔ", "a\u200bb", "تذكرة"]);
    case 10:
      return random.pick([`../${some}`, `${some}/..`, "..", ".", `%2e%2e%2f${some}`, `${some}%00`]);
    case 11:
      return random.pick(["a".repeat(129), randomId(random, 128), "z".repeat(5_000)]);
    case 12:
      return random.pick(["", " ", `${some} `, `${some}\n`]);
    default:
      return random.pick(["constructor", "__proto__", "toString", "hasOwnProperty"]);
  }
}

/** The ways a client might write the path of a session: raw, encoded, dotted, doubled. */
function sessionPath(random: Random, id: string): string {
  const encoded = encodeURIComponent(id);
  const everyCharacter = [...Buffer.from(id)].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");
  const plain = /^[\x21-\x7e]*$/.test(id) && !/[?#]/.test(id) ? id : encoded;
  return random.pick([
    `/v1/sessions/${plain}`,
    `/v1/sessions/${plain}`,
    `/v1/sessions/${encoded}`,
    `/v1/sessions/${everyCharacter}`,
    `/v1/sessions/../sessions/${plain}`,
    `/v1/sessions/x/../${plain}`,
    `/v1/sessions/%2e%2e/sessions/${plain}`,
    `/v1/sessions/./${plain}`,
    `/v1//sessions/${plain}`,
    `/v1/sessions/${plain}/`,
    `/v1/sessions/${plain}?tenant=acme`,
    `/v1/sessions/${plain}#x`,
    `/V1/sessions/${plain}`,
    `/v1/sessions/${plain}/..`,
  ]);
}

/** The session id a path names, as the WHATWG URL parser (and so hearth) reads it; undefined: no session route. */
function idOfPath(path: string): string | undefined {
  return sessionPattern.exec(new URL(path, "http://localhost").pathname)?.[1];
}

/** What each tenant has, by the test's own account: session ids and the turns each has had. */
class Ledger {
  readonly turns = tenants.map(() => new Map<string, number>());
  /** Every session id a tenant's own requests named: its playground list may show only these. */
  readonly named = tenants.map(() => new Set<string>());
  owns(tenant: number, id: string): boolean {
    return this.turns[tenant]?.has(id) === true;
  }
  turn(tenant: number, id: string): void {
    const turns = this.turns[tenant] as Map<string, number>;
    turns.set(id, (turns.get(id) ?? 0) + 1);
  }
  allIds(): string[] {
    return [...new Set(this.turns.flatMap((turns) => [...turns.keys()]))];
  }
}

/** The tenant indexes whose markers a text carries. */
function markersIn(text: string): Set<number> {
  return new Set([...text.matchAll(/tenant(\d+)-msg-\d+/g)].map((match) => Number(match[1])));
}

function startApp(mode: "apiKeys" | "tenants", storeDirectory: string | undefined) {
  const modelClient = () => new OpenAIChatCompletionClient({ model: "mock", baseURL: mock.url, apiKey: "sk-fuzz-00" });
  const keys = Object.fromEntries(tenants.flatMap((tenant) => tenant.keys.map((key) => [key, tenant.name])));
  const lookup = new Map(Object.entries(keys));
  const app =
    mode === "apiKeys"
      ? defineApp({
          name: "isolation",
          auth: { apiKeys: keys },
          models: { default: modelClient },
          agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
        })
      : defineApp({
          name: "isolation",
          tenants: {
            resolve: (key) => lookup.get(key),
            build: () => ({ agents: { helper: new AssistantAgent({ name: "helper", modelClient: modelClient() }) } }),
          },
        });
  return serve(app, {
    port: 0,
    store:
      storeDirectory === undefined ? { kind: "memory" } : { kind: "sqlite", path: join(storeDirectory, "sessions.db") },
    log: () => undefined,
    playground: true,
    runtime: { closeConnectionPools: false },
  });
}

/** Each route but the probes, with a body for a chat turn that says `message`. */
const routesForKeys: readonly [string, string, ((message: string) => unknown)?][] = [
  ["POST", "/v1/chat", (message) => ({ message })],
  ["POST", "/v1/chat/completions", (message) => ({ model: "helper", messages: [{ role: "user", content: message }] })],
  ["GET", "/v1/sessions/never-made-0"],
  ["DELETE", "/v1/sessions/never-made-0"],
  ["GET", "/v1/models"],
  ["GET", "/v1/startup"],
  ["GET", "/metrics"],
  ["GET", "/playground/requests"],
  ["GET", "/playground/runners"],
];

for (const [mode, store] of [
  ["apiKeys", "memory"],
  ["tenants", "sqlite"],
] as const) {
  describe(`tenant isolation under fuzzed ids and keys: ${mode}, ${store} store (seed ${seed})`, () => {
    let server: HearthServer;
    let directory: string | undefined;
    const ledger = new Ledger();
    const random = seededRandom(seed ^ (mode === "apiKeys" ? 0 : 0x5f3759df));
    let messages = 0;
    const say = (tenant: number) => `hello from tenant${tenant}-msg-${messages++}`;
    const headerOf = (tenant: number) => ({
      authorization: `Bearer ${random.pick((tenants[tenant] as (typeof tenants)[number]).keys)}`,
    });
    const context = (what: string) => `${what} (HEARTH_FUZZ_SEED=${seed})`;

    before(async () => {
      directory = store === "sqlite" ? mkdtempSync(join(tmpdir(), "hearth-isolation-")) : undefined;
      server = await startApp(mode, directory);
    });
    after(async () => {
      await server.close();
      if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    });

    test("a key the app does not know is 401 on every route but the probes; one it knows, however written, is its tenant", async (t) => {
      t.diagnostic(`seed ${seed}`);
      for (let round = 0; round < 200; round++) {
        const { header, tenant } = authorization(random);
        const [method, path, body] = random.pick(routesForKeys);
        const headers: Record<string, string> = header === undefined ? {} : { authorization: header };
        const answer = await send(server, method, path, headers, body?.(say(tenant ?? 99)));
        const what = context(`${method} ${path} with Authorization ${JSON.stringify(header?.slice(0, 80))}`);
        if (tenant === undefined) {
          // 431: a header Node itself refuses as too large, before hearth sees it.
          assert.ok(answer.status === 401 || answer.status === 431, `${what}: ${answer.status} ${answer.text}`);
          continue;
        }
        assert.notEqual(answer.status, 401, `${what}: a known key was refused`);
        const named = idOfPath(path);
        if (named !== undefined) ledger.named[tenant]?.add(named);
        if (path === "/playground/requests" && answer.status === 200)
          for (const entry of JSON.parse(answer.text) as { session?: string }[])
            if (entry.session !== undefined)
              assert.ok(ledger.named[tenant]?.has(entry.session), `${what}: lists another tenant's request`);
        if (method === "POST") {
          // A chat turn it was allowed: a new session of the tenant the key belongs to.
          assert.equal(answer.status, 200, `${what}: ${answer.text}`);
          const id = answer.sessionHeader ?? (JSON.parse(answer.text) as { sessionId: string }).sessionId;
          ledger.turn(tenant, id);
          ledger.named[tenant]?.add(id);
        }
        for (const probe of ["/healthz", "/readyz"])
          if (round % 40 === 0) assert.equal((await send(server, "GET", probe, headers)).status, 200, probe);
      }
    });

    test("no tenant reads, continues, deletes or lists another's session, whatever id it sends", async () => {
      // Every tenant starts sessions of its own, some under ids every tenant uses.
      for (let tenant = 0; tenant < tenants.length; tenant++) {
        for (const id of ["shared-1", "ticket-1", randomId(random)]) {
          const answer = await send(server, "POST", "/v1/chat", headerOf(tenant), {
            message: say(tenant),
            sessionId: id,
            createSession: true,
          });
          assert.equal(answer.status, 200, context(answer.text));
          ledger.turn(tenant, id);
          ledger.named[tenant]?.add(id);
        }
      }
      for (let round = 0; round < operations; round++) {
        const tenant = random.below(tenants.length);
        const id = sessionId(random, ledger.allIds());
        const valid = /^[A-Za-z0-9_-]{1,128}$/.test(id);
        const owned = ledger.owns(tenant, id);
        const what = context(`tenant ${tenant} (${tenants[tenant]?.name}), id ${JSON.stringify(id.slice(0, 60))}`);
        const kind = random.below(6);
        if (kind === 0 || kind === 1) {
          // Continue (or, asked to, create) a session by id.
          const create = kind === 1;
          const answer = await send(server, "POST", "/v1/chat", headerOf(tenant), {
            message: say(tenant),
            sessionId: id,
            ...(create ? { createSession: true } : {}),
          });
          if (valid) ledger.named[tenant]?.add(id);
          if (!valid) assert.equal(answer.status, 400, `${what}: ${answer.text}`);
          else if (owned || create) {
            assert.equal(answer.status, 200, `${what}: ${answer.text}`);
            ledger.turn(tenant, id);
          } else assert.equal(answer.status, 404, `${what}: continued a session it does not have: ${answer.text}`);
          assert.deepEqual(
            [...markersIn(answer.text)].filter((other) => other !== tenant),
            [],
            what,
          );
        } else if (kind === 2) {
          // The header as sent (no line breaks: Node refuses them) and as received (trimmed, as HTTP does).
          const header = asHeader(id.replace(/[\r\n]/g, ""));
          const received = header.trim();
          const answer = await send(
            server,
            "POST",
            "/v1/chat/completions",
            { ...headerOf(tenant), "x-session-id": header },
            { model: "helper", messages: [{ role: "user", content: say(tenant) }] },
          );
          if (/^[A-Za-z0-9_-]{1,128}$/.test(received)) {
            // An id the tenant does not have starts a session of its own under it; another tenant's is untouched.
            assert.equal(answer.status, 200, `${what}: ${answer.text}`);
            ledger.turn(tenant, received);
            ledger.named[tenant]?.add(received);
          } else assert.equal(answer.status, 400, `${what}: ${answer.text}`);
          assert.deepEqual(
            [...markersIn(answer.text)].filter((other) => other !== tenant),
            [],
            what,
          );
        } else if (kind === 3 || kind === 4) {
          const path = sessionPath(random, id);
          const named = idOfPath(path);
          if (named !== undefined) ledger.named[tenant]?.add(named);
          const answer = await send(server, "GET", path, headerOf(tenant));
          const read = `${what}: GET ${path.slice(0, 80)}`;
          if (named !== undefined && ledger.owns(tenant, named)) {
            assert.equal(answer.status, 200, `${read}: ${answer.text}`);
            assert.equal((JSON.parse(answer.text) as { id: string }).id, named, read);
          } else assert.equal(answer.status, 404, `${read}: ${answer.text.slice(0, 300)}`);
          assert.deepEqual(
            [...markersIn(answer.text)].filter((other) => other !== tenant),
            [],
            read,
          );
        } else {
          const path = sessionPath(random, id);
          const named = idOfPath(path);
          if (named !== undefined) ledger.named[tenant]?.add(named);
          const answer = await send(server, "DELETE", path, headerOf(tenant));
          const deleted = `${what}: DELETE ${path.slice(0, 80)}`;
          if (named !== undefined && ledger.owns(tenant, named)) {
            assert.equal(answer.status, 204, deleted);
            ledger.turns[tenant]?.delete(named);
          } else assert.equal(answer.status, 404, `${deleted}: ${answer.text.slice(0, 300)}`);
        }
      }
      // Every tenant's sessions are exactly the ones it made, each with its own turns only.
      for (let tenant = 0; tenant < tenants.length; tenant++) {
        const name = (tenants[tenant] as (typeof tenants)[number]).name;
        const turns = ledger.turns[tenant] as Map<string, number>;
        assert.deepEqual(
          (await server.app.store.list(name)).sort(),
          [...turns.keys()].sort(),
          context(`the store's list for tenant ${tenant}`),
        );
        for (const [id, count] of turns) {
          const answer = await send(server, "GET", `/v1/sessions/${id}`, headerOf(tenant));
          assert.equal(answer.status, 200, context(`tenant ${tenant} reads its ${id}`));
          const markers = [...answer.text.matchAll(/tenant(\d+)-msg-(\d+)/g)];
          assert.deepEqual(
            [...new Set(markers.map((match) => Number(match[1])))],
            [tenant],
            context(`tenant ${tenant}'s ${id} holds only its own messages`),
          );
          assert.equal(
            new Set(markers.map((match) => match[2])).size,
            count,
            context(`tenant ${tenant}'s ${id} has its ${count} turns and no other`),
          );
        }
        const listed = await send(server, "GET", "/playground/requests", headerOf(tenant));
        for (const entry of JSON.parse(listed.text) as { session?: string }[])
          if (entry.session !== undefined)
            assert.ok(ledger.named[tenant]?.has(entry.session), context(`tenant ${tenant}'s playground list`));
      }
    });
  });
}

// Found by the fuzz above: a POST refused for its key before its body had arrived was answered
// "Connection: keep-alive", and the server cut the connection a second later; the client's next
// request on it was reset.
test("a request refused before its body arrived is answered Connection: close, so no client reuses a connection the server cuts", async () => {
  const server = await startApp("apiKeys", undefined);
  const socket = connect(server.port, "127.0.0.1");
  try {
    let received = "";
    socket.on("data", (data: Buffer) => {
      received += data.toString("latin1");
    });
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write(
      "POST /v1/chat HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer hk_acme_7Qm2xR9vL4pT8sW2\r\n" +
        "Content-Type: application/json\r\nContent-Length: 17\r\n\r\n",
    );
    while (!received.includes("\r\n\r\n")) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.match(received, /^HTTP\/1\.1 401 /);
    assert.match(received, /\r\nconnection: close\r\n/i);
    socket.write('{"message":"hi"}\n');
    await closed;
  } finally {
    socket.destroy();
    await server.close();
  }
});
