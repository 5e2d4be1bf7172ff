// Tool approval over HTTP: a refund waits for a person; the next request answers it, in this
// process or in a fresh one that reads the session from SQLite.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { MemorySessionStore } from "hearth";
import { type HearthServer, serve } from "hearth/node";
import { startMockOpenAIServer, type MockOpenAIServer } from "hearth/testing";
import app, { approvalModel } from "./support/approval-app.ts";
import { spawnUntilReady } from "./support/spawn-server.ts";

const directory = mkdtempSync(join(tmpdir(), "hearth-approvals-"));
let mock: MockOpenAIServer;
let server: HearthServer;

before(async () => {
  mock = await startMockOpenAIServer({ respond: approvalModel });
  process.env.OPENAI_BASE_URL = mock.url;
  server = await serve(app, { port: 0, store: new MemorySessionStore(), log: () => undefined });
});
after(async () => {
  await server.close();
  await mock.close();
  rmSync(directory, { recursive: true, force: true });
});

interface ChatBody {
  readonly reply?: string;
  readonly sessionId?: string;
  readonly stopReason?: string;
  readonly messages?: readonly { type: string; toolCalls?: { id: string }[]; results?: { content: string }[] }[];
  readonly code?: string;
  readonly field?: string;
  readonly callIds?: readonly string[];
  readonly detail?: string;
}

async function post(url: string, body: unknown, path = "/v1/chat"): Promise<{ status: number; body: ChatBody }> {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as ChatBody };
}

const waitingIds = (body: ChatBody) => {
  const last = body.messages?.at(-1);
  return last?.type === "tool-approval-request" ? (last.toolCalls ?? []).map((call) => call.id) : [];
};

test("approve over HTTP: the turn stops with stop reason tool-approval-request, then the approved call runs", async () => {
  const asked = await post(server.url, { agent: "refunds", message: "refund A1" });
  assert.equal(asked.status, 200);
  assert.equal(asked.body.stopReason, "tool-approval-request");
  assert.deepEqual(waitingIds(asked.body), ["call_refund_a1"]);
  const done = await post(server.url, {
    agent: "refunds",
    sessionId: asked.body.sessionId,
    approvals: [{ callId: "call_refund_a1", approved: true }],
  });
  assert.equal(done.status, 200);
  assert.equal(done.body.reply, "Done: refunded A1");
  assert.equal(done.body.stopReason, "text");
});

test("reject over HTTP: the model reads the person's reason and answers", async () => {
  const asked = await post(server.url, { agent: "refunds", message: "refund C3" });
  const done = await post(server.url, {
    agent: "refunds",
    sessionId: asked.body.sessionId,
    approvals: [{ callId: "call_refund_c3", approved: false, reason: "order C3 was already refunded" }],
  });
  assert.equal(done.status, 200);
  assert.match(done.body.reply ?? "", /^Done: Error: the user did not approve.*Reason: order C3 was already refunded$/);
});

test("a mix over HTTP: the lookup runs at once, one refund is approved and one rejected, in the model's order", async () => {
  const asked = await post(server.url, { agent: "refunds", message: "mix" });
  assert.deepEqual(waitingIds(asked.body), ["call_refund_a1", "call_refund_b2"]);
  const done = await post(server.url, {
    agent: "refunds",
    sessionId: asked.body.sessionId,
    approvals: [
      { callId: "call_refund_b2", approved: false, reason: "too large" },
      { callId: "call_refund_a1", approved: true },
    ],
  });
  assert.equal(done.status, 200);
  assert.match(done.body.reply ?? "", /^Done: refunded A1 \| order A1 shipped \| Error: .*Reason: too large$/);
});

