// The app's API keys are held by hearth only as digests (auth looks them up by digest, the redactor
// finds them by digest), and the one secret hearth compares itself, its warm-up requests' token, is
// compared in constant time.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mock, test } from "node:test";
import { writeHeapSnapshot } from "node:v8";
import { AssistantAgent, defineApp, redact } from "hearth";
import { serve } from "hearth/node";
import { ScriptedModelClient } from "hearth/testing";

// The key is kept as bytes, and made into text only for a moment: the test's own strings must not
// be what the heap snapshot finds.
const keyBytes = randomBytes(24);
const keyText = () => `hk-${keyBytes.toString("hex")}`;

function appWith(apiKeys: Record<string, string>) {
  apiKeys[keyText()] = "acme";
  return defineApp({
    name: "digests",
    auth: { apiKeys },
    models: { default: () => new ScriptedModelClient({ replies: Array(8).fill("hi") }) },
    agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
  });
}

/** What an app's own record would do to forget its keys: in a function, so no frame of the test keeps one. */
function forget(apiKeys: Record<string, string>): void {
  for (const key of Object.keys(apiKeys)) delete apiKeys[key];
}

/**
 * Whether the heap still holds these bytes after a few tries. A snapshot is taken after a full
 * garbage collection, so only what something holds is in it; a request in flight (the server's
 * warm-up request to itself carries a key until its socket closes) may hold a key for a moment,
 * what hearth keeps holds it for good.
 */
async function heapHolds(bytes: Buffer): Promise<boolean> {
  const directory = mkdtempSync(join(tmpdir(), "hearth-heap-"));
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      const file = writeHeapSnapshot(join(directory, `heap-${attempt}.heapsnapshot`));
      const held = readFileSync(file).includes(bytes);
      rmSync(file);
      if (!held) return false;
    }
    return true;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

test("once the app's own record forgets its API keys, no copy of one is left in the process's memory; the key still authenticates and is still redacted", async () => {
  const apiKeys: Record<string, string> = {};
  const server = await serve(appWith(apiKeys), { port: 0, store: { kind: "memory" }, log: () => undefined });
  try {
    forget(apiKeys);
    const hex = Buffer.from(keyBytes.toString("hex"));
    // Before the fix, the redactor kept every key as it is, to find it in text.
    assert.equal(await heapHolds(hex), false, "a key is in the heap");
    const chat = (key: string) =>
      fetch(`${server.url}/v1/chat`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ message: "hi" }),
      });
    assert.equal((await chat(keyText())).status, 200, "the digest index still knows the key");
    assert.equal((await chat(`${keyText()}x`)).status, 401);
    assert.equal(redact(`the key ${keyText()}.`), "the key [redacted].", "the redactor still finds it");
  } finally {
    await server.close();
  }
});

test("the warm-up requests' token is compared by its digest in constant time; a request that only claims to be one is an ordinary request", async () => {
  const crypto = process.getBuiltinModule("node:crypto");
  const compared = mock.method(crypto, "timingSafeEqual");
  const server = await serve(appWith({}), { port: 0, store: { kind: "memory" }, log: () => undefined });
  try {
    const warm = server.runtime.startupTrace().steps.filter((step) => step.name.startsWith("http:"));
    assert.ok(warm.length > 0 && warm.every((step) => step.status === "ok"), "the synthetic requests were served");
    assert.ok(compared.mock.callCount() >= 1, "timingSafeEqual compared the token");
    for (const call of compared.mock.calls)
      for (const digest of call.arguments as unknown as Buffer[]) assert.equal(digest.length, 32, "SHA-256 digests");
    const forged = await fetch(`${server.url}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hearth-warmup": crypto.randomUUID() },
      body: JSON.stringify({ message: "hi" }),
    });
    assert.equal(forged.status, 401);
  } finally {
    compared.mock.restore();
    await server.close();
  }
});
