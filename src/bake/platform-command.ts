import { platformsOf, requireBasePlatforms } from "../push/platforms-of.js";
import { repositoryAccess } from "../push/registry-access.js";
import { parsePlatform } from "../reference/platform.js";
import type { BuildDeps, PreparedVariant } from "./types.js";

/** With --locked: each platform's content hash the lock entry must record. */
export function lockedPlatforms(p: PreparedVariant): { platforms?: Record<string, string> } {
  return p.platforms ? { platforms: Object.fromEntries(p.platforms.map((t) => [t.platform, t.contentHash])) } : {};
}

/**
 * Before anything is built: every external base image of a multi-platform variant must
 * have each of its platforms (its registry's index, else the daemon's local copy). A base
 * that lacks one is a configuration error naming the base and the platforms it has. A
 * base neither place knows is left to the build, which reports the failed pull.
 */
export async function checkBasePlatforms(prepared: readonly PreparedVariant[], deps: BuildDeps): Promise<void> {
  const wanted = new Map<string, Set<string>>();
  for (const p of prepared) {
    for (const base of p.platforms ? p.externalBases : []) {
      const set = wanted.get(base) ?? new Set<string>();
      for (const t of p.platforms!) set.add(t.platform);
      wanted.set(base, set);
    }
  }
  const registryClient = async (ref: string) => (await repositoryAccess(ref, deps)).client;
  for (const [base, platforms] of wanted) {
    const found = await platformsOf(base, { docker: deps.docker, registryClient });
    if (found) requireBasePlatforms(base, [...platforms].map((p) => parsePlatform(p)), found);
  }
}
