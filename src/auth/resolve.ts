import { parseImageReference, type ImageReference } from "../reference/parse.js";
import { decodeAuthField } from "./config-file.js";
import { DEFAULT_HELPER_TIMEOUT_MS, HelperError, checkHelperName, helperGet, helperList, type HelperRunOptions } from "./helpers.js";
import { lookupPathsForImage, registryPathForKey } from "./keys.js";
import type { AuthSource, DockerConfigFile, RegistryCredential, ResolveAuthOptions } from "./types.js";

/** Every registry path the sources define, each with the credential of the first source that defines it. */
export interface RegistryCredentialTable {
  readonly entries: ReadonlyMap<string, RegistryCredential>;
  /** The credential for an image: the longest registry path that is the image's path or a parent of it. */
  forImage(image: string | ImageReference): RegistryCredential | undefined;
  /** Every credential, one per registry path, in source order (for X-Registry-Config). */
  all(): RegistryCredential[];
  /** Sources skipped because a credential helper failed (each was also a warning). */
  readonly skipped: readonly SkippedSource[];
  /** The skipped sources that might have held the credential for an image. */
  skippedFor(image: string | ImageReference): SkippedSource[];
}

/** A source whose credential helper failed, so none of its credentials are used. */
export interface SkippedSource {
  source: string;
  /** The helper program, e.g. "docker-credential-ecr-login". */
  helper: string;
  /** Why, naming the helper: "docker-credential-x was not found on PATH". Never a secret. */
  reason: string;
  /** Registry paths the source names (auths and credHelpers keys). */
  registries: string[];
  /** A credsStore answers for every registry. */
  everyRegistry: boolean;
}

/**
 * GitLab Runner's registry credential resolution (helpers/docker/auth): the credential for
 * `image` from `sources` (in precedence order), or undefined when none applies. Credential
 * helpers run as child processes on options.env.PATH. Nothing is registered globally: callers
 * register the returned password/token with their SecretSet.
 */
export async function resolveRegistryAuth(
  image: string,
  sources: AuthSource[],
  options?: ResolveAuthOptions,
): Promise<RegistryCredential | undefined> {
  const ref = parseImageReference(image);
  const table = await resolveRegistryCredentials(sources, options);
  return table.forImage(ref);
}

/**
 * Read every source: within one config `auths`, then `credsStore` (`list`, then `get` per
 * server), then `credHelpers` (`get` with the key) override entries for the same key. Across
 * sources the first to define a registry path keeps it. A helper that is missing, fails,
 * hangs past the time limit or prints garbage makes its whole source be skipped with a
 * warning; a helper name with a path in it is a configuration error before anything runs.
 */
export async function resolveRegistryCredentials(sources: AuthSource[], options: ResolveAuthOptions = {}): Promise<RegistryCredentialTable> {
  for (const { source, config } of sources) checkHelperNames(config, source);
  const run: HelperRunOptions = {
    env: options.env ?? process.env,
    timeoutMs: options.helperTimeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const entries = new Map<string, RegistryCredential>();
  const skipped: SkippedSource[] = [];
  for (const { source, config } of sources) {
    let found: RegistryCredential[];
    try {
      found = await readSource(config, source, run);
    } catch (error) {
      if (!(error instanceof HelperError)) throw error;
      options.warn?.(`Failed to resolve credentials from ${source}: ${error.message}. Credentials from this source will not be used.`);
      skipped.push(skippedSource(config, source, error));
      continue;
    }
    for (const credential of found) {
      if (!entries.has(credential.registry)) entries.set(credential.registry, credential);
    }
  }
  return {
    entries,
    forImage(image) {
      for (const path of lookupPathsForImage(image)) {
        const credential = entries.get(path);
        if (credential) return credential;
      }
      return undefined;
    },
    all: () => [...entries.values()],
    skipped,
    skippedFor(image) {
      const paths = lookupPathsForImage(image);
      return skipped.filter((s) => s.everyRegistry || s.registries.some((r) => paths.includes(r)));
    },
  };
}

function skippedSource(config: DockerConfigFile, source: string, error: HelperError): SkippedSource {
  const keys = [...Object.keys(config.auths ?? {}), ...Object.keys(config.credHelpers ?? {})];
  return {
    source,
    helper: error.helper,
    reason: error.message,
    registries: [...new Set(keys.map(registryPathForKey))],
    everyRegistry: config.credsStore !== undefined && config.credsStore !== "",
  };
}

function checkHelperNames(config: DockerConfigFile, source: string): void {
  if (config.credsStore) checkHelperName(config.credsStore, `"credsStore" of ${source}`);
  for (const [key, helper] of Object.entries(config.credHelpers ?? {})) checkHelperName(helper, `"credHelpers" entry "${key}" of ${source}`);
}

/** One config's credentials, later stages overriding earlier ones for the same registry path. */
async function readSource(config: DockerConfigFile, source: string, run: HelperRunOptions): Promise<RegistryCredential[]> {
  const byPath = new Map<string, RegistryCredential>();
  const put = (key: string, username: string, password: string, identityToken?: string) => {
    if (!username && !password && !identityToken) return;
    const registry = registryPathForKey(key);
    byPath.set(registry, { registry, username, password, serverAddress: key, source, ...(identityToken ? { identityToken } : {}) });
  };

  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    const decoded = entry.auth ? decodeAuthField(entry.auth) : undefined;
    put(key, decoded?.username || entry.username || "", decoded?.password || entry.password || "", entry.identitytoken);
  }

  if (config.credsStore) {
    const store = config.credsStore;
    const keys = await helperList(store, run);
    const got = await settleAll(keys.map((key) => helperGet(store, key, run)));
    keys.forEach((key, i) => {
      const creds = got[i];
      if (creds) put(key, creds.username, creds.password, creds.identityToken);
    });
  }

  const helpers = Object.entries(config.credHelpers ?? {});
  const got = await settleAll(helpers.map(([key, helper]) => helperGet(helper, key, run)));
  helpers.forEach(([key], i) => {
    const creds = got[i];
    if (creds) put(key, creds.username, creds.password, creds.identityToken);
  });

  return [...byPath.values()];
}

/** Like Promise.all, but waits for every call before failing, so no helper outlives the resolution. */
async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
