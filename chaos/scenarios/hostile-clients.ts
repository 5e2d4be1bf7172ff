// Hostile clients: while a well-behaved client keeps chatting, raw sockets on loopback attack the
// server all at once: slow headers and slow bodies (slowloris), very many headers and a huge one,
// body bombs, deeply nested JSON, invalid UTF-8, oversized session ids, and streamed chats whose
// clients never read. Promised: the well-behaved client sees no failure; every hostile request is
// answered 4xx, or its connection closed by the server, within the server's own timeouts (and 2 s);
// the server's RSS stays within 200 MB of what it was before the attack.
import { readdirSync, readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { type MockChatRequest, startMockOpenAIServer } from "hearth/testing";
import {
  chat,
  listed,
  markdownTable,
  type Outcome,
  quantile,
  round,
  type Scenario,
  short,
  sleep,
  startApp,
  stopApp,
  tally,
} from "../support.ts";

/** What one hostile request got: the status the server answered, or how its connection ended. */
interface Hit {
  readonly status?: number;
  /** "closed": by the server, unanswered; "open": still open when the attacker gave up; "not connected": never accepted. */
  readonly ended?: "closed" | "open" | "not connected";
  /** From the connection's opening to the answer (or its end). */
  readonly ms: number;
  /** A streamed reply, read at last: to its `done` event (the socket's buffers took it all), or cut off. */
  readonly stream?: "whole" | "cut off";
}

interface Attack {
  readonly label: string;
  /** Connections at once. */
  readonly connections: number;
  /** Requests in all, one after another on each of the connections while the attack lasts. */
  readonly total: number;
  /** The promise: answered 4xx, or closed by the server, within this. */
  readonly boundMs: number;
  hit(port: number): Promise<Hit>;
}

/** The server's timeouts: hearth's defaults for the full run, shortened for the short one (given to the app). */
const timeouts = short
  ? { headersTimeoutMs: 2_000, bodyTimeoutMs: 2_000, streamWriteTimeoutMs: 2_000 }
  : { headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000, streamWriteTimeoutMs: 30_000 };
const slackMs = 2_000;
/** Attacks answered at once are sent again for this long, a few connections at a time. */
const repeatMs = short ? 4_000 : 25_000;
// Measured alone, each attack adds 30 to 70 MB to the server's RSS (some 30 MB of it V8's young
// generation growing, as under any load); all at once, some 170 MB. A body or stream held without
// bound, or a leak per request (the full run sends some 3,300), passes it: before a refused body
// was let go at once, the endless chunked bodies alone took the server's RSS up by 180 MB.
const memoryBudgetMb = 200;
/** A streamed chat that is never read asks for a reply of this many bytes. */
const sseMessage = "never-read";
const sseReplyBytes = 64 * 1024;

const sockets = new Set<Socket>();
let nextConnectAt = 0;

/** A connection, opened at the attackers' pace (1,000 a second at most); undefined if it is not accepted within 5 s. */
async function opened(port: number): Promise<Socket | undefined> {
  const now = performance.now();
  nextConnectAt = Math.max(nextConnectAt + 1, now);
  if (nextConnectAt > now) await sleep(nextConnectAt - now);
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    sockets.add(socket);
    // A reset is the server closing the connection: seen as "close".
    socket.on("error", () => undefined);
    const gone = () => {
      clearTimeout(timer);
      socket.destroy();
      sockets.delete(socket);
      resolve(undefined);
    };
    const timer = setTimeout(gone, 5_000);
    socket.once("close", gone);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("close", gone);
      resolve(socket);
    });
  });
}

/**
 * One hostile request: `send` writes it (and returns what stops its timers); resolves with the
 * first status line the server sends, the connection's close, or, at `waitMs`, "open".
 */
async function hitWith(port: number, waitMs: number, send: (socket: Socket) => (() => void) | undefined): Promise<Hit> {
  const socket = await opened(port);
  if (socket === undefined) return { ended: "not connected", ms: 0 };
  const started = performance.now();
  return new Promise((resolve) => {
    let head = "";
    let done = false;
    let stop: (() => void) | undefined;
    const finish = (hit: Omit<Hit, "ms">) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stop?.();
      socket.destroy();
      sockets.delete(socket);
      resolve({ ...hit, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish({ ended: "open" }), waitMs);
    socket.on("data", (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1];
      if (status !== undefined) finish({ status: Number(status) });
    });
    socket.on("close", () => finish({ ended: "closed" }));
    stop = send(socket);
  });
}

