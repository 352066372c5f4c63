import { dockerAuthConfig, type DaemonAuthConfig } from "../auth/daemon-auth.js";
import { registerCredentialSecrets } from "../auth/secrets.js";
import type { RegistryCredential } from "../auth/types.js";
import { RegistryClient } from "./registry-api.js";
import { parseImageReference } from "../reference/parse.js";
import type { SecretSet } from "../common/secrets.js";
import type { FetchLike } from "./registry-api.js";

/** What reaching a registry needs, passed in by the caller. */
export interface RegistryAccessDeps {
  /** Credentials for the registry of an image reference (undefined: anonymous). */
  resolveAuth(image: string): Promise<RegistryCredential | undefined>;
  /** Whether the daemon talks plain HTTP to this registry domain. */
  insecureRegistry(domain: string): boolean | Promise<boolean>;
  /** Every credential resolved is registered here, so no output shows it. */
  secrets?: SecretSet;
  fetch?: FetchLike;
}

export interface RepositoryAccess {
  domain: string;
  /** Repository path inside the registry ("platform/runner-aws"). */
  path: string;
  credential: RegistryCredential | undefined;
  auth: DaemonAuthConfig | undefined;
  client: RegistryClient;
}

/** The credential for an image's registry, registered with the secrets so no output shows it. */
export async function credentialFor(image: string, deps: Pick<RegistryAccessDeps, "resolveAuth" | "secrets">): Promise<RegistryCredential | undefined> {
  const credential = await deps.resolveAuth(image);
  if (deps.secrets) registerCredentialSecrets(deps.secrets, credential);
  return credential;
}

/** Credentials and a v2 API client for the registry a repository lives in. */
export async function repositoryAccess(repository: string, deps: RegistryAccessDeps): Promise<RepositoryAccess> {
  const ref = parseImageReference(repository);
  const credential = await credentialFor(repository, deps);
  const client = new RegistryClient(
    {
      domain: ref.domain,
      insecure: await deps.insecureRegistry(ref.domain),
      ...(credential ? { username: credential.username, password: credential.password } : {}),
      ...(credential?.identityToken ? { identityToken: credential.identityToken } : {}),
    },
    deps.fetch,
  );
  return { domain: ref.domain, path: ref.path, credential, auth: credential ? dockerAuthConfig(credential) : undefined, client };
}
