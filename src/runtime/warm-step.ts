import { abortError, HearthError } from "../core/errors.ts";
import { withDeadline } from "../internal/deadline.ts";
import { sleep } from "../models/retry.ts";
import { errorFromNetwork } from "../models/classify-error.ts";

export type FailureClass = "timeout" | "connection" | "rate-limit" | "auth" | "bad-config" | "error";

/** What kind of failure a warm step met; auth and bad config will not fix themselves. */
export function classifyFailure(error: unknown): FailureClass {
  if (HearthError.is(error)) {
    switch (error.code) {
      case "HEARTH_MODEL_TIMEOUT":
      case "HEARTH_STEP_TIMEOUT":
        return "timeout";
      case "HEARTH_MODEL_CONNECTION":
        return error.retryable ? "connection" : "bad-config";
      case "HEARTH_MODEL_RATE_LIMITED":
        return "rate-limit";
      case "HEARTH_MODEL_AUTH":
        return "auth";
      case "HEARTH_CONFIG_INVALID":
      case "HEARTH_MODEL_BAD_REQUEST":
      case "HEARTH_ASSET_INVALID":
        return "bad-config";
      default:
        return "error";
    }
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && /^(E[A-Z]+|ERR_TLS|UND_ERR)/.test(code))
    return errorFromNetwork(error, { provider: "", url: "" }).retryable ? "connection" : "bad-config";
  if (
    (error as { status?: unknown } | undefined)?.status === 401 ||
    (error as { status?: unknown } | undefined)?.status === 403
  )
    return "auth";
  return "error";
}

export function failsFast(failure: FailureClass): boolean {
  return failure === "auth" || failure === "bad-config";
}

/** Runs `work` with its own signal, aborted after `timeoutMs` (HEARTH_STEP_TIMEOUT) or with `outer`. */
export async function withStepTimeout<T>(
  step: string,
  timeoutMs: number,
  outer: AbortSignal,
  work: (signal: AbortSignal) => T | Promise<T>,
): Promise<T> {
  if (outer.aborted) throw abortError(outer);
  const expire = () =>
    new HearthError("HEARTH_STEP_TIMEOUT", `Startup step ${step} did not finish within ${timeoutMs} ms.`, {
      step,
      timeoutMs,
      retryable: true,
    });
  try {
    return await withDeadline([outer], timeoutMs, expire, work);
  } catch (error) {
    // The runtime is stopping, whatever the step made of it.
    if (outer.aborted) throw abortError(outer);
    throw error;
  }
}

export interface RetryOutcome {
  readonly attempts: number;
  readonly error?: unknown;
  readonly failure?: FailureClass;
}

export interface WarmRetryPolicy {
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Runs a warm step until it succeeds, fails in a way retrying cannot fix (auth, bad config), or
 * runs out of attempts; waits between attempts with capped exponential backoff (a rate limit's
 * Retry-After, within the cap). Never throws: the caller decides what a failure means.
 */
export async function warmWithRetry(
  policy: WarmRetryPolicy,
  signal: AbortSignal,
  attempt: () => Promise<void>,
): Promise<RetryOutcome> {
  for (let attempts = 1; ; attempts++) {
    try {
      await attempt();
      return { attempts };
    } catch (error) {
      const failure = classifyFailure(error);
      if (failsFast(failure) || attempts >= policy.attempts || signal.aborted) return { attempts, error, failure };
      const retryAfter = HearthError.is(error) ? error.retryAfterMs : undefined;
      const delay = Math.min(policy.maxDelayMs, retryAfter ?? policy.initialDelayMs * 2 ** (attempts - 1));
      // The runtime's signal lives as long as the process: sleep leaves no listener on it.
      try {
        await sleep(delay, signal);
      } catch (stopped) {
        return { attempts, error: stopped, failure: classifyFailure(stopped) };
      }
    }
  }
}