test("a request without approvals on a waiting session is a 409 naming the waiting calls; bad approvals are 400s", async () => {
  const asked = await post(server.url, { agent: "refunds", message: "mix" });
  const sessionId = asked.body.sessionId;
  const pending = await post(server.url, { agent: "refunds", sessionId, message: "hello?" });
  assert.equal(pending.status, 409);
  assert.equal(pending.body.code, "HEARTH_APPROVAL_PENDING");
  assert.deepEqual(pending.body.callIds, ["call_refund_a1", "call_refund_b2"]);
  assert.match(pending.body.detail ?? "", /approvals/);

  const unknown = await post(server.url, {
    agent: "refunds",
    sessionId,
    approvals: [
      { callId: "call_refund_a1", approved: true },
      { callId: "call_refund_b2", approved: true },
      { callId: "call_nope", approved: true },
    ],
  });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.code, "HEARTH_APPROVAL_INVALID");
  assert.deepEqual(unknown.body.callIds, ["call_nope"]);
  const missing = await post(server.url, {
    agent: "refunds",
    sessionId,
    approvals: [{ callId: "call_refund_a1", approved: true }],
  });
  assert.equal(missing.status, 400);
  assert.deepEqual(missing.body.callIds, ["call_refund_b2"]);

  for (const [body, field] of [
    [{ sessionId, approvals: [] }, "approvals"],
    [{ sessionId, approvals: [{ callId: "call_refund_a1", approved: "yes" }] }, "approvals[0].approved"],
    [{ sessionId, approvals: [{ callId: "call_refund_a1", approved: true, note: 1 }] }, "approvals[0].note"],
    [{ sessionId, message: "and", approvals: [{ callId: "call_refund_a1", approved: true }] }, "message"],
    [{ approvals: [{ callId: "call_refund_a1", approved: true }] }, "approvals"],
  ] as const) {
    const refused = await post(server.url, { agent: "refunds", ...body });
    assert.equal(refused.status, 400, JSON.stringify(body));
    assert.equal(refused.body.code, "HEARTH_INVALID_REQUEST");
    assert.equal(refused.body.field, field);
  }
  // Nothing above changed the session: it still waits, and answering it works.
  const done = await post(server.url, {
    agent: "refunds",
    sessionId,
    approvals: [
      { callId: "call_refund_a1", approved: true },
      { callId: "call_refund_b2", approved: true },
    ],
  });
  assert.equal(done.status, 200);
});

test("inside an AgentTool over HTTP: the lead's turn waits on its clerk's refund, and the answer resumes both", async () => {
  const asked = await post(server.url, { agent: "lead", message: "delegate refund F6" });
  assert.equal(asked.status, 200);
  assert.equal(asked.body.stopReason, "tool-approval-request");
  const request = asked.body.messages?.at(-1) as { toolCalls?: unknown[] } | undefined;
  assert.deepEqual(request?.toolCalls, [
    {
      id: "call_delegate_f6/call_refund_f6",
      name: "refund",
      arguments: '{"order":"F6"}',
      within: [{ callId: "call_delegate_f6", tool: "refund_desk", agent: "clerk" }],
    },
  ]);
  const sessionId = asked.body.sessionId;
  const pending = await post(server.url, { agent: "lead", sessionId, message: "hello?" });
  assert.equal(pending.status, 409);
  assert.deepEqual(pending.body.callIds, ["call_delegate_f6/call_refund_f6"]);
  const unknown = await post(server.url, {
    agent: "lead",
    sessionId,
    approvals: [{ callId: "call_refund_f6", approved: true }],
  });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.code, "HEARTH_APPROVAL_INVALID");
  assert.deepEqual(unknown.body.callIds, ["call_refund_f6"]);
  // The store keeps sessions as JSON text: the inner session is read back from it, as in a new process.
  const done = await post(server.url, {
    agent: "lead",
    sessionId,
    approvals: [{ callId: "call_delegate_f6/call_refund_f6", approved: true }],
  });
  assert.equal(done.status, 200);
  assert.equal(done.body.stopReason, "text");
  assert.equal(done.body.reply, "Done: Done: refunded F6");
});

