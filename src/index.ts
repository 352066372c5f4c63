/**
 * runner-kit library API. Each room exports its public functions here; the CLI is a thin
 * layer over the same functions.
 */
export {
  ExitCode,
  RunnerKitError,
  configError,
  describeError,
  failure,
  isRunnerKitError,
  usageError,
} from "./errors.js";
export type { ErrorKind, SourceLocation, RunnerKitErrorOptions } from "./errors.js";
export { SecretSet } from "./secrets.js";
export { runCli } from "./cli/program.js";
export type { CliContext, TextSink } from "./cli/context.js";

// ── reference + auth (issue 4, registry auth and image references) ──────────────────────
export {
  dockerRef,
  isDockerHub,
  isValidImageReference,
  parseImageReference,
  registryHost,
  withDigest,
  withTag,
  withoutTagOrDigest,
} from "./reference/parse.js";
export type { ImageReference, ParseReferenceOptions } from "./reference/parse.js";
