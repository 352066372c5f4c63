/**
 * runner-kit's library API: the steps of the CLI as functions, in the order of the data
 * flow (src/README.md), each taking its effects (Docker client, environment, file reads,
 * output) as parameters. docs/library.md shows them in use.
 */

// Errors and secrets: every error runner-kit reports on purpose, and the redaction of secrets.
export { ExitCode, RunnerKitError, isRunnerKitError } from "./common/errors.js";
export type { ErrorKind, SourceLocation } from "./common/errors.js";
export { SecretSet } from "./common/secrets.js";

// Image references (distribution/reference semantics).
export { isValidImageReference, parseImageReference } from "./reference/parse.js";
export type { ImageReference } from "./reference/parse.js";

// Registry credentials, resolved the way GitLab Runner resolves them.
export { loadAuthSources } from "./auth/sources.js";
export { resolveRegistryAuth, resolveRegistryCredentials } from "./auth/resolve.js";
export { createCredentialResolver } from "./auth/resolver.js";
export type { CredentialResolver, CredentialResolverOptions } from "./auth/resolver.js";
export type { AuthSource, DockerConfigFile, RegistryCredential, ResolveAuthOptions } from "./auth/types.js";

// The project file → Plan → rendered Dockerfiles → lint.
export { loadPlan } from "./project/load.js";
export type { LoadPlanOptions } from "./project/load.js";
export type { Plan, Variant } from "./project/plan.js";
export { renderVariant } from "./render/render.js";
export type { RenderOptions } from "./render/render.js";
export { lintDockerfile } from "./lint/lint.js";
export type { Finding as LintFinding, Severity as LintSeverity } from "./lint/lint.js";

// Platforms (os/arch[/variant], normalised as containerd does) and multi-platform images.
export { formatPlatform, parsePlatform } from "./reference/platform.js";
export type { Platform } from "./reference/platform.js";
export { pushImageIndex } from "./push/image-index.js";
export type { ImageIndexResult } from "./push/image-index.js";

// The Docker Engine, and building and pushing every variant of a Plan.
export { connectDocker, connectEngine } from "./engine/client.js";
export type { EngineApi } from "./engine/engine-api.js";
export { buildVariants } from "./bake/build-variants.js";
export type { BuildDeps, BuildOptions, BuildReporter, VariantResult } from "./bake/types.js";

// runner-kit.lock.
export { readLock, writeLock } from "./lock/store.js";
export { pinnedReference } from "./lock/lockfile.js";
export { mergeLockFragments } from "./lock/merge-fragments.js";
export type { LockEntry, LockFile } from "./lock/lockfile.js";

// gitlab-runner config.toml, the registration template and Docker config.json.
export { buildRunnerConfig } from "./runner/assemble.js";
export type { RunnerConfigInput, RunnerConfigOutput } from "./runner/assemble.js";
export { writeRunnerFiles } from "./runner/write.js";
export { buildDockerConfig, writeDockerConfig } from "./runner/docker-config.js";
export type { RunnerSection } from "./project/runner-schema.js";

// Smoke: a .gitlab-ci.yml job run as GitLab Runner's Docker executor runs it.
export { serviceAliases } from "./smoke/executor/aliases.js";
export { parseJob } from "./smoke/job/parse.js";
export type { SmokeJob } from "./smoke/job/types.js";
export { loadSmokeJob } from "./smoke/job/load.js";
export { runSmokeJob } from "./smoke/run.js";
export type { SmokeDeps, SmokeOptions, SmokeResult } from "./smoke/run.js";
export { registryAuthResolver } from "./smoke/setup.js";
export { parseRunnerConfig } from "./smoke/job/runner-config.js";
export type { RunnerDefaults } from "./smoke/job/runner-config.js";
export { parseEnvFile } from "./smoke/job/cicd-variables.js";
export type { CicdVariables } from "./smoke/job/cicd-variables.js";

// The generated GitLab CI pipeline.
export { generatePipeline } from "./pipeline/generate.js";
