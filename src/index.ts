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

// ── runner: config.toml, registration template, Docker config.json ─────────────────────
export { runnerSectionSchema } from "./runner/schema.js";
export type { RunnerSection, RunnerService, RunnerRegistry, RunnerConfigJson } from "./runner/schema.js";
export { parseRunnerSection } from "./runner/parse-section.js";
export { buildRunnerConfig } from "./runner/build.js";
export type { RunnerConfigInput, RunnerConfigOutput, RunnerSummary, OutputFile } from "./runner/build.js";
export { writeRunnerFiles } from "./runner/write.js";
export { runConfigCommand } from "./runner/command.js";
export type { ConfigCommandOptions, ConfigCommandDeps } from "./runner/command.js";
export { buildDockerConfig, writeDockerConfig, dockerConfigText, dockerConfigMode, credsStoreWarning, ECR_HELPER } from "./runner/docker-config.js";
export type { DockerConfigSpec, DockerConfigResult } from "./runner/docker-config.js";
export { authEntry, dockerAuthConfig } from "./runner/docker-auth.js";
export type { StaticCredential } from "./runner/credentials.js";
export { ecrHostProblem, helperNameProblem, registryHostProblem, authKey } from "./runner/hosts.js";
export { readRunnerLock } from "./runner/lock.js";
