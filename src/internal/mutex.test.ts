import assert from "node:assert/strict";
import { test } from "node:test";
import { Mutex } from "./mutex.ts";

test("holders go one at a time in the order they asked; a free mutex is taken at once", async () => {
  const mutex = new Mutex();
  const order: string[] = [];
  const hold = async (name: string, ms: number) => {
    const release = await mutex.acquire();
    order.push(`${name}+`);
    await new Promise((resolve) => setTimeout(resolve, ms));
    order.push(`${name}-`);
    release();
  };
  await Promise.all([hold("a", 15), hold("b", 1), hold("c", 5)]);
  assert.deepEqual(order, ["a+", "a-", "b+", "b-", "c+", "c-"]);
  assert.equal(mutex.pending, 0);
  // Free again: the next holder does not wait behind the old chain, and the one after waits for it.
  const first = await mutex.acquire();
  let secondHeld = false;
  const second = mutex.acquire().then((release) => {
    secondHeld = true;
    return release;
  });
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(secondHeld, false, "the second waits while the first holds");
  assert.equal(mutex.pending, 2);
  first();
  (await second)();
  assert.equal(secondHeld, true);
  assert.equal(mutex.pending, 0);
});