/**
 * A streamed chat whose client reads the status line, then nothing until `waitMs`; then it reads
 * what the server sent: the whole reply, or a stream the server cut off. `ms` is the time to the status.
 */
async function neverReads(port: number, waitMs: number): Promise<Hit> {
  const socket = await opened(port);
  if (socket === undefined) return { ended: "not connected", ms: 0 };
  const started = performance.now();
  return new Promise((resolve) => {
    let received = "";
    let status: number | undefined;
    let answeredMs = 0;
    let done = false;
    const finish = (hit: Omit<Hit, "ms" | "status">) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      sockets.delete(socket);
      resolve({ ...hit, ...(status === undefined ? {} : { status }), ms: answeredMs || performance.now() - started });
    };
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (status === undefined) {
        status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(received)?.[1] ?? 0);
        answeredMs = performance.now() - started;
        if (status !== 200) return finish({});
        socket.pause();
      }
      if (received.includes("event: done")) finish({ stream: "whole" });
    });
    socket.on("close", () => finish(status === undefined ? { ended: "closed" } : { stream: "cut off" }));
    // Now it reads: a stream the server cut off ends once what was buffered is read.
    const timer = setTimeout(() => {
      socket.resume();
      setTimeout(() => finish({ ended: "open" }), 3_000).unref();
    }, waitMs);
    socket.write(
      post("/v1/chat", JSON.stringify({ message: sseMessage, stream: true }), "accept: text/event-stream\r\n"),
    );
  });
}

/** Writes `first`, then `next` every `everyMs` until stopped. */
const trickle =
  (first: string, next: string, everyMs: number) =>
  (socket: Socket): (() => void) => {
    socket.write(first);
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(next);
    }, everyMs);
    return () => clearInterval(timer);
  };

/** Writes the whole request at once. */
const whole = (request: string | Buffer) => {
  const bytes = Buffer.from(request);
  return (socket: Socket) => {
    socket.write(bytes);
    return undefined;
  };
};

/** A chunked body sent as fast as the server takes it, never ending. */
function endlessChunks(socket: Socket): () => void {
  const chunk = Buffer.from(`${(64 * 1024).toString(16)}\r\n${"1".repeat(64 * 1024)}\r\n`);
  let stopped = false;
  const pump = () => {
    while (!stopped && !socket.destroyed && socket.write(chunk));
  };
  socket.write(`POST /v1/chat HTTP/1.1\r\n${hostAndJson}transfer-encoding: chunked\r\n\r\n`);
  socket.on("drain", pump);
  pump();
  return () => (stopped = true);
}

const hostAndJson = "host: localhost\r\ncontent-type: application/json\r\n";

function post(path: string, body: string | Buffer, headers = ""): Buffer {
  const bytes = Buffer.from(body);
  return Buffer.concat([
    Buffer.from(`POST ${path} HTTP/1.1\r\n${hostAndJson}content-length: ${bytes.length}\r\n${headers}\r\n`),
    bytes,
  ]);
}

/** `n` arrays, each inside the next. */
const nested = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;

