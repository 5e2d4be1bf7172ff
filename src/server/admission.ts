import { abortError, HearthError, UserError } from "../core/errors.ts";

/** How many chat turns one process takes at once, and how many may wait for a place, and how long. */
export interface AdmissionOptions {
  /** Chat turns running at once in this process; more wait in the queue. */
  readonly maxTurnsInFlight: number;
  /** Turns that may wait for a place; past it, a turn is refused at once. Default: `maxTurnsInFlight`. */
  readonly maxQueued?: number;
  /** The longest a turn waits for its place before it is refused. Default 5 s. */
  readonly queueTimeoutMs?: number;
}

function overloaded(why: string): HearthError {
  return new HearthError("HEARTH_OVERLOADED", why, { retryable: true, retryAfterMs: 1_000 });
}

/**
 * Admission control: at most `maxTurnsInFlight` chat turns run at once; the next ones wait in
 * arrival order, at most `maxQueued` of them and each at most `queueTimeoutMs`; past that, a turn is
 * refused with HEARTH_OVERLOADED (503, `Retry-After`), so an overloaded server answers at once
 * instead of letting every request's latency grow without bound.
 */
export class Admission {
  readonly #max: number;
  readonly #maxQueued: number;
  readonly #timeoutMs: number;
  #running = 0;
  readonly #queue: { readonly admit: () => void; readonly refuse: (error: unknown) => void }[] = [];

  constructor(options: AdmissionOptions) {
    const { maxTurnsInFlight, maxQueued = maxTurnsInFlight, queueTimeoutMs = 5_000 } = options;
    for (const [name, value, least] of [
      ["maxTurnsInFlight", maxTurnsInFlight, 1],
      ["maxQueued", maxQueued, 0],
      ["queueTimeoutMs", queueTimeoutMs, 1],
    ] as const)
      if (typeof value !== "number" || !Number.isInteger(value) || value < least)
        throw new UserError(`The server option \`admission.${name}\` must be a whole number, ${least} or more.`, {
          field: `admission.${name}`,
        });
    this.#max = maxTurnsInFlight;
    this.#maxQueued = maxQueued;
    this.#timeoutMs = queueTimeoutMs;
  }

  /** Turns running now, and waiting. */
  get load(): { readonly running: number; readonly queued: number } {
    return { running: this.#running, queued: this.#queue.length };
  }

  /** A place for one turn, at once or once one frees; resolves with the function that gives it back. */
  enter(signal: AbortSignal): Promise<() => void> {
    if (this.#running < this.#max) {
      this.#running += 1;
      return Promise.resolve(this.#leaver());
    }
    if (this.#queue.length >= this.#maxQueued)
      return Promise.reject(
        overloaded(`The server runs ${this.#max} turns at once and ${this.#queue.length} are waiting.`),
      );
    if (signal.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const waiting = {
        admit: () => {
          settle();
          this.#running += 1;
          resolve(this.#leaver());
        },
        refuse: (error: unknown) => {
          settle();
          reject(error);
        },
      };
      const timer = setTimeout(
        () =>
          waiting.refuse(
            overloaded(`The turn waited ${this.#timeoutMs} ms for one of the server's ${this.#max} places.`),
          ),
        this.#timeoutMs,
      );
      const onAbort = () => waiting.refuse(abortError(signal));
      const settle = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        const at = this.#queue.indexOf(waiting);
        if (at >= 0) this.#queue.splice(at, 1);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiting);
    });
  }

  #leaver(): () => void {
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#running -= 1;
      this.#queue[0]?.admit();
    };
  }
}
