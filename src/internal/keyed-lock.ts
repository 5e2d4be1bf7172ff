import { Mutex } from "./mutex.ts";

/** One holder per key at a time, in arrival order; a key is forgotten when nobody holds or awaits it. */
export class KeyedLock {
  readonly #locks = new Map<string, Mutex>();

  async acquire(key: string): Promise<() => void> {
    let lock = this.#locks.get(key);
    if (lock === undefined) {
      lock = new Mutex();
      this.#locks.set(key, lock);
    }
    const release = await lock.acquire();
    return () => {
      release();
      if (lock.pending === 0 && this.#locks.get(key) === lock) this.#locks.delete(key);
    };
  }

  get size(): number {
    return this.#locks.size;
  }
}
