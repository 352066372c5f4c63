/**
 * Whether a registry the project uses is reachable and accepts the credentials runner-kit
 * would send: `GET /v2/` through the same client as runner-kit's own registry calls
 * (push/registry-access: credentials resolved by the docker CLI's rule, the daemon's
 * insecure-registry rule, proxies and certs.d through the transport passed in), answering
 * its Basic or Bearer challenge. A registry needed only for base images that are all on the
 * daemon already is not contacted. Never shows a secret: it names the credential's source.
 */
import { isExampleHost } from "../runner/config-warnings.js";
import { repositoryAccess, type RegistryAccessDeps } from "../push/registry-access.js";
import type { RegistryUse } from "./project-registries.js";
import { check, type Check } from "./types.js";

export interface RegistryCheckDeps extends RegistryAccessDeps {
  /** Whether the daemon already has an image (a base image it need not pull). */
  hasImage(image: string): Promise<boolean>;
  /** Why the credentials may be missing: a credential helper that failed (auth/credential-problems). */
  credentialProblems?(image: string): Promise<string | undefined>;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

async function allLocal(images: readonly string[], deps: RegistryCheckDeps): Promise<boolean> {
  if (images.length === 0) return false;
  const present = await Promise.all(images.map((image) => deps.hasImage(image).catch(() => false)));
  return present.every(Boolean);
}

export async function registryCheck(use: RegistryUse, deps: RegistryCheckDeps): Promise<Check> {
  const uses = use.uses.join("; ");
  if (!use.required && (await allLocal(use.baseImages, deps))) {
    return check("registry", use.domain, "skipped", `not contacted: every image the project needs from it is on the daemon (${use.baseImages.join(", ")})`);
  }
  let access;
  try {
    access = await repositoryAccess(use.sample, deps);
  } catch (error) {
    return check("registry", use.domain, "problem", `its credentials cannot be resolved (${error instanceof Error ? error.message : String(error)}); needed for ${uses}`, "fix the credential source named above");
  }
  let res: Response;
  try {
    res = await access.client.request("/v2/", { signal: AbortSignal.timeout(deps.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
  } catch (error) {
    const why = `${error instanceof Error ? error.message : String(error)}; needed for ${uses}`;
    if (isExampleHost(use.domain)) {
      return check("registry", use.domain, "problem", why, `${use.domain} is an example host name (RFC 2606): set registry: (or the image reference) in the project file to your registry`);
    }
    return check(
      "registry",
      use.domain,
      "problem",
      why,
      `check the host name and port; behind a proxy set HTTPS_PROXY (and NO_PROXY for local hosts); for a private CA put its ca.crt in /etc/docker/certs.d/${use.domain}/`,
    );
  }
  await res.body?.cancel().catch(() => {});
  const from = access.credential ? `the credentials from ${access.credential.source}` : undefined;
  if (res.ok) return check("registry", use.domain, "ok", `reachable over ${(await deps.insecureRegistry(use.domain)) ? "HTTP" : "HTTPS"}; ${from ? `accepts ${from}` : "anonymous access"} — ${uses}`);
  if (res.status === 401 || res.status === 403) {
    const skipped = await deps.credentialProblems?.(use.sample);
    if (from) {
      return check("registry", use.domain, "problem", `refused ${from} (HTTP ${res.status}); needed for ${uses}`, `log in again (docker login ${use.domain}) or correct the entry for ${use.domain} in ${access.credential!.source}`);
    }
    return check(
      "registry",
      use.domain,
      "problem",
      `asks for credentials (HTTP ${res.status}) and no source has any for it${skipped ? `: ${skipped}` : ""}; needed for ${uses}`,
      `run docker login ${use.domain}, or add ${use.domain} to DOCKER_AUTH_CONFIG or to the auths or credHelpers of the Docker config.json`,
    );
  }
  return check("registry", use.domain, "problem", `answered HTTP ${res.status} to GET /v2/, so it does not speak the registry API v2; needed for ${uses}`, `check that ${use.domain} is a Docker registry's address (host and port)`);
}
