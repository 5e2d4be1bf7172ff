// What the chaos scenarios share: the app started in its own process, a chat sent and timed, an
// open loop of them, and the arithmetic of their figures.
import { type ChildProcess, spawn } from "node:child_process";

export const short = process.env.CHAOS_SHORT === "1";

/** What a scenario gives back: its figures as Markdown, and the promises it saw broken (none, to pass). */
export interface ScenarioResult {
  /** One line: what was done, to what, for how long. */
  readonly setup: string;
  /** The table (Markdown) of its figures. */
  readonly table: string;
  /** Each promise the scenario saw broken, in a sentence; empty when all held. */
  readonly broken: readonly string[];
  /** Why it could not run here (a missing server), when it could not: never a pass. */
  readonly skipped?: string;
}

export interface Scenario {
  /** Its name on the command line (CHAOS_ONLY) and in docs/reliability.md's markers. */
  readonly name: string;
  readonly title: string;
  run(): Promise<ScenarioResult>;
}

export interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  /** What the app printed on stderr so far (its log lines, with CHAOS_LOG=1). */
  readonly stderr: () => string;
}

/** Starts chaos/apps/agent.ts (or another app) configured by `env`, as `user` if given; resolves once it serves. */
export function startApp(
  env: Record<string, string>,
  app = "./apps/agent.ts",
  options: { readonly uid?: number; readonly gid?: number; readonly nodeFlags?: readonly string[] } = {},
): Promise<Running> {
  const { nodeFlags = [], ...user } = options;
  // With this process's own flags: from the tests, hearth's sources (--conditions=@hearth/source); from npm run chaos, the build.
  const child = spawn(process.execPath, [...process.execArgv, ...nodeFlags, new URL(app, import.meta.url).pathname], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ...user,
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      output += chunk;
      const url = /READY (\S+)/.exec(output)?.[1];
      if (url !== undefined) resolve({ child, url, stderr: () => stderr });
    });
    child.on("exit", (code) => reject(new Error(`the app exited (${code}) before it was ready: ${stderr}`)));
  });
}

/** Stops the app (SIGKILL unless told otherwise) and waits for it to be gone. */
export async function stopApp(running: Running, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  const exited = new Promise((resolve) => running.child.once("exit", resolve));
  running.child.kill(signal);
  await exited;
}

export interface Outcome {
  readonly status: number | "error";
  readonly ms: number;
  readonly retryAfter: boolean;
  readonly contentType?: string;
  /** The problem document's `code` (or OpenAI's error code), when the answer was an error. */
  readonly code?: string;
  readonly body?: unknown;
}

/** One `POST /v1/chat`, timed; a failed connection is status "error". */
export async function chat(url: string, body: Record<string, unknown> = { message: "ping" }): Promise<Outcome> {
  const started = performance.now();
  try {
    const response = await fetch(`${url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    const code = (parsed as { code?: unknown } | null)?.code;
    return {
      status: response.status,
      ms: performance.now() - started,
      retryAfter: response.headers.has("retry-after"),
      contentType: response.headers.get("content-type") ?? "",
      ...(typeof code === "string" ? { code } : {}),
      body: parsed,
    };
  } catch {
    return { status: "error", ms: performance.now() - started, retryAfter: false };
  }
}

/** Requests sent at `rate` a second for `seconds`, whatever the answers take (an open loop), then all awaited. */
export async function openLoop(send: () => Promise<Outcome>, rate: number, seconds: number): Promise<Outcome[]> {
  const pending: Promise<Outcome>[] = [];
  const started = performance.now();
  const total = Math.round(rate * seconds);
  while (pending.length < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    while (pending.length < due) pending.push(send());
    await sleep(5);
  }
  return Promise.all(pending);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const quantile = (values: readonly number[], q: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
};

export const round = (value: number) => Math.round(value * 10) / 10;

/** How many times each value occurs, as `{"502": 3}`. */
export const tally = (values: readonly string[]) => {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
};

/** `{"a": 1, "b": 2}` as "a 1, b 2", or "none". */
export const listed = (counts: Readonly<Record<string, number>>) =>
  Object.entries(counts)
    .map(([key, count]) => `${key} ${count}`)
    .join(", ") || "none";

/** A Markdown table from a header row and body rows. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, index) => (index === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

/** A free TCP port on loopback (for a server that must come back on the same port). */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/** A conversation a scenario holds: its session, once the first turn made one, and its turns' fates. */
export interface Conversation {
  sessionId?: string;
  readonly acknowledged: string[];
  readonly failed: string[];
  /**
   * Turns that failed because the store went away during their write: the write may have happened
   * before the connection was lost (an ambiguous commit), so they are counted apart.
   */
  readonly unsure?: string[];
}

/**
 * Reads every conversation's session back: each turn answered 200 must be in it (else lost), no
 * failed one may be (a failed turn stores nothing), and the session must read at all.
 */
export async function auditSessions(url: string, conversations: readonly Conversation[]) {
  let lost = 0;
  let storedFailed = 0;
  let storedUnsure = 0;
  let unreadable = 0;
  for (const conversation of conversations) {
    if (conversation.sessionId === undefined) {
      lost += conversation.acknowledged.length;
      continue;
    }
    const response = await fetch(`${url}/v1/sessions/${conversation.sessionId}`).catch(() => undefined);
    const session = response?.ok === true ? ((await response.json()) as { messages?: unknown }) : undefined;
    if (!Array.isArray(session?.messages)) {
      unreadable += 1;
      continue;
    }
    const asked = new Set(
      (session.messages as { source?: string; content?: unknown }[])
        .filter((message) => message.source === "user")
        .map((message) => message.content),
    );
    lost += conversation.acknowledged.filter((message) => !asked.has(message)).length;
    storedFailed += conversation.failed.filter((message) => asked.has(message)).length;
    storedUnsure += (conversation.unsure ?? []).filter((message) => asked.has(message)).length;
  }
  return { lost, storedFailed, storedUnsure, unreadable };
}
