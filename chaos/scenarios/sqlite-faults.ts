// SQLite faults: conversations continuing their sessions on one SQLite file, each remembering the
// turns answered 200, through a full disk, a locked database and a read-only file, each put on and
// taken off again. Promised: every turn during a fault is answered 200 or refused 503 with
// Retry-After (a server that cannot write its file refuses to start, with a clear error); turns
// are answered 200 again once the fault is gone; no acknowledged turn is lost, every session reads
// back, and the file passes `PRAGMA integrity_check`.
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { startMockOpenAIServer } from "hearth/testing";
import {
  chat,
  listed,
  markdownTable,
  type Outcome,
  type Running,
  round,
  type Scenario,
  short,
  sleep,
  startApp,
  stopApp,
  tally,
} from "../support.ts";

interface Turn extends Outcome {
  readonly conversation: number;
  readonly text: string;
  readonly sentAt: number;
  readonly endedAt: number;
}

interface Read {
  readonly sentAt: number;
  readonly ms: number;
}

interface Window {
  readonly label: string;
  readonly startedAt: number;
  faultAt: number;
  removedAt: number;
  endedAt: number;
  /** What the fault did to the server itself, when that is not in the turns (a start refused). */
  note?: string;
  integrity?: string;
}

/** The store's wait for another process's write lock (SqliteSessionStore's default). */
const busyTimeoutMs = 5_000;

