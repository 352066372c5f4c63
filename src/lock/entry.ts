import type { LockEntry, LockFile, LockPlatform } from "./lockfile.js";

/** An image as a run of `build` left it: what its lock entry is made of. */
export interface BuiltImage {
  /** Variant id. */
  id: string;
  repository: string;
  tags: string[];
  contentHash?: string;
  /** Base images (FROM) → pinned digest or image id. */
  baseImages: Record<string, string>;
  imageId?: string;
  /** Registry manifest digest (pushed, or found up to date in the registry); the index's for a multi-platform image. */
  digest?: string;
  /** A multi-platform image: each platform's image. */
  platforms?: Record<string, LockPlatform>;
}

/**
 * The one pinning rule for an image runner-kit records: its registry digest where it has
 * one, else its local image id.
 */
export function pinOf(image: { digest?: string | undefined; imageId?: string | undefined }): string | undefined {
  return image.digest ?? image.imageId;
}

/** The lock entry for one image; a local build of unchanged content keeps the digest the last push recorded. */
export function lockEntry(built: BuiltImage, previous: LockEntry | undefined): LockEntry {
  const entry: LockEntry = { repository: built.repository, tags: built.tags, contentHash: built.contentHash!, baseImages: { ...built.baseImages } };
  if (built.imageId) entry.imageId = built.imageId;
  const kept = previous && previous.contentHash === built.contentHash && previous.repository === built.repository ? previous.digest : undefined;
  const digest = built.digest ?? kept;
  if (digest) entry.digest = digest;
  if (built.platforms) entry.platforms = lockPlatforms(built.platforms, kept !== undefined ? previous?.platforms : undefined);
  return entry;
}

/** Each platform's entry; a platform's registry digest is kept from the last push while its content is unchanged. */
function lockPlatforms(built: Record<string, LockPlatform>, previous: Record<string, LockPlatform> | undefined): Record<string, LockPlatform> {
  const out: Record<string, LockPlatform> = {};
  for (const [platform, image] of Object.entries(built)) {
    const before = previous?.[platform];
    const digest = image.digest ?? (before?.contentHash === image.contentHash ? before.digest : undefined);
    out[platform] = { contentHash: image.contentHash, ...(image.imageId ? { imageId: image.imageId } : {}), ...(digest ? { digest } : {}) };
  }
  return out;
}

/**
 * The lock entries of this run's images (failed ones left out by the caller). A project
 * base is pinned the way its own entry is (its registry digest, kept across local builds
 * of unchanged content), so the lock does not churn between runs.
 */
export function lockUpdates(built: readonly BuiltImage[], dependsOn: ReadonlyMap<string, readonly string[]>, previous: LockFile | undefined): Record<string, LockEntry> {
  const updates: Record<string, LockEntry> = {};
  for (const image of built) updates[image.id] = lockEntry(image, previous?.variants[image.id]);
  for (const image of built) {
    const entry = updates[image.id]!;
    for (const dep of dependsOn.get(image.id) ?? []) {
      const base = updates[dep];
      const pin = base ? pinOf(base) : undefined;
      if (base && pin) entry.baseImages[base.repository] = pin;
    }
  }
  return updates;
}
