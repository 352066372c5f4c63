/**
 * A multi-platform variant built in parallel jobs: `--push-platform P` builds and pushes
 * (by digest) one platform and writes its lock fragment; `--push-index DIR` reads those
 * fragments and pushes the index, moving the tags. This file checks the flags, narrows the
 * variants to the one platform and reads the fragments; the build core does the rest.
 */
import { readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { usageError } from "../common/errors.js";
import type { LockEntry } from "../lock/lockfile.js";
import { mergeLockFragments } from "../lock/merge-fragments.js";
import { readLock } from "../lock/store.js";
import { formatPlatform, parsePlatform } from "../reference/platform.js";
import type { IndexFragments } from "./types.js";
import type { PreparedVariant } from "./types.js";

export interface SplitFlags {
  pushPlatform?: string;
  pushIndex?: string;
  lockOut?: string;
}

/** Every selected variant must be multi-platform (and, for a platform job, have that platform). */
function requirePlatforms(prepared: readonly PreparedVariant[], flag: string, platform?: string): void {
  for (const p of prepared) {
    const have = p.platforms?.map((t) => t.platform);
    if (!have) throw usageError(`${flag} is for multi-platform images, and ${p.variant.id} has no platforms:`, { hint: "give the image platforms: in runner-kit.yaml or --platform, or select only multi-platform images" });
    if (platform !== undefined && !have.includes(platform)) throw usageError(`${p.variant.id} is not built for ${platform} (its platforms: ${have.join(", ")})`, { hint: `name one of them in ${flag}, or add ${platform} to its platforms:` });
  }
}

/** The fragments in DIR (every *.lock), merged by lock merge's rule; exit 2 when there are none. */
async function readFragments(cwd: string, dir: string): Promise<IndexFragments> {
  const full = resolve(cwd, dir);
  let names: string[];
  try {
    names = readdirSync(full).filter((n) => n.endsWith(".lock")).sort();
  } catch {
    throw usageError(`--push-index ${dir}: no such folder`, { hint: "name the folder the platform jobs wrote their --lock-out fragments to (the generated pipeline uses locks/<image>/)" });
  }
  const loaded = [];
  for (const name of names) loaded.push({ name: join(dir, name), lock: (await readLock(join(full, name)))! });
  if (loaded.length === 0) throw usageError(`--push-index ${dir}: the folder holds no lock fragments (*.lock)`, { hint: "the platform jobs write them with `build --push-platform P --lock-out DIR/<platform>.lock`; check that they ran and that this job has their artifacts" });
  return { lock: mergeLockFragments(loaded), from: relative(cwd, full) || full };
}

/**
 * The variants and options of a split build. `--push-platform` needs `--lock-out` (its entry
 * is one platform of the variant's: a fragment for the index step, never runner-kit.lock).
 */
export async function splitBuild(cwd: string, flags: SplitFlags, prepared: PreparedVariant[]): Promise<{ prepared: PreparedVariant[]; pushPlatform?: string; pushIndex?: IndexFragments }> {
  if (flags.pushPlatform !== undefined && flags.pushIndex !== undefined) throw usageError("--push-platform and --push-index are two steps: give one of them", { hint: "run each platform's job with --push-platform, then one job with --push-index" });
  if (flags.pushPlatform !== undefined) {
    const platform = formatPlatform(parsePlatform(flags.pushPlatform, { where: "--push-platform" }));
    if (flags.lockOut === undefined) throw usageError("--push-platform writes one platform's lock entry, so it needs --lock-out FILE", { hint: "for example --lock-out locks/runner-aws/linux-arm64.lock; --push-index then reads that folder" });
    requirePlatforms(prepared, "--push-platform", platform);
    return { prepared: prepared.map((p) => ({ ...p, platforms: p.platforms!.filter((t) => t.platform === platform) })), pushPlatform: platform };
  }
  if (flags.pushIndex !== undefined) {
    requirePlatforms(prepared, "--push-index");
    return { prepared, pushIndex: await readFragments(cwd, flags.pushIndex) };
  }
  return { prepared };
}

/** A platform job's fragment: no index digest (a previous one kept for unchanged content would be the old index's). */
export function platformFragment(entries: Record<string, LockEntry>): Record<string, LockEntry> {
  return Object.fromEntries(Object.entries(entries).map(([id, { digest: _index, ...entry }]) => [id, entry]));
}
