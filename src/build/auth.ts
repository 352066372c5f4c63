import type { RegistryCredential } from "../auth/types.js";
import type { CliContext } from "../cli/context.js";

/**
 * The credential resolver a CLI build uses. PLACEHOLDER until wip/auth lands
 * (loadAuthSources + resolveRegistryCredentials): anonymous for every registry.
 */
export async function credentialResolver(_ctx: CliContext, _warn: (message: string) => void): Promise<(image: string) => Promise<RegistryCredential | undefined>> {
  return async () => undefined;
}
