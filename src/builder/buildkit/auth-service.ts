/**
 * The session's `moby.filesync.v1.Auth` service: BuildKit asks for registry credentials one
 * host at a time (`Credentials{Host}`), so each registry of a build — two private
 * registries in one Dockerfile included — gets its own credential from runner-kit's
 * resolver. The token-authority methods answer "unimplemented", which makes BuildKit fall
 * back to Credentials, as it does with a Docker CLI that has no token authority.
 */
import { registerCredentialSecrets } from "../../auth/secrets.js";
import type { RegistryCredential } from "../../auth/types.js";
import type { SecretSet } from "../../common/secrets.js";
import { DEFAULT_DOMAIN } from "../../reference/normalize.js";
import { parseImageReference } from "../../reference/parse.js";
import { GrpcCode, SessionCallError, type SessionMethod } from "./session.js";

const SERVICE = "/moby.filesync.v1.Auth";
/** The host BuildKit asks about for Docker Hub images. */
const HUB_PULL_HOST = "registry-1.docker.io";

export interface AuthServiceOptions {
  resolveAuth(imageOrHost: string): Promise<RegistryCredential | undefined>;
  /** The build's FROM (and cache-from) images: a host's credential is looked up for its image when one is on that host. */
  baseImages: string[];
  secretSet?: SecretSet;
}

/** What the session answered per host: the credential's source, or undefined when it had none. */
export type ServedHosts = Map<string, string | undefined>;

function registryOf(image: string): string | undefined {
  try {
    return parseImageReference(image).domain;
  } catch {
    return undefined;
  }
}

/**
 * What to look the host's credential up by: the first FROM image on that host (so
 * credentials stored for `host/group` apply), else the host itself.
 */
export function credentialKeyForHost(host: string, baseImages: string[]): string {
  const registry = host === HUB_PULL_HOST ? DEFAULT_DOMAIN : host.toLowerCase();
  return baseImages.find((image) => registryOf(image)?.toLowerCase() === registry) ?? registry;
}

/** BuildKit's answer shape: an identity token travels as the secret with no user name (as the Docker CLI sends it). */
export function credentialsAnswer(credential: RegistryCredential | undefined): Record<string, unknown> {
  if (!credential) return {};
  if (credential.identityToken) return { Secret: credential.identityToken };
  return { Username: credential.username, Secret: credential.password };
}

function unimplemented(name: string): SessionMethod {
  return {
    path: `${SERVICE}/${name}`,
    handle: () => Promise.reject(new SessionCallError(GrpcCode.unimplemented, `runner-kit's session does not implement ${name}; use Credentials`)),
  };
}

export function authMethods(options: AuthServiceOptions, served: ServedHosts): SessionMethod[] {
  const credentials: SessionMethod = {
    path: `${SERVICE}/Credentials`,
    request: "CredentialsRequest",
    response: "CredentialsResponse",
    async handle(request) {
      const host = String(request.Host ?? "");
      let credential: RegistryCredential | undefined;
      try {
        credential = await options.resolveAuth(credentialKeyForHost(host, options.baseImages));
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        throw new SessionCallError(GrpcCode.unavailable, `runner-kit could not resolve credentials for ${host}: ${why}`);
      }
      if (options.secretSet) registerCredentialSecrets(options.secretSet, credential);
      served.set(host, credential?.source);
      return credentialsAnswer(credential);
    },
  };
  return [credentials, unimplemented("GetTokenAuthority"), unimplemented("VerifyTokenAuthority"), unimplemented("FetchToken")];
}

const REFUSED = /\b401\b|unauthori[sz]ed|authentication required|denied|\b403\b|forbidden|failed to authorize/i;

/**
 * A refused pull, said the way the classic path says it: which host refused and where the
 * credential runner-kit sent came from (or that it sent none).
 */
export function explainRefusal(error: string, served: ServedHosts): string {
  if (!REFUSED.test(error)) return error;
  for (const [host, source] of served) {
    const name = host === HUB_PULL_HOST ? DEFAULT_DOMAIN : host;
    if (!error.includes(host) && !error.includes(name)) continue;
    const sent = source ? `runner-kit sent the credentials for ${name} from ${source}` : `runner-kit had no credentials for ${name}`;
    return `${error} (${sent}; check that they are current and may pull from this registry)`;
  }
  return error;
}