function attacks(): Attack[] {
  const { headersTimeoutMs, bodyTimeoutMs, streamWriteTimeoutMs } = timeouts;
  const headersBound = headersTimeoutMs + slackMs;
  const bodyBound = bodyTimeoutMs + slackMs;
  const once = (label: string, connections: number, boundMs: number, hit: (port: number) => Promise<Hit>) => ({
    label,
    connections,
    total: connections,
    boundMs,
    hit,
  });
  const repeated = (label: string, boundMs: number, send: (socket: Socket) => (() => void) | undefined) => ({
    label,
    connections: 4,
    total: short ? 40 : 200,
    boundMs,
    hit: (port: number) => hitWith(port, boundMs + 1_000, send),
  });
  const manyHeaders = Array.from({ length: 5_000 }, (_, index) => `x-header-${index}: ${index}\r\n`).join("");
  const hugeId = "a".repeat(1_000_000);
  // 64 MB of zeros, gzipped to some 64 kB (hearth does not inflate bodies).
  const gzipBomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
  const invalidUtf8 = Buffer.concat([
    Buffer.from('{"message": "'),
    Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
    Buffer.from('"}'),
  ]);
  return [
    once("slow headers: a byte a second, never ending", short ? 100 : 500, headersBound, (port) =>
      hitWith(port, headersBound + 1_000, trickle("GET /v1/sessions/abc HTTP/1.1\r\nx-slow: ", "a", 1_000)),
    ),
    once("slow body: 1 MB announced, a byte a second", short ? 50 : 200, bodyBound, (port) =>
      hitWith(
        port,
        bodyBound + 1_000,
        trickle(`POST /v1/chat HTTP/1.1\r\n${hostAndJson}content-length: 1000000\r\n\r\n`, "a", 1_000),
      ),
    ),
    once("chunked body, a chunk a second, never ending", short ? 20 : 50, bodyBound, (port) =>
      hitWith(
        port,
        bodyBound + 1_000,
        trickle(`POST /v1/chat HTTP/1.1\r\n${hostAndJson}transfer-encoding: chunked\r\n\r\n`, "1\r\na\r\n", 1_000),
      ),
    ),
    repeated("5,000 headers", headersBound, whole(`GET /healthz HTTP/1.1\r\nhost: localhost\r\n${manyHeaders}\r\n`)),
    repeated(
      "one 1 MB header line",
      headersBound,
      whole(`GET /healthz HTTP/1.1\r\nhost: localhost\r\nx-big: ${hugeId}\r\n\r\n`),
    ),
    repeated(
      "Content-Length of 10 GB",
      bodyBound,
      whole(`POST /v1/chat HTTP/1.1\r\n${hostAndJson}content-length: 10000000000\r\n\r\n{"message": "`),
    ),
    repeated("chunked body, as fast as it goes, never ending", bodyBound, endlessChunks),
    repeated("gzip body (64 MB inflated)", bodyBound, whole(post("/v1/chat", gzipBomb, "content-encoding: gzip\r\n"))),
    repeated("100,000 nested arrays as the body", bodyBound, whole(post("/v1/chat", nested(100_000)))),
    repeated(
      "100,000 nested arrays as `message`",
      bodyBound,
      whole(post("/v1/chat", `{"message": ${nested(100_000)}}`)),
    ),
    repeated(
      "100,000 nested arrays in `context`",
      bodyBound,
      whole(post("/v1/chat", `{"message": "hi", "context": {"a": ${nested(100_000)}}}`)),
    ),
    repeated("invalid UTF-8 in `message`", bodyBound, whole(post("/v1/chat", invalidUtf8))),
    repeated(
      "1 MB `sessionId` in the body",
      bodyBound,
      whole(post("/v1/chat", JSON.stringify({ message: "hi", sessionId: hugeId }))),
    ),
    repeated(
      "1 MB id in GET /v1/sessions/:id",
      headersBound,
      whole(`GET /v1/sessions/${hugeId} HTTP/1.1\r\nhost: localhost\r\n\r\n`),
    ),
    repeated(
      "1 MB `x-session-id` on /v1/chat/completions",
      headersBound,
      whole(
        post(
          "/v1/chat/completions",
          JSON.stringify({ model: "echo", messages: [{ role: "user", content: "hi" }] }),
          `x-session-id: ${hugeId}\r\n`,
        ),
      ),
    ),
    once(
      `streamed chat (${sseReplyBytes / 1024} kB reply), never read`,
      short ? 50 : 100,
      streamWriteTimeoutMs + slackMs,
      (port) => neverReads(port, streamWriteTimeoutMs + slackMs),
    ),
  ];
}

