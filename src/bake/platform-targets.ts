import { platformContentHash } from "../builder/content-hash.js";
import { parsePlatform } from "../reference/platform.js";

/** One platform's image of a multi-platform variant. */
export interface PlatformTarget {
  /** Normalised, "linux/arm64". */
  platform: string;
  /** This platform's content hash (the image's io.runner-kit.content-hash label). */
  contentHash: string;
}

/** The label every per-platform image carries: which platform it was built for. */
export const PLATFORM_LABEL = "io.runner-kit.platform";

export function platformTargets(contentHash: string, platforms: readonly string[]): PlatformTarget[] {
  return platforms.map((platform) => ({ platform, contentHash: platformContentHash(contentHash, platform) }));
}

/**
 * The local tag of one platform's image: the variant's tag with the platform appended,
 * "v1-linux-arm64" (a tag names one image, so the platforms cannot share it locally; the
 * shared tag exists only in the registry, on the index).
 */
export function platformTag(tag: string, platform: string): string {
  return `${tag}-${platform.replaceAll("/", "-")}`;
}

/**
 * The ARGs BuildKit predefines for the target platform, for the Dockerfile's declared ones
 * only (the classic builder predefines none of them; a value nobody declares would be a
 * build warning). Platform strings are already normalised.
 */
export function platformBuildArgs(platform: string, declared: readonly string[]): Record<string, string> {
  const p = parsePlatform(platform);
  const all: Record<string, string> = {
    TARGETPLATFORM: platform,
    TARGETOS: p.os,
    TARGETARCH: p.architecture,
    TARGETVARIANT: p.variant ?? "",
  };
  return Object.fromEntries(Object.entries(all).filter(([name]) => declared.includes(name)));
}
