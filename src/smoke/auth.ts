/**
 * The pull-credential resolver smoke injects into ensureImage: the auth room's
 * createCredentialResolver (GitLab Runner's sources in order — DOCKER_AUTH_CONFIG, then the
 * user's Docker config — helpers run once, every password registered as a secret).
 * Loaded on the first pull only: a run with local images never pays for it.
 */
import type { CredentialResolver } from "../auth/resolver.js";
import type { SecretSet } from "../common/secrets.js";
import type { ResolveAuth } from "./pull.js";

export function registryAuthResolver(env: NodeJS.ProcessEnv, secrets: SecretSet, warn: (m: string) => void, signal?: AbortSignal): ResolveAuth {
  let resolver: Promise<CredentialResolver> | undefined;
  return async (image) => {
    resolver ??= import("../auth/resolver.js").then(({ createCredentialResolver }) =>
      createCredentialResolver({ env, secrets, warn, ...(signal ? { signal } : {}) }),
    );
    return (await resolver).forImage(image);
  };
}
