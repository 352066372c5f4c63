import { RunnerKitError } from "../../src/common/errors.js";

/** The RunnerKitError `fn` throws; anything else it throws is rethrown, and not throwing fails. */
export function thrown(fn: () => unknown): RunnerKitError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RunnerKitError) return error;
    throw error;
  }
  throw new Error("expected a RunnerKitError, but nothing was thrown");
}
