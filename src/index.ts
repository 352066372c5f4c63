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
} from "./common/errors.js";
export type { ErrorKind, SourceLocation, RunnerKitErrorOptions } from "./common/errors.js";
export { SecretSet } from "./common/secrets.js";
export { runCli } from "./cli/program.js";
export type { CliContext, TextSink } from "./common/context.js";

// ── render: project file → Plan → Dockerfiles → lint ───────────────────────────────────
export { loadPlan } from "./project/load.js";
export type { LoadPlanOptions } from "./project/load.js";
export type { Plan, Variant, SmokeRef } from "./project/plan.js";
export { renderVariant, renderVariantDetailed } from "./render/render.js";
export type { RenderOptions, RenderedVariant } from "./render/render.js";
export { TemplateStore } from "./template/template-store.js";
export { builtinTemplatesDir } from "./template/builtin-dir.js";
export { lintDockerfile, RULES as LINT_RULES } from "./lint/lint.js";
export type { Finding as LintFinding, Rule as LintRule, Severity as LintSeverity } from "./lint/lint.js";
export { unifiedDiff } from "./render/diff.js";

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
export { resolveRegistryAuth, resolveRegistryCredentials } from "./auth/resolve.js";
export type { RegistryCredentialTable } from "./auth/resolve.js";
export { loadAuthSources, DOCKER_AUTH_CONFIG } from "./auth/sources.js";
export type { LoadAuthSourcesOptions } from "./auth/sources.js";
export { parseDockerConfig, decodeAuthField } from "./auth/config-file.js";
export { registryPathForKey, lookupPathsForImage, DOCKER_HUB_SERVER_ADDRESS } from "./auth/keys.js";
export { dockerAuthConfig, registryConfigHeader, registryConfigMap } from "./auth/daemon-auth.js";
export { registerCredentialSecrets } from "./auth/secrets.js";
export { createCredentialResolver } from "./auth/resolver.js";
export type { CredentialResolver, CredentialResolverOptions } from "./auth/resolver.js";
export type { DaemonAuthConfig } from "./auth/daemon-auth.js";
export type { AuthSource, DockerAuthEntry, DockerConfigFile, RegistryCredential, ResolveAuthOptions } from "./auth/types.js";
// ── runner: config.toml, registration template, Docker config.json ─────────────────────
export { runnerSectionSchema } from "./project/runner-schema.js";
export type { RunnerSection, RunnerService, RunnerRegistry, RunnerConfigJson } from "./project/runner-schema.js";
export { parseRunnerSection } from "./runner/parse-section.js";
export { buildRunnerConfig } from "./runner/assemble.js";
export type { RunnerConfigInput, RunnerConfigOutput, RunnerSummary, OutputFile } from "./runner/assemble.js";
export { writeRunnerFiles } from "./runner/write.js";
export { runConfigCommand } from "./runner/command.js";
export type { ConfigCommandOptions, ConfigCommandDeps } from "./runner/command.js";
export { buildDockerConfig, writeDockerConfig, dockerConfigText, dockerConfigMode, credsStoreWarning, ECR_HELPER } from "./runner/docker-config.js";
export type { DockerConfigSpec, DockerConfigResult } from "./runner/docker-config.js";
export { authEntry, dockerAuthConfigValue } from "./runner/docker-auth.js";
export type { StaticCredential } from "./runner/credentials.js";
export { ecrHostProblem, helperNameProblem, registryHostProblem, authKey } from "./project/runner-hosts.js";

// ── smoke: run a .gitlab-ci.yml job with services inside an image (issue 6) ──────────────
export { serviceAliases, splitNameAndVersion, assignAliases } from "./smoke/aliases.js";
export { parseJob, listJobs } from "./smoke/job.js";
export type { SmokeJob, ImageSpec, ServiceSpec, PullPolicy, ParseJobOptions } from "./smoke/job.js";
export { loadSmokeJob, splitJobRef, BUILTIN_JOB_FILE } from "./smoke/load.js";
export { parseRunnerConfig } from "./smoke/runner-config.js";
export type { RunnerDefaults } from "./smoke/runner-config.js";
export { runSmokeJob } from "./smoke/run.js";
export { smokeImage } from "./smoke/for-image.js";
export type { SmokeImageOptions, SmokeImageDeps } from "./smoke/for-image.js";
export type { SmokeOptions, SmokeDeps, SmokeResult, ServiceResult } from "./smoke/run.js";
export type { ResolveAuth } from "./smoke/pull.js";
export { registryAuthResolver } from "./smoke/auth.js";
export { reapAbandoned, isAbandoned } from "./smoke/reap.js";
export { junitReport, summaryLines } from "./smoke/report.js";
// smoke's Docker Engine access: a dockerode Docker or the thin node:http client both fit EngineApi.
export type { EngineApi, EngineContainer } from "./engine/engine-api.js";
export { connectEngine } from "./engine/client.js";
export { RunStart } from "./smoke/start.js";


// ── build (issue 4, build and push through the Docker Engine API) ───────────────────────
export { buildVariants, buildPrepared } from "./bake/build-variants.js";
export { prepareVariants } from "./bake/prepare.js";
export { runBuildCommand } from "./bake/command.js";
export type { BuildCommandOptions } from "./bake/command.js";
export { CONTENT_HASH_LABEL, TEMPLATE_LABEL, VARIANT_LABEL, imageLabels } from "./builder/image-labels.js";
export { gitlabReporter, plainReporter, quietReporter, ttyReporter } from "./bake/reporters.js";
export { summaryDocument, summaryTable } from "./bake/summary.js";
export type { BuildSummaryDocument } from "./bake/summary.js";
export type { BuildDeps, BuildOptions, BuildReporter, PreparedVariant, VariantResult, VariantStatus } from "./bake/types.js";
export { listContextFiles } from "./builder/context-files.js";
export type { ContextEntry, ContextListing } from "./builder/context-files.js";
export { contextTar, INJECTED_DOCKERFILE } from "./builder/context.js";
export { computeContentHash } from "./builder/content-hash.js";
export { dockerfileBases } from "./dockerfile/from.js";
export { runClassicBuild } from "./builder/classic.js";
export { pushTag, pushedDigest, PushError } from "./push/push.js";
export { RegistryClient, RegistryHttpError } from "./push/registry-api.js";
export { readLock, writeLock, staleLockReasons, mergeLock } from "./lock/store.js";
export { LOCK_FILE_NAME, pinnedReference } from "./lock/lockfile.js";
export type { LockEntry, LockFile } from "./lock/lockfile.js";