/** An attack's requests: `connections` at once, each sending one after another until `total` are sent or time is up. */
async function run(attack: Attack, port: number): Promise<Hit[]> {
  const hits: Hit[] = [];
  const until = performance.now() + repeatMs;
  let sent = 0;
  await Promise.all(
    Array.from({ length: attack.connections }, async () => {
      while (sent < attack.total && (sent < attack.connections || performance.now() < until)) {
        sent += 1;
        hits.push(await attack.hit(port));
      }
    }),
  );
  return hits;
}

/** What the attackers got, as "408 500" or "431 190, closed 10". */
const described = (hits: readonly Hit[]) =>
  listed(
    tally(
      hits.map((hit) =>
        hit.stream !== undefined
          ? `${hit.status}, ${hit.stream === "whole" ? "sent whole" : "cut off"}`
          : hit.status !== undefined
            ? String(hit.status)
            : hit.ended === "closed"
              ? "closed"
              : hit.ended === "open"
                ? "no answer"
                : "not connected",
      ),
    ),
  );

/** Whether a hit kept the promise: a 4xx (a stream: its 200, cut off or sent whole) or a close, within the bound. */
function kept(hit: Hit, boundMs: number): boolean {
  if (hit.ended === "not connected") return true;
  if (hit.ended === "open" || hit.ms > boundMs) return false;
  if (hit.stream !== undefined) return hit.status === 200;
  return hit.status === undefined || (hit.status >= 400 && hit.status < 500);
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** The process's resident memory in MB, and its open file descriptors (Linux: from /proc). */
function usageOf(pid: number): { rssMb: number; fds: number } {
  try {
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
    return { rssMb: kb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return { rssMb: Number.NaN, fds: Number.NaN };
  }
}

export const hostileClients: Scenario = {
  name: "hostile-clients",
  title: "Hostile clients",
  async run() {
    const providerMs = 50;
    const mock = await startMockOpenAIServer({
      latencyMs: providerMs,
      // A streamed reply in 16 kB chunks, not the mock's 6 characters: the mock runs in this process, beside the attackers.
      chunkSize: 16 * 1024,
      respond: (request: MockChatRequest) => {
        const text = String(request.messages.at(-1)?.content ?? "");
        return { content: text === sseMessage ? "x".repeat(sseReplyBytes) : `You said: ${text}` };
      },
    });
    // Its log (on stdout) says when a streamed reply was cut off, which a client that does not read cannot see.
    const running = await startApp({
      OPENAI_BASE_URL: mock.url,
      CHAOS_LOG: "1",
      ...(short ? { CHAOS_SERVE_OPTIONS: JSON.stringify(timeouts) } : {}),
    });
    let log = "";
    running.child.stdout?.on("data", (chunk: string) => (log += chunk));
    const pid = running.child.pid as number;
    const port = Number(new URL(running.url).port);
    const broken: string[] = [];
    const rows: (string | number)[][] = [];
    let summary: (string | number)[] = [];
    try {
      // Built before anything is timed: gzipping the bomb takes a while.
      const all = attacks();
      for (let index = 0; index < 5; index++) await chat(running.url);
      const unloaded: number[] = [];
      for (let index = 0; index < (short ? 20 : 100); index++) unloaded.push((await chat(running.url)).ms);
      const before = usageOf(pid);
      let peak = before;
      const sampler = setInterval(() => {
        const now = usageOf(pid);
        peak = { rssMb: Math.max(peak.rssMb, now.rssMb), fds: Math.max(peak.fds, now.fds) };
      }, 100);
      // The well-behaved client: two conversations at a time, one chat after another, while the attacks last.
      let attacking = true;
      const served: Outcome[] = [];
      const client = Promise.all(
        Array.from({ length: 2 }, async () => {
          while (attacking) served.push(await chat(running.url));
        }),
      );
      const started = performance.now();
      const results = await Promise.all(all.map((attack) => run(attack, port)));
      const attackMs = performance.now() - started;
      attacking = false;
      await client;
      clearInterval(sampler);
      await sleep(2_000);
      const after = usageOf(pid);
      const cutOff = log
        .split("\n")
        .filter((line) => line.includes('"code":"HEARTH_SLOW_CLIENT"') && line.includes('"msg":"request"'))
        .map((line) => Number((JSON.parse(line) as { totalMs: number }).totalMs));

      for (const [index, attack] of all.entries()) {
        const hits = results[index] as Hit[];
        const answered = hits.filter((hit) => hit.ended !== "not connected").map((hit) => hit.ms);
        const isStream = hits.some((hit) => hit.stream !== undefined);
        const late =
          hits.filter((hit) => !kept(hit, attack.boundMs)).length +
          (isStream ? cutOff.filter((ms) => ms > attack.boundMs).length : 0);
        // When the server cut a stream off, a client that does not read cannot see: the server's log says.
        const cuts =
          isStream && cutOff.length > 0
            ? ` (the server's log: ${cutOff.length} cut off after p50 ${seconds(quantile(cutOff, 0.5))} s, max ${seconds(Math.max(...cutOff))} s)`
            : "";
        rows.push([
          attack.label,
          hits.length,
          `${described(hits)}${cuts}`,
          `${seconds(quantile(answered, 0.5))} / ${seconds(Math.max(...answered))}`,
          attack.boundMs / 1000,
          late === 0 ? "held" : `${late} not`,
        ]);
        if (late > 0)
          broken.push(
            `${attack.label}: ${late} of ${hits.length} were neither answered 4xx nor closed by the server within ${seconds(attack.boundMs)} s (${described(hits.filter((hit) => !kept(hit, attack.boundMs)))})`,
          );
      }
      const failures = served.filter((outcome) => outcome.status !== 200);
      const times = served.map((outcome) => outcome.ms);
      summary = [
        "during the attack",
        served.length,
        failures.length === 0
          ? 0
          : `${failures.length} (${listed(tally(failures.map((outcome) => String(outcome.status))))})`,
        round(quantile(unloaded, 0.99)),
        `${round(quantile(times, 0.5))} / ${round(quantile(times, 0.99))} / ${round(Math.max(...times))}`,
        `${round(quantile(times, 0.99) / quantile(unloaded, 0.99))}x`,
        `${Math.round(before.rssMb)} / ${Math.round(peak.rssMb)} / ${Math.round(after.rssMb)}`,
        `${before.fds} / ${peak.fds} / ${after.fds}`,
        round(attackMs / 1000),
      ];
      if (failures.length > 0) broken.push(`the well-behaved client had ${summary[2]} of ${served.length} chats fail`);
      if (peak.rssMb - before.rssMb > memoryBudgetMb)
        broken.push(
          `the server's RSS grew by ${Math.round(peak.rssMb - before.rssMb)} MB under attack (budget ${memoryBudgetMb} MB)`,
        );
    } finally {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await stopApp(running);
      await mock.close();
    }
    const total = rows.reduce((sum, row) => sum + Number(row[1]), 0);
    return {
      setup: [
        `${total} hostile requests on loopback, all attacks at once (new connections at up to 1,000 a second; those answered at once sent again for ${repeatMs / 1000} s, 4 connections at a time), while a well-behaved client chats, two conversations at a time, against a provider that answers in ${providerMs} ms; memory store.`,
        `The server's timeouts: headers ${timeouts.headersTimeoutMs / 1000} s, body ${timeouts.bodyTimeoutMs / 1000} s, a stalled streamed write ${timeouts.streamWriteTimeoutMs / 1000} s (${short ? "shortened" : "hearth's defaults"}). Promised: each hostile request answered 4xx, or closed by the server, within the timeout of what it attacks and ${slackMs / 1000} s (timed from its connection's opening); the well-behaved client never fails; the server's RSS within ${memoryBudgetMb} MB of before.`,
      ].join(" "),
      table: [
        markdownTable(
          ["attack", "requests", "what the attackers got", "answered or closed p50 / max (s)", "bound (s)", "promise"],
          rows,
        ),
        "",
        markdownTable(
          [
            "",
            "well-behaved chats",
            "failed",
            "unloaded p99 (ms)",
            "under attack p50 / p99 / max (ms)",
            "p99 / unloaded",
            "server RSS before / peak / after (MB)",
            "server's open fds before / peak / after",
            "attack (s)",
          ],
          [summary],
        ),
      ].join("\n"),
      broken,
    };
  },
};
