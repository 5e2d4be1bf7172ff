/** One holder at a time, in the order they asked. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;

  /** Resolves, once every earlier holder has released, with this holder's release function. */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => released);
    this.#waiting += 1;
    await previous;
    return () => {
      this.#waiting -= 1;
      release();
    };
  }

  /** Holders and waiters not yet released. */
  get pending(): number {
    return this.#waiting;
  }
}
