import type { SecretSet } from "../common/secrets.js";
import type { RegistryCredential } from "./types.js";

/**
 * Register a resolved credential's secrets with the caller's SecretSet (password, the
 * base64 user:password form, identity token), so output that echoes them is redacted.
 * resolveRegistryAuth registers nothing itself: the caller owns its SecretSet.
 */
export function registerCredentialSecrets(secrets: SecretSet, credential: RegistryCredential | undefined): void {
  if (!credential) return;
  secrets.addCredential(credential.username, credential.password);
  secrets.add(credential.identityToken);
}