test("inside a Swarm over HTTP, streamed: the approval request is its own event, and the member resumes", async () => {
  const response = await fetch(`${server.url}/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ team: "desk", message: "refund D4", stream: true }),
  });
  const events = await response.text();
  assert.match(events, /event: tool-approval-request\ndata: .*"call_refund_d4"/);
  const done = /event: done\ndata: (.*)\n/.exec(events)?.[1];
  const summary = JSON.parse(done ?? "{}") as { sessionId: string; stopReason: string };
  assert.equal(summary.stopReason, "tool-approval-request");
  const resumed = await post(server.url, {
    team: "desk",
    sessionId: summary.sessionId,
    approvals: [{ callId: "call_refund_d4", approved: true }],
  });
  assert.equal(resumed.status, 200);
  assert.equal(resumed.body.reply, "Done: refunded D4");
});

test("the OpenAI-compatible route answers a turn that waits for approval with a clear error", async () => {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-session-id": "oai-approval-1" },
    body: JSON.stringify({ model: "refunds", messages: [{ role: "user", content: "refund E5" }] }),
  });
  assert.equal(response.status, 409);
  const body = (await response.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, "HEARTH_APPROVAL_PENDING");
  assert.match(body.error.message, /"call_refund_e5".*POST \/v1\/chat/);
  // The session keeps the waiting step: hearth's own route answers it.
  const done = await post(server.url, {
    agent: "refunds",
    sessionId: "oai-approval-1",
    approvals: [{ callId: "call_refund_e5", approved: true }],
  });
  assert.equal(done.body.reply, "Done: refunded E5");
});

test("the AI SDK UI stream sends tool-approval-request chunks and takes the page's approval responses", async () => {
  const chat = (messages: unknown[]) =>
    fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "ui-approval-1", agent: "refunds", messages }),
    }).then((response) => response.text());
  const user = { id: "m1", role: "user", parts: [{ type: "text", text: "mix" }] };
  const first = await chat([user]);
  assert.match(first, /\{"type":"tool-approval-request","approvalId":"call_refund_a1","toolCallId":"call_refund_a1"\}/);
  assert.match(first, /\{"type":"tool-approval-request","approvalId":"call_refund_b2","toolCallId":"call_refund_b2"\}/);
  assert.match(first, /"type":"tool-output-available","toolCallId":"call_lookup_a1"/);
  const assistant = {
    id: "m2",
    role: "assistant",
    parts: [
      {
        type: "dynamic-tool",
        toolName: "refund",
        toolCallId: "call_refund_a1",
        state: "approval-responded",
        input: { order: "A1" },
        approval: { id: "call_refund_a1", approved: true },
      },
      {
        type: "dynamic-tool",
        toolName: "lookup",
        toolCallId: "call_lookup_a1",
        state: "output-available",
        input: { order: "A1" },
        output: "order A1 shipped",
      },
      {
        type: "dynamic-tool",
        toolName: "refund",
        toolCallId: "call_refund_b2",
        state: "approval-responded",
        input: { order: "B2" },
        approval: { id: "call_refund_b2", approved: false, reason: "no" },
      },
    ],
  };
  const second = await chat([user, assistant]);
  assert.match(second, /^data: \{"type":"start"\}\n\n/);
  assert.match(second, /"type":"tool-output-available","toolCallId":"call_refund_a1","output":"refunded A1"/);
  assert.match(second, /\{"type":"tool-output-denied","toolCallId":"call_refund_b2"\}/);
  assert.match(second, /"delta":"Done: refunded A1/);
});

test("a waiting turn survives a restart: a fresh process reads it from SQLite and resumes it", async () => {
  const appFile = new URL("./support/approval-app.ts", import.meta.url).pathname;
  const cli = new URL("../src/cli/main.ts", import.meta.url).pathname;
  const database = join(directory, "approvals.db");
  const start = () =>
    spawnUntilReady(
      [
        "--conditions=@hearth/source",
        cli,
        "serve",
        appFile,
        "--port",
        "0",
        "--store",
        "sqlite",
        "--sessions-db",
        database,
      ],
      {
        env: {
          ...process.env,
          OPENAI_BASE_URL: mock.url,
          HEARTH_LOG_LEVEL: "warn",
          HEARTH_COMPILE_CACHE: join(directory, "cache"),
        },
      },
    );
  const first = await start();
  let sessionId: string | undefined;
  try {
    const asked = await post(first.url, { agent: "refunds", message: "mix" });
    assert.equal(asked.body.stopReason, "tool-approval-request");
    sessionId = asked.body.sessionId;
  } finally {
    first.child.kill("SIGTERM");
    await first.exited;
  }
  const second = await start();
  try {
    const pending = await post(second.url, { agent: "refunds", sessionId, message: "still there?" });
    assert.equal(pending.status, 409);
    assert.deepEqual(pending.body.callIds, ["call_refund_a1", "call_refund_b2"]);
    const done = await post(second.url, {
      agent: "refunds",
      sessionId,
      approvals: [
        { callId: "call_refund_a1", approved: true },
        { callId: "call_refund_b2", approved: false, reason: "not today" },
      ],
    });
    assert.equal(done.status, 200);
    assert.match(done.body.reply ?? "", /^Done: refunded A1 \| order A1 shipped \| Error: .*Reason: not today$/);
  } finally {
    second.child.kill("SIGTERM");
    await second.exited;
  }
});
