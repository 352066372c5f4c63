import type { RegistryCredential } from "../auth/types.js";
import { RegistryClient } from "../docker/registry-api.js";
import { daemonAuthConfig, encodeRegistryConfig, registryConfigKey, type DaemonAuthConfig } from "../docker/registry-config.js";
import { parseImageReference } from "../reference/parse.js";
import type { BuildDeps } from "./types.js";

export interface RepositoryAccess {
  domain: string;
  /** Repository path inside the registry ("platform/runner-aws"). */
  path: string;
  credential: RegistryCredential | undefined;
  auth: DaemonAuthConfig | undefined;
  client: RegistryClient;
}

async function credentialFor(image: string, deps: BuildDeps): Promise<RegistryCredential | undefined> {
  const credential = await deps.resolveAuth(image);
  if (credential) {
    deps.secrets?.addCredential(credential.username, credential.password);
    deps.secrets?.add(credential.identityToken);
  }
  return credential;
}

/** Credentials and a v2 API client for the registry a repository lives in. */
export async function repositoryAccess(repository: string, deps: BuildDeps): Promise<RepositoryAccess> {
  const ref = parseImageReference(repository);
  const credential = await credentialFor(repository, deps);
  const client = new RegistryClient(
    {
      domain: ref.domain,
      insecure: deps.insecureRegistry(ref.domain),
      ...(credential ? { username: credential.username, password: credential.password } : {}),
      ...(credential?.identityToken ? { identityToken: credential.identityToken } : {}),
    },
    deps.fetch,
  );
  return { domain: ref.domain, path: ref.path, credential, auth: credential ? daemonAuthConfig(credential) : undefined, client };
}

/** X-Registry-Config for the registries of a build's FROM images (undefined: none needed). */
export async function registryConfigFor(images: string[], deps: BuildDeps): Promise<string | undefined> {
  const configs: Record<string, DaemonAuthConfig> = {};
  for (const image of images) {
    const key = registryConfigKey(parseImageReference(image).domain);
    if (configs[key]) continue;
    const credential = await credentialFor(image, deps);
    if (credential) configs[key] = daemonAuthConfig(credential);
  }
  return encodeRegistryConfig(configs);
}
