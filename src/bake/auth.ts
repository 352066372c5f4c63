import type { RegistryCredential } from "../auth/types.js";
import { WARNING_PREFIX, type CliContext } from "../common/context.js";
import { describeSkippedSources } from "../auth/credential-problems.js";
import { createLazyCredentialResolver } from "../auth/lazy-resolver.js";
import { traceMark } from "../common/trace.js";

/**
 * The credential resolver a CLI build uses (the auth room's createCredentialResolver),
 * loaded on first use: an up-to-date local build never loads the auth modules or runs a
 * credential helper. GitLab Runner's "Authenticating with credentials from …" line is
 * printed once per source, not once per image.
 */
export function lazyCredentialResolver(
  ctx: CliContext,
  log: (message: string) => void,
): { resolveAuth(image: string): Promise<RegistryCredential | undefined>; credentialProblems(image: string): Promise<string | undefined> } {
  const said = new Set<string>();
  const resolver = createLazyCredentialResolver({
    env: ctx.env,
    rule: "docker-cli",
    secrets: ctx.secrets,
    signal: ctx.signal,
    warn: (message) => log(`${WARNING_PREFIX}${message}`),
    info: (message) => {
      traceMark(`credentials: ${message}`);
      if (!said.has(message)) log(message);
      said.add(message);
    },
  });
  return {
    resolveAuth: (image) => resolver.forImage(image),
    // Only asked after a refusal, so the resolver has run by then.
    credentialProblems: async (image) => describeSkippedSources(await resolver.skippedFor(image)),
  };
}
