import type { SecretSet } from "../common/secrets.js";
import { resolveRegistryCredentials, type RegistryCredentialTable, type SkippedSource } from "./resolve.js";
import { registerCredentialSecrets } from "./secrets.js";
import { loadAuthSources, type LoadAuthSourcesOptions } from "./sources.js";
import type { RegistryCredential } from "./types.js";

export interface CredentialResolverOptions extends LoadAuthSourcesOptions {
  /** Every resolved password and token is added here, so output is redacted. */
  secrets?: SecretSet;
  /** Warnings such as a missing credential helper. */
  warn?: (message: string) => void;
  /** GitLab Runner's "Authenticating with credentials from <source>" line, once per image asked for. */
  info?: (message: string) => void;
  signal?: AbortSignal;
  helperTimeoutMs?: number;
}

export interface CredentialResolver {
  /** The credential for an image, or undefined (anonymous). */
  forImage(image: string): Promise<RegistryCredential | undefined>;
  /** Every credential the sources define (for X-Registry-Config). */
  all(): Promise<RegistryCredential[]>;
  /**
   * Sources skipped (with a warning) because their credential helper failed, that might
   * have held the image's credential: what a refused push or pull names as the likely cause.
   */
  skippedFor(image: string): Promise<SkippedSource[]>;
}

/**
 * What a command uses: the sources are read and the helpers run once, on first use, then
 * every image is answered from the same table.
 */
export function createCredentialResolver(options: CredentialResolverOptions): CredentialResolver {
  let table: Promise<RegistryCredentialTable> | undefined;
  const load = () =>
    (table ??= (async () => {
      const sources = await loadAuthSources(options);
      const resolved = await resolveRegistryCredentials(sources, {
        env: options.env,
        ...(options.warn ? { warn: options.warn } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.helperTimeoutMs !== undefined ? { helperTimeoutMs: options.helperTimeoutMs } : {}),
      });
      if (options.secrets) for (const credential of resolved.all()) registerCredentialSecrets(options.secrets, credential);
      return resolved;
    })());
  return {
    async forImage(image) {
      const credential = (await load()).forImage(image);
      if (credential) options.info?.(`Authenticating with credentials from ${credential.source}`);
      return credential;
    },
    all: async () => (await load()).all(),
    skippedFor: async (image) => (await load()).skippedFor(image),
  };
}
