import assert from "node:assert/strict";
import { test } from "node:test";
import { KeyedLock } from "./keyed-lock.ts";

test("one holder per key, in arrival order; other keys run alongside; idle keys are forgotten", async () => {
  const locks = new KeyedLock();
  const order: string[] = [];
  const hold = async (key: string, name: string, ms: number) => {
    const release = await locks.acquire(key);
    order.push(`${name} in`);
    await new Promise((resolve) => setTimeout(resolve, ms));
    order.push(`${name} out`);
    release();
  };
  await Promise.all([hold("a", "a1", 20), hold("a", "a2", 1), hold("b", "b1", 5)]);
  assert.deepEqual(
    order.filter((line) => line.startsWith("a")),
    ["a1 in", "a1 out", "a2 in", "a2 out"],
  );
  assert.ok(order.indexOf("b1 in") < order.indexOf("a1 out"), "another key did not wait");
  assert.equal(locks.size, 0);
});
