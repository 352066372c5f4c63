import { sleep } from "../common/sleep.js";
import { classifyPushError, DEFAULT_PUSH_ATTEMPTS, DEFAULT_PUSH_BACKOFF_MS, type PushOptions } from "./push.js";
import { RegistryHttpError } from "./registry-api.js";

/** The retry knobs of a daemon push, applied to calls on the registry's v2 API. */
export type RegistryRetryOptions = Pick<PushOptions, "attempts" | "backoffMs" | "sleep" | "onRetry" | "signal">;

/**
 * Whether a failed registry call is worth another attempt: no answer at all (registry
 * restarting), 429 or 5xx, or a message the daemon-push policy calls transient. A 4xx
 * answer (refused credentials, a manifest the registry rejects) fails at once.
 */
export function registryErrorIsTransient(error: unknown): boolean {
  if (error instanceof RegistryHttpError) {
    if (error.status === undefined) return true;
    if (error.status === 429 || error.status >= 500) return true;
    return false;
  }
  return classifyPushError(error instanceof Error ? error.message : String(error)) === "transient";
}

/**
 * Run one registry call with the same policy as a daemon push (push.ts): the same attempt
 * budget and doubling backoff capped at 30 s, each retry reported through onRetry.
 */
export async function withRegistryRetries<T>(call: () => Promise<T>, options: RegistryRetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? DEFAULT_PUSH_ATTEMPTS;
  const pause = options.sleep ?? ((ms: number) => sleep(ms, options.signal));
  let delay = options.backoffMs ?? DEFAULT_PUSH_BACKOFF_MS;
  for (let attempt = 1; ; attempt++) {
    // Ctrl-C between calls stops here: the caller's finally blocks clean up.
    options.signal?.throwIfAborted();
    try {
      return await call();
    } catch (error) {
      if (options.signal?.aborted || attempt >= attempts || !registryErrorIsTransient(error)) throw error;
      options.onRetry?.({ attempt: attempt + 1, attempts, delayMs: delay, error: error instanceof Error ? error.message : String(error) });
      await pause(delay);
      delay = Math.min(delay * 2, 30_000);
    }
  }
}