export const sqliteFaults: Scenario = {
  name: "sqlite-faults",
  title: "SQLite: full disk, read-only file, locked database",
  async run() {
    const conversations = short ? 6 : 12;
    const warmMs = short ? 1_000 : 3_000;
    const holdMs = short ? 1_000 : 5_000;
    const lockMs = busyTimeoutMs + (short ? 500 : 3_000);
    const settleMs = short ? 500 : 3_000;
    // Root writes whatever a file's mode says: then the app (and whatever touches its file) runs as
    // nobody, when nobody can reach the app (a checkout in a private folder it cannot); else the
    // read-only file is not tested here, and the table says so.
    const root = process.getuid?.() === 0;
    const nobody = { uid: 65534, gid: 65534 };
    const user: { uid?: number; gid?: number } =
      root && nobodyCanRead(new URL("../apps/agent.ts", import.meta.url).pathname) ? nobody : {};
    const readOnlyTested = !root || user.uid !== undefined;
    const directory = mkdtempSync(join(tmpdir(), "hearth-chaos-sqlite-"));
    if (user.uid !== undefined) chownSync(directory, user.uid, user.gid ?? user.uid);
    const file = join(directory, "sessions.db");
    const mock = await startMockOpenAIServer({ latencyMs: 10 });
    const env = { OPENAI_BASE_URL: mock.url, CHAOS_STORE: `sqlite:${file}` };
    const turns: Turn[] = [];
    const reads: Read[] = [];
    const windows: Window[] = [];
    const broken: string[] = [];
    let running: Running | undefined;
    let holder: ChildProcess | undefined;
    let stopping = false;
    let traffic: Promise<unknown> | undefined;
    try {
      running = await startApp(env, undefined, user);
      let target = running.url;

      const converse = async (index: number) => {
        for (let turn = 1; !stopping; turn++) {
          const text = `conversation ${index}, turn ${turn}`;
          const sentAt = performance.now();
          const outcome = await chat(target, { message: text, sessionId: sessionOf(index), createSession: true });
          turns.push({ ...outcome, conversation: index, text, sentAt, endedAt: performance.now() });
          await sleep(outcome.status === "error" ? 100 : 50);
        }
      };
      // A read of a session every 100 ms: how long the server takes to answer anything while its file is in trouble.
      const probe = async () => {
        while (!stopping) {
          const sentAt = performance.now();
          try {
            await (await fetch(`${target}/v1/sessions/${sessionOf(0)}`)).arrayBuffer();
            reads.push({ sentAt, ms: performance.now() - sentAt });
          } catch {
            // No server (the read-only phase): nothing to time.
          }
          await sleep(100);
        }
      };
      const trafficStartedAt = performance.now();
      traffic = Promise.all([...Array.from({ length: conversations }, (_, index) => converse(index)), probe()]);

      const begin = (label: string): Window => {
        const now = performance.now();
        const last = windows.at(-1);
        if (last !== undefined) last.endedAt = now;
        const window = { label, startedAt: now, faultAt: now, removedAt: now, endedAt: now };
        windows.push(window);
        return window;
      };
      /** Waits until a turn sent after the fault's removal is answered 200 (at most 15 s), then `settleMs` more. */
      const recover = async (window: Window, settle = settleMs) => {
        const deadline = performance.now() + 15_000;
        while (performance.now() < deadline && !turns.some((t) => t.sentAt >= window.removedAt && t.status === 200))
          await sleep(20);
        await sleep(settle);
        window.integrity = integrityOf(file);
      };
      await sleep(warmMs);

      // A full disk: the app's largest file size (RLIMIT_FSIZE) lowered to 0 bytes, then restored.
      if (spawnSync("prlimit", ["--version"]).status !== 0)
        broken.push("full disk: not tested, prlimit (util-linux) is not installed");
      else {
        const window = begin("full disk");
        const pid = String(running.child.pid);
        const [soft] = (await run("prlimit", ["--pid", pid, "--fsize", "--raw", "--noheadings", "--output=SOFT"], user))
          .trim()
          .split(/\s+/);
        await run("prlimit", ["--pid", pid, "--fsize=0:"], user);
        window.faultAt = performance.now();
        await sleep(holdMs);
        await run("prlimit", ["--pid", pid, `--fsize=${soft}:`], user);
        window.removedAt = performance.now();
        await recover(window);
      }

      // A locked database: another process takes the write lock (BEGIN EXCLUSIVE) and holds it past the store's wait.
      {
        const window = begin("locked");
        holder = spawn(process.execPath, ["-e", holdLock, file, String(lockMs)], {
          stdio: ["ignore", "pipe", "pipe"],
          ...user,
        });
        const said = linesOf(holder);
        await said("LOCKED");
        window.faultAt = performance.now();
        await said("RELEASED");
        window.removedAt = performance.now();
        await recover(window);
      }

      // A read-only file. First made so under the running server: it goes on writing through the
      // descriptors it opened for writing, which is what a chmod does to a process.
      const files = [file, `${file}-wal`, `${file}-shm`].filter((path) => existsSync(path));
      const readOnly = (on: boolean, folder: boolean) => {
        for (const path of files) chmodSync(path, on ? 0o444 : 0o644);
        chmodSync(directory, on && folder ? 0o555 : 0o700);
      };
      if (readOnlyTested) {
        const window = begin("read-only, under the running server");
        readOnly(true, true);
        await sleep(holdMs);
        window.removedAt = performance.now();
        readOnly(false, false);
        await recover(window, 0);
      }
      // Then a server started on it (the restart of a deploy), on a read-only file, then on a read-only file and folder.
      if (readOnlyTested) {
        const window = begin("read-only, a server started on it");
        await stopApp(running);
        running = undefined;
        const starts: string[] = [];
        for (const folder of short ? [true] : [false, true]) {
          readOnly(true, folder);
          const started = performance.now();
          try {
            running = await startApp(env, undefined, user);
            // It started: what its turns get is what the clients get.
            target = running.url;
            await sleep(holdMs / 2);
            await stopApp(running);
            running = undefined;
            starts.push(`started (${folder ? "file and folder" : "file"} read-only)`);
          } catch (error) {
            const refusal = startupError(String(error)).replaceAll(directory, "<tmp>");
            starts.push(
              `${folder ? "file and folder" : "file"} read-only: refused to start in ${Math.round(performance.now() - started)} ms, ${refusal}`,
            );
            if (!/^HEARTH_STORE_UNAVAILABLE\b.*read-only/s.test(refusal))
              broken.push(
                `a server on a read-only ${folder ? "file and folder" : "file"} failed without a clear error: ${refusal}`,
              );
          }
        }
        window.note = starts.join("; ");
        await sleep(window.faultAt + holdMs - performance.now());
        readOnly(false, false);
        window.removedAt = performance.now();
        running = await startApp(env, undefined, user);
        target = running.url;
        await recover(window);
      }
      const last = windows.at(-1);
      if (last !== undefined) last.endedAt = performance.now();
      stopping = true;
      await traffic;
      traffic = undefined;

      // Every acknowledged turn's message must be in its session, and every session must read back.
      let lost = 0;
      let unreadable = 0;
      const lostIn = new Map<string, number>();
      for (let index = 0; index < conversations; index++) {
        const acknowledged = turns.filter((turn) => turn.conversation === index && turn.status === 200);
        let messages: string | undefined;
        try {
          const response = await fetch(`${running.url}/v1/sessions/${sessionOf(index)}`);
          if (response.status === 200)
            messages = JSON.stringify(((await response.json()) as { messages: unknown }).messages);
        } catch {
          // Unreadable.
        }
        if (messages === undefined) unreadable++;
        for (const turn of acknowledged) {
          if (messages?.includes(JSON.stringify(turn.text)) === true) continue;
          lost++;
          const label = windows.find((w) => turn.endedAt >= w.startedAt && turn.endedAt < w.endedAt)?.label ?? "steady";
          lostIn.set(label, (lostIn.get(label) ?? 0) + 1);
        }
      }
      await stopApp(running);
      running = undefined;
      const integrity = integrityOf(file);

      const rows = windows.map((window) => {
        // In flight at some time during the fault: sent before it and answered during it counts too.
        const during = turns.filter((turn) => turn.sentAt < window.removedAt && turn.endedAt > window.faultAt);
        const refused = during.filter((turn) => turn.status === 503);
        const withRetryAfter = refused.filter((turn) => turn.retryAfter).length;
        // While no server runs (a server refused to start), a refused connection is what there is to get.
        const serverDown = window.note !== undefined;
        const failures = during.filter(
          (turn) => turn.status !== 200 && turn.status !== 503 && !(serverDown && turn.status === "error"),
        );
        const readsDuring = reads.filter((read) => read.sentAt >= window.faultAt && read.sentAt < window.removedAt);
        const slowestRead = Math.max(0, ...readsDuring.map((read) => read.ms));
        const first = turns.find((turn) => turn.sentAt >= window.removedAt && turn.status === 200);
        const recovery = first === undefined ? undefined : first.endedAt - window.removedAt;
        const acknowledged = turns.filter(
          (turn) => turn.status === 200 && turn.endedAt >= window.startedAt && turn.endedAt < window.endedAt,
        ).length;
        if (failures.length > 0)
          broken.push(
            `${window.label}: ${failures.length} turns were neither answered nor refused 503 (${outcomesOf(failures)})`,
          );
        if (withRetryAfter < refused.length)
          broken.push(`${window.label}: ${refused.length - withRetryAfter} refusals had no Retry-After`);
        if (recovery === undefined)
          broken.push(`${window.label}: no turn was answered 200 after the fault was removed`);
        if (window.integrity !== "ok")
          broken.push(`${window.label}: integrity_check after it said ${window.integrity}`);
        if (window.label === "locked" && slowestRead > 1_000)
          broken.push(
            `locked: a read of a session waited ${Math.round(slowestRead)} ms (the server was held up by the lock)`,
          );
        return [
          window.label,
          `${round((window.removedAt - window.faultAt) / 1000)} s`,
          `${during.length}: ${outcomesOf(during)}`,
          refused.length === 0 ? "-" : `${withRetryAfter} of ${refused.length}`,
          window.note ?? (refused[0]?.body as { detail?: string } | undefined)?.detail ?? "-",
          readsDuring.length === 0 ? "-" : Math.round(slowestRead),
          recovery === undefined ? "never" : Math.round(recovery),
          `${acknowledged} (${lostIn.get(window.label) ?? 0})`,
          window.integrity ?? "-",
        ];
      });
      const acknowledged = turns.filter((turn) => turn.status === 200).length;
      rows.push([
        "whole run",
        `${round(((windows.at(-1)?.endedAt ?? trafficStartedAt) - trafficStartedAt) / 1000)} s`,
        `${turns.length}: ${outcomesOf(turns)}`,
        "",
        "",
        "",
        "",
        `${acknowledged} (${lost}); sessions unreadable ${unreadable} of ${conversations}`,
        integrity,
      ]);
      if (lost > 0) broken.push(`${lost} acknowledged turns were not in their session at the end`);
      if (unreadable > 0) broken.push(`${unreadable} of ${conversations} sessions could not be read at the end`);
      if (integrity !== "ok") broken.push(`integrity_check at the end said ${integrity}`);
      return {
        setup:
          `${conversations} conversations, each continuing its session on one SQLite file (a turn, then 50 ms), against a provider answering in 10 ms; ` +
          `the faults in turn: a full disk (the app's RLIMIT_FSIZE lowered to 0 with prlimit for ${holdMs / 1000} s: without root a disk cannot be filled under a live process; SQLite then gets EFBIG, which it reports as SQLITE_IOERR_WRITE where ENOSPC gives SQLITE_FULL), ` +
          `the write lock held by another process (BEGIN EXCLUSIVE for ${lockMs / 1000} s, past the store's ${busyTimeoutMs / 1000} s wait), ` +
          `and the file, its -wal and -shm made 0444 and its folder 0555 (${holdMs / 1000} s under the running server, then a server started on it)` +
          `${user.uid === undefined ? "" : "; the app runs as nobody, since root writes whatever a mode says"}` +
          `${readOnlyTested ? "" : "; NOT TESTED here: the read-only file (this runs as root, whom modes do not stop, and the user nobody cannot reach this checkout)"}. ` +
          "Acknowledged turns are checked at the end by reading every session back.",
        table: markdownTable(
          [
            "fault",
            "held",
            "turns in flight during it: answers",
            "503s with Retry-After",
            "what the client (or, for a start, the operator) is told",
            "slowest read of a session during it (ms)",
            "first 200 after its removal (ms)",
            "acknowledged turns (lost)",
            "integrity_check after",
          ],
          rows,
        ),
        broken,
      };
    } finally {
      stopping = true;
      await traffic?.catch(() => undefined);
      holder?.kill("SIGKILL");
      if (running !== undefined) await stopApp(running);
      await mock.close();
      rmSync(directory, { recursive: true, force: true });
    }
  },
};

