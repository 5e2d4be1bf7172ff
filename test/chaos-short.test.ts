// The short version of `npm run chaos`, as CI runs it: each scenario briefly, held to its promises
// (for overload: every request answered 200, or refused 503 with Retry-After; nothing else).
import assert from "node:assert/strict";
import { test } from "node:test";
import { runNode } from "./support/run-node.ts";

test("npm run chaos, short: every scenario keeps its promises", async () => {
  const { code, stdout } = await runNode(
    ["--conditions=@hearth/source", new URL("../chaos/run.ts", import.meta.url).pathname],
    {
      CHAOS_SHORT: "1",
    },
  );
  assert.equal(code, 0, stdout);
  const admitted = stdout.split("\n").find((line) => line.startsWith("| admission control on |")) ?? "";
  // sent, answered, refused (with Retry-After), other failures.
  const [, , sent, answered, refused, failures] = admitted.split("|").map((cell) => cell.trim());
  assert.equal(Number(answered) + Number(/^\d+/.exec(refused ?? "")?.[0]), Number(sent), admitted);
  assert.match(failures ?? "", /^0 \{\}$/);
});
