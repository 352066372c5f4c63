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

// ── smoke: run a .gitlab-ci.yml job with services inside an image (issue 6) ──────────────
export { serviceAliases, splitNameAndVersion, assignAliases } from "./smoke/aliases.js";
export { parseJob, listJobs } from "./smoke/job.js";
export type { SmokeJob, ImageSpec, ServiceSpec, PullPolicy, ParseJobOptions } from "./smoke/job.js";
export { loadSmokeJob, splitJobRef, BUILTIN_JOB_FILE } from "./smoke/load.js";
export { parseRunnerConfig } from "./smoke/runner-config.js";
export type { RunnerDefaults } from "./smoke/runner-config.js";
export { runSmokeJob } from "./smoke/run.js";
export type { SmokeOptions, SmokeDeps, SmokeResult, ServiceResult } from "./smoke/run.js";
export type { ResolveAuth } from "./smoke/pull.js";
export { registryAuthResolver } from "./smoke/auth.js";
export { reapAbandoned, isAbandoned } from "./smoke/reap.js";
export { junitReport, summaryLines } from "./smoke/report.js";
