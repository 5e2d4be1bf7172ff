/** An abort controller that also aborts when any of its sources does, until it is unlinked. */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  /** Aborts this controller (and not its sources) with `reason`. */
  abort(reason: unknown): void;
  /** Removes its listeners from the sources. Call it when the work ends, aborted or not. */
  unlink(): void;
}

/**
 * Used instead of `AbortSignal.any` on every request path. In Node 24, listening to an
 * `AbortSignal.any` result costs about 4 µs (a plain signal: 0.1 µs) and leaves weak references for
 * the garbage collector to finalise; a listener never removed keeps the result alive for as long as
 * a long-lived source (the runtime's signal) lives (nodejs/node#64476). A link is plain listeners,
 * removed by `unlink()`.
 */
export function linkAbort(sources: readonly (AbortSignal | undefined)[]): LinkedAbort {
  const controller = new AbortController();
  const followed: AbortSignal[] = [];
  const onSourceAbort = (event: Event) => {
    unlink();
    controller.abort((event.target as AbortSignal).reason);
  };
  const unlink = () => {
    for (const source of followed) source.removeEventListener("abort", onSourceAbort);
    followed.length = 0;
  };
  for (const source of sources) {
    if (source === undefined) continue;
    if (source.aborted) {
      unlink();
      controller.abort(source.reason);
      break;
    }
    source.addEventListener("abort", onSourceAbort);
    followed.push(source);
  }
  return {
    signal: controller.signal,
    abort: (reason) => {
      unlink();
      controller.abort(reason);
    },
    unlink,
  };
}
