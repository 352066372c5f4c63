/** Ctrl-C during a smoke run: the interrupted error (exit 130) that ends the run's phases. */
import { interrupted } from "../../common/errors.js";

function interruptedBy(signal: AbortSignal): Error {
  return interrupted(String((signal.reason as Error | undefined)?.message ?? "a signal"));
}

/** Throw the interrupted error when `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw interruptedBy(signal);
}

/** Reject with the abort reason as soon as `signal` aborts (the work itself runs on; cleanup removes its results). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(interruptedBy(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * A signal that follows `outer` (Ctrl-C) until `detach`, and that the run can also abort
 * itself (a service that cannot start stops the job stage).
 */
export function followSignal(outer: AbortSignal | undefined): { controller: AbortController; detach: () => void } {
  const controller = new AbortController();
  const forward = () => controller.abort();
  if (outer?.aborted) controller.abort();
  outer?.addEventListener("abort", forward, { once: true });
  return { controller, detach: () => outer?.removeEventListener("abort", forward) };
}