const sessionOf = (index: number) => `chaos-sqlite-${index}`;

/** Answers as "200 12, 503 HEARTH_STORE_UNAVAILABLE 3", a refused connection as "refused". */
const outcomesOf = (outcomes: readonly Outcome[]) =>
  listed(
    tally(
      outcomes.map((outcome) =>
        outcome.status === "error"
          ? "refused"
          : `${outcome.status}${outcome.code === undefined ? "" : ` ${outcome.code}`}`,
      ),
    ),
  );

/** Another process that takes the file's write lock, says LOCKED, holds it for argv[2] ms, then says RELEASED. */
const holdLock = `
const { DatabaseSync } = require("node:sqlite");
const db = new DatabaseSync(process.argv[1]);
db.exec("PRAGMA busy_timeout = 10000; BEGIN EXCLUSIVE");
process.stdout.write("LOCKED\\n");
setTimeout(() => {
  db.exec("ROLLBACK");
  db.close();
  process.stdout.write("RELEASED\\n");
}, Number(process.argv[2]));
`;

/** Resolves when the child has printed `line` (or rejects when it exits first). */
function linesOf(child: ChildProcess): (line: string) => Promise<void> {
  let output = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => (output += chunk));
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => (stderr += chunk));
  return (line) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (output.split("\n").includes(line)) resolve();
        else if (child.exitCode !== null) reject(new Error(`the lock holder exited before ${line}: ${stderr}`));
        else setTimeout(check, 5);
      };
      check();
    });
}

