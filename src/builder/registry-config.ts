import { registryConfigHeader } from "../auth/daemon-auth.js";
import type { RegistryCredential } from "../auth/types.js";

/**
 * X-Registry-Config (pre-encoded) for the registries of a build's FROM images, so the
 * daemon can pull private bases; undefined when none of them has credentials.
 */
export async function registryConfigFor(
  images: readonly string[],
  resolveAuth: (image: string) => Promise<RegistryCredential | undefined>,
): Promise<string | undefined> {
  const credentials: RegistryCredential[] = [];
  for (const image of images) {
    const credential = await resolveAuth(image);
    if (credential && !credentials.includes(credential)) credentials.push(credential);
  }
  return credentials.length > 0 ? registryConfigHeader(credentials) : undefined;
}
