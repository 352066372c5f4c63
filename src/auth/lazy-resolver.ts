/**
 * The credential resolver a command hands to its pulls and pushes, loaded on first use: a
 * run that only uses local images never loads the auth modules or runs a credential helper.
 * Once loaded it is createCredentialResolver's (sources read and helpers run once, every
 * password registered as a secret).
 */
import type { CredentialResolver, CredentialResolverOptions } from "./resolver.js";
import type { RegistryCredential } from "./types.js";

/** What a pull asks: the credential for an image, or undefined (anonymous). */
export type ResolveAuth = (image: string) => Promise<RegistryCredential | undefined>;

export function createLazyCredentialResolver(options: CredentialResolverOptions): CredentialResolver {
  let resolver: Promise<CredentialResolver> | undefined;
  const load = () => (resolver ??= import("./resolver.js").then(({ createCredentialResolver }) => createCredentialResolver(options)));
  return {
    forImage: async (image) => (await load()).forImage(image),
    all: async () => (await load()).all(),
    skippedFor: async (image) => (await load()).skippedFor(image),
  };
}