/** Whether the user nobody can read a file (every folder above it searchable by others). */
function nobodyCanRead(path: string): boolean {
  const probe = `require("node:fs").accessSync(${JSON.stringify(path)}, 4)`;
  return spawnSync(process.execPath, ["-e", probe], { uid: 65534, gid: 65534, stdio: "ignore" }).status === 0;
}

/** A command's stdout, run as `user`. */
function run(command: string, args: readonly string[], user: { uid?: number; gid?: number }): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { ...user }, (error, stdout, stderr) =>
      error === null ? resolve(stdout) : reject(new Error(`${command} ${args.join(" ")}: ${stderr || error.message}`)),
    ),
  );
}

/** What an app that failed to start said: its error's code and message (from Node's report of it on stderr). */
function startupError(text: string): string {
  const report = text.slice(text.indexOf("before it was ready:") + 1);
  const code = /code: '([A-Z_]+)'/.exec(report)?.[1] ?? "no code";
  const message = /^\w*Error: (.+)$/m.exec(report)?.[1] ?? report.slice(0, 200);
  return `${code}: ${message}`;
}

function integrityOf(file: string): string {
  const db = new DatabaseSync(file);
  try {
    return (db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[])
      .map((row) => row.integrity_check)
      .join("; ");
  } finally {
    db.close();
  }
}
