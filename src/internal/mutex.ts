/** One holder at a time, in the order they asked. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;

  /** Resolves, once every earlier holder has released, with this holder's release function. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const free = this.#waiting === 0;
    const previous = this.#tail;
    // Free (every earlier holder has released): no chain to wait on, the common case for a session.
    this.#tail = free ? released : previous.then(() => released);
    this.#waiting += 1;
    const done = () => {
      this.#waiting -= 1;
      release();
    };
    return free ? Promise.resolve(done) : previous.then(() => done);
  }

  /** Holders and waiters not yet released. */
  get pending(): number {
    return this.#waiting;
  }
}
