import { linkAbort, whenAborted } from "./linked-abort.ts";

/**
 * One piece of work's deadline: a signal that follows its sources (the caller's, the runtime's) and
 * aborts after `ms` with the error `expire()` makes, made only then (an Error captures a stack).
 */
export interface Deadline {
  readonly signal: AbortSignal;
  /** The error it aborted with once the time passed; undefined before, or when a source aborted it. */
  readonly expired: unknown;
  /** Aborts the work now, with `reason`. */
  abort(reason: unknown): void;
  /** Stops the timer and leaves the sources; with a reason, also tells work still listening that it is over. */
  end(reason?: unknown): void;
}

export function startDeadline(
  sources: readonly (AbortSignal | undefined)[],
  ms: number | undefined,
  expire: () => unknown,
): Deadline {
  const link = linkAbort(sources);
  let expired: unknown;
  const timer =
    ms === undefined || link.signal.aborted
      ? undefined
      : setTimeout(() => {
          expired = expire();
          link.abort(expired);
        }, ms);
  return {
    signal: link.signal,
    get expired() {
      return expired;
    },
    abort: (reason) => link.abort(reason),
    end(reason) {
      clearTimeout(timer);
      if (reason === undefined) link.unlink();
      else link.abort(reason);
    },
  };
}

/**
 * Runs `work` under a deadline and races it, so work that ignores its signal cannot hold its caller
 * past the deadline or an abort: rejects with the deadline's error, or a source's reason. `onEnd`
 * is the reason given to work still listening once the race is over, if any.
 */
export function withDeadline<T>(
  sources: readonly (AbortSignal | undefined)[],
  ms: number | undefined,
  expire: () => unknown,
  work: (signal: AbortSignal) => T | Promise<T>,
  onEnd?: unknown,
): Promise<T> {
  const deadline = startDeadline(sources, ms, expire);
  // Listening before the work does: when the signal fires, the deadline's own reason wins the race,
  // not the rejection the work makes of it ("aborted").
  const stopped = whenAborted(deadline.signal);
  // Started at once, not on the next microtask; a synchronous throw becomes a rejection.
  let running: T | Promise<T>;
  try {
    running = work(deadline.signal);
  } catch (error) {
    running = Promise.reject(error);
  }
  // then(), not an async function with finally: one promise a call fewer, on every tool call.
  return Promise.race([running, stopped]).then(
    (value) => {
      deadline.end(onEnd);
      return value;
    },
    (error: unknown) => {
      deadline.end(onEnd);
      throw error;
    },
  );
}
