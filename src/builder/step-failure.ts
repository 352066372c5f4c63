/**
 * The text for a failed build step: the daemon's words, with what a signal exit code means.
 * A step killed by a signal (137 = SIGKILL, 143 = SIGTERM) reads in the daemon's words as if
 * the command itself failed; usually it was memory, a `docker kill`, or the daemon stopping.
 */
import type { BuildOutcome } from "./classic-events.js";

/** The classic builder says "returned a non-zero code: 137", BuildKit "executor failed running […]: exit code: 137". */
const SIGNAL_EXIT = /(?:returned a non-zero code|exit code): (137|143)\b/;

export function stepFailureText(outcome: BuildOutcome): string {
  const step = outcome.failedStep ? `${outcome.failedStep.replace(/^Step /, "step ")} failed: ` : "";
  const error = outcome.error ?? "the daemon reported no image id";
  const signal = SIGNAL_EXIT.exec(error)?.[1];
  if (signal === undefined) return `${step}${error}`;
  const how = signal === "137" ? "killed (SIGKILL)" : "terminated (SIGTERM)";
  return (
    `${step}${error} — exit code ${signal} means the step's process was ${how}, not that its command failed: ` +
    "most often the build ran out of memory, someone stopped the build container, or the Docker daemon stopped or restarted while the step ran"
  );
}
