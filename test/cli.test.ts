// The README's run command: `npm start` runs `hearth demo`, which must answer on a fresh machine.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const cli = new URL("../src/cli/main.ts", import.meta.url).pathname;
const node = (args: string[]) => run(process.execPath, ["--conditions=development", cli, ...args], { env: { ...process.env, OPENAI_API_KEY: "" }, timeout: 30_000 });

test("hearth demo answers the seed question from the orders table through the mock server", async () => {
  const { stdout } = await node(["demo"]);
  assert.match(stdout, /support_agent on hearth's mock model server/);
  assert.match(stdout, /tool call\s+lookup_order\(\{"order_id":"A123"\}\)/);
  assert.match(stdout, /support_agent\s+Order A123 has shipped with DHL \(tracking JD014600006281\)/);
});

test("hearth demo takes the question as an argument", async () => {
  const { stdout } = await node(["demo", "Where is order B201?"]);
  assert.match(stdout, /Order B201 was delivered/);
});

test("hearth version prints the package version; an unknown command exits 2 with the usage", async () => {
  const { stdout } = await node(["version"]);
  assert.match(stdout, /^\d+\.\d+\.\d+\n$/);
  await assert.rejects(node(["nope"]), (error: { code?: number; stderr?: string }) => error.code === 2 && /unknown command "nope"/.test(error.stderr ?? ""));
});
