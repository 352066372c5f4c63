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
export { resolveRegistryAuth, resolveRegistryCredentials } from "./auth/resolve.js";
export type { RegistryCredentialTable } from "./auth/resolve.js";
export { loadAuthSources, DOCKER_AUTH_CONFIG } from "./auth/sources.js";
export type { LoadAuthSourcesOptions } from "./auth/sources.js";
export { parseDockerConfig, decodeAuthField } from "./auth/config-file.js";
export { registryPathForKey, lookupPathsForImage, DOCKER_HUB_SERVER_ADDRESS } from "./auth/keys.js";
export { dockerAuthConfig, registryConfigHeader, registryConfigMap } from "./auth/daemon-auth.js";
export { registerCredentialSecrets } from "./auth/secrets.js";
export type { DaemonAuthConfig } from "./auth/daemon-auth.js";
export type { AuthSource, DockerAuthEntry, DockerConfigFile, RegistryCredential, ResolveAuthOptions } from "./auth/types.js";
