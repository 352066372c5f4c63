import type { RegistryCredentialTable } from "../auth/resolve.js";
import type { RegistryCredential } from "../auth/types.js";
import type { CliContext } from "../cli/context.js";

/**
 * The credential resolver a CLI build uses: the sources GitLab Runner reads, resolved once
 * and only when some image first needs credentials (the auth modules, and helpers, are not
 * even loaded for an up-to-date local build), then looked up per image. Each registry's
 * source is announced once, as GitLab Runner does.
 */
export function credentialResolver(ctx: CliContext, log: (message: string) => void): (image: string) => Promise<RegistryCredential | undefined> {
  let table: Promise<RegistryCredentialTable> | undefined;
  const announced = new Set<string>();
  return async (image) => {
    table ??= (async () => {
      const [{ loadAuthSources }, { resolveRegistryCredentials }] = await Promise.all([import("../auth/sources.js"), import("../auth/resolve.js")]);
      const sources = await loadAuthSources({ env: ctx.env });
      return resolveRegistryCredentials(sources, { env: ctx.env, warn: (m) => log(`runner-kit: warning: ${m}`), signal: ctx.signal });
    })();
    const credential = (await table).forImage(image);
    if (credential && !announced.has(credential.registry)) {
      announced.add(credential.registry);
      log(`Authenticating with credentials from ${credential.source} for ${credential.registry}`);
    }
    return credential;
  };
}
