import { HearthError } from "../core/errors.ts";

/**
 * A server-sent events body: the run writes events, the adapter reads them as it sends them. It is
 * bounded: when more than `limitBytes` wait for a client that does not read, the waiting events are
 * dropped, `onOverflow` is called (the run is aborted) and the reader gets the error, so a slow or
 * stalled client costs at most the limit in memory, never the whole reply.
 */
export class SseBody implements AsyncIterable<string> {
  readonly #limitBytes: number;
  readonly #onOverflow: (error: HearthError) => void;
  #items: string[] = [];
  #bytes = 0;
  /** A reader waiting for the next event; an overflow cannot happen while one waits (nothing is buffered). */
  #waiting: ((result: IteratorResult<string>) => void) | undefined;
  #ended = false;
  #failure: HearthError | undefined;

  constructor(limitBytes: number, onOverflow: (error: HearthError) => void) {
    this.#limitBytes = limitBytes;
    this.#onOverflow = onOverflow;
  }

  push(text: string): void {
    if (this.#ended || this.#failure !== undefined) return;
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      waiting({ value: text, done: false });
      return;
    }
    this.#items.push(text);
    this.#bytes += Buffer.byteLength(text);
    if (this.#bytes > this.#limitBytes) {
      this.#fail(
        new HearthError(
          "HEARTH_SLOW_CLIENT",
          `The client read the stream too slowly: more than ${this.#limitBytes} bytes were waiting to be sent.`,
        ),
      );
    }
  }

  end(): void {
    this.#ended = true;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }

  /** Bytes written and not yet read. */
  get pendingBytes(): number {
    return this.#bytes;
  }

  #fail(error: HearthError): void {
    this.#failure = error;
    this.#items = [];
    this.#bytes = 0;
    this.#onOverflow(error);
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return {
      next: () => {
        if (this.#failure !== undefined) return Promise.reject(this.#failure);
        const item = this.#items.shift();
        if (item !== undefined) {
          this.#bytes -= Buffer.byteLength(item);
          return Promise.resolve({ value: item, done: false });
        }
        if (this.#ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.#waiting = resolve;
        });
      },
    };
  }
}
