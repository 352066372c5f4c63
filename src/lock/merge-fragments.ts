import { configError } from "../common/errors.js";
import type { LockEntry, LockFile } from "./lockfile.js";

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Two fragments' entries for one multi-platform variant, as one entry: the per-platform
 * jobs of a parallel pipeline (`build --push-platform`) each record their own platform,
 * the index job the index digest. They must be of the same build (repository, tags,
 * content hash) and agree on every field both have; each platform is recorded once, or
 * identically. Base pins that differ per platform (a base with no registry digest is one
 * local image id per platform) keep the first fragment's. Undefined when they disagree.
 */
function mergePlatformEntries(a: LockEntry, b: LockEntry): LockEntry | undefined {
  if (a.repository !== b.repository || a.contentHash !== b.contentHash || !same([...a.tags].sort(), [...b.tags].sort())) return undefined;
  if (a.digest && b.digest && a.digest !== b.digest) return undefined;
  if (a.imageId && b.imageId && a.imageId !== b.imageId) return undefined;
  const platforms = { ...a.platforms };
  for (const [platform, image] of Object.entries(b.platforms ?? {})) {
    if (platforms[platform] && !same(platforms[platform], image)) return undefined;
    platforms[platform] = image;
  }
  const digest = a.digest ?? b.digest;
  const imageId = a.imageId ?? b.imageId;
  return {
    ...a,
    baseImages: { ...b.baseImages, ...a.baseImages },
    ...(imageId ? { imageId } : {}),
    ...(digest ? { digest } : {}),
    platforms: Object.fromEntries(Object.entries(platforms).sort(([x], [y]) => x.localeCompare(y))),
  };
}

/** One fragment's entry over the entry earlier fragments made: equal, or both multi-platform and mergeable. */
function combine(earlier: LockEntry, entry: LockEntry): LockEntry | undefined {
  if (same(earlier, entry)) return entry;
  return earlier.platforms && entry.platforms ? mergePlatformEntries(earlier, entry) : undefined;
}

/**
 * Merge the lock fragments that parallel CI jobs write (one variant each, or one platform
 * of a variant each) into one lock. Fragments are named for the error messages. Two
 * fragments that disagree about the same variant mean two jobs built it differently: an
 * error, not a silent last-wins. A variant's entry from the fragments replaces the one in
 * `base`.
 */
export function mergeLockFragments(fragments: readonly { name: string; lock: LockFile }[], base?: LockFile): LockFile {
  const merged: LockFile = { version: 1, variants: { ...(base?.variants ?? {}) } };
  const from = new Map<string, string>();
  for (const { name, lock } of [...fragments].sort((a, b) => a.name.localeCompare(b.name))) {
    for (const [id, entry] of Object.entries(lock.variants)) {
      const earlier = from.get(id);
      const next = earlier === undefined ? entry : combine(merged.variants[id]!, entry);
      if (next === undefined) {
        throw configError(`lock fragments ${earlier} and ${name} disagree about variant ${id}`, {
          hint: "each variant (or each platform of a multi-platform variant) must be built by exactly one job of the same pipeline; check the generated pipeline for duplicate jobs, or fragments left from another run",
        });
      }
      merged.variants[id] = next;
      if (earlier === undefined) from.set(id, name);
    }
  }
  merged.variants = Object.fromEntries(Object.entries(merged.variants).sort(([a], [b]) => a.localeCompare(b)));
  return merged;
}
