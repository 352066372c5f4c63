import { createHash } from "node:crypto";
import { configError, failure } from "../common/errors.js";
import { formatPlatform, normalizePlatform, type Platform } from "../reference/platform.js";

export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
/** What an index entry may point at: one platform's image manifest (never a nested index). */
export const IMAGE_MANIFEST_TYPES = [OCI_MANIFEST, DOCKER_MANIFEST];

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** One platform's image, already in the registry by digest. */
export interface PlatformImage {
  digest: string;
  size: number;
  mediaType: string;
  platform: Platform;
}

export interface IndexDocument {
  mediaType: typeof OCI_INDEX;
  /** The exact bytes pushed: the digest is theirs. */
  body: Uint8Array;
  digest: string;
  size: number;
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function checkImage(image: PlatformImage, seen: Set<string>): void {
  const platform = formatPlatform(image.platform);
  if (!DIGEST.test(image.digest)) throw failure(`the ${platform} image's manifest digest "${image.digest}" is not a sha256 digest`);
  if (!Number.isSafeInteger(image.size) || image.size <= 0) throw failure(`the ${platform} image's manifest size ${image.size} is not a positive whole number of bytes`);
  if (!IMAGE_MANIFEST_TYPES.includes(image.mediaType)) {
    throw failure(`the ${platform} image's manifest has media type "${image.mediaType}"; an index entry must be one of ${IMAGE_MANIFEST_TYPES.join(", ")}`);
  }
  if (seen.has(platform)) throw configError(`the platform ${platform} is listed twice`, { hint: "list each platform once (linux/arm64 and linux/arm64/v8 are the same platform)" });
  seen.add(platform);
}

/**
 * The OCI image index over per-platform images: entries in the order given, each with
 * the manifest's media type, digest, size and normalised platform. Deterministic: the
 * same images give the same bytes and so the same digest.
 */
export function indexDocument(images: PlatformImage[]): IndexDocument {
  if (images.length === 0) throw failure("an image index needs at least one platform image");
  const seen = new Set<string>();
  for (const image of images) checkImage(image, seen);
  const manifests = images.map((image) => {
    const p = normalizePlatform(image.platform);
    return { mediaType: image.mediaType, digest: image.digest, size: image.size, platform: { architecture: p.architecture, os: p.os, ...(p.variant ? { variant: p.variant } : {}) } };
  });
  const body = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
  return { mediaType: OCI_INDEX, body, digest: sha256Digest(body), size: body.length };
}

interface RawIndex {
  mediaType?: string;
  manifests?: { mediaType?: string; digest?: string; size?: number; platform?: { os?: string; architecture?: string; variant?: string } }[];
}

/**
 * The platform images an OCI index or Docker manifest list names; entries without a real
 * platform (BuildKit's attestation manifests say unknown/unknown) are left out.
 */
export function readIndexDocument(body: Uint8Array | string, mediaType?: string): PlatformImage[] {
  const doc = JSON.parse(typeof body === "string" ? body : new TextDecoder().decode(body)) as RawIndex;
  const type = mediaType || doc.mediaType;
  if (type !== OCI_INDEX && type !== DOCKER_MANIFEST_LIST) throw failure(`the manifest has media type "${type ?? "(none)"}", not an image index or manifest list`);
  return (doc.manifests ?? []).flatMap((m) => {
    const p = m.platform;
    if (!p?.os || !p.architecture || p.os === "unknown" || p.architecture === "unknown") return [];
    return [{ digest: m.digest ?? "", size: m.size ?? 0, mediaType: m.mediaType ?? "", platform: normalizePlatform({ os: p.os, architecture: p.architecture, ...(p.variant ? { variant: p.variant } : {}) }) }];
  });
}
