/** One holder per key at a time, in arrival order; keys are forgotten when nobody holds them. */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  async acquire(key: string): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const tail = previous.then(() => released);
    this.#tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
  }

  get size(): number {
    return this.#tails.size;
  }
}
