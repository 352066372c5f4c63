/**
 * runner-kit.lock: per variant, what was built and pushed. Written atomically by
 * `build`; read by `config` (images pinned by digest) and `build --locked`.
 *
 * CONTRACT shared by build, config and ci; extend with optional fields.
 */
export interface LockEntry {
  /** Fully qualified repository, e.g. "registry.example.com:5000/platform/data/runner-aws". */
  repository: string;
  tags: string[];
  /** sha256 over rendered Dockerfile, context files and build args. */
  contentHash: string;
  /** Base images (FROM) → resolved digest ("sha256:…"), when known. */
  baseImages: Record<string, string>;
  /** Local image id after build. */
  imageId?: string;
  /** Manifest digest in the registry after push ("sha256:…"); for a multi-platform image, the image index's. */
  digest?: string;
  /** A multi-platform image: each platform ("linux/arm64") → its own image. Absent in single-platform entries. */
  platforms?: Record<string, LockPlatform>;
}

/** One platform's image of a multi-platform lock entry. */
export interface LockPlatform {
  contentHash: string;
  imageId?: string;
  /** Its manifest digest in the registry (the index names it). */
  digest?: string;
}

export interface LockFile {
  version: 1;
  /** Keyed by Variant.id. */
  variants: Record<string, LockEntry>;
}

export const LOCK_FILE_NAME = "runner-kit.lock";

/** "repo@sha256:…" when pushed, else undefined. */
export function pinnedReference(entry: LockEntry | undefined): string | undefined {
  return entry?.digest ? `${entry.repository}@${entry.digest}` : undefined;
}
