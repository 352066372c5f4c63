import { CONTENT_HASH_LABEL } from "../builder/image-labels.js";
import type { ImageClient } from "../builder/image-client.js";
import { readIndexDocument, DOCKER_MANIFEST_LIST, OCI_INDEX } from "../push/index-document.js";
import type { RepositoryAccess } from "../push/registry-access.js";
import { formatPlatform } from "../reference/platform.js";
import { platformTag, type PlatformTarget } from "./platform-targets.js";
import type { PreparedVariant } from "./types.js";

/** What already exists of a multi-platform variant, platform by platform. */
export interface PlatformDetection {
  /** Platform → the local image id carrying that platform's content hash (tagged with its platform tags). */
  local: Record<string, string>;
  /** With --push: every tag points at an index of exactly these platforms, each image carrying its content hash. */
  remote?: { digest: string; images: Record<string, string> };
}

/** The local image of one platform with its content hash, given the platform tags; undefined when none. */
async function localPlatform(images: ImageClient, p: PreparedVariant, target: PlatformTarget, retag: boolean): Promise<string | undefined> {
  const id = (await images.listByLabel(CONTENT_HASH_LABEL, target.contentHash))[0];
  if (!id || !retag) return id;
  for (const tag of p.variant.tags) {
    const local = platformTag(tag, target.platform);
    if ((await images.inspect(`${p.variant.repository}:${local}`))?.id !== id) await images.tag(id, p.variant.repository, local);
  }
  return id;
}

/**
 * Platform → manifest digest when ref is an index naming exactly the targets (or, for a
 * platform job, at least them) with their content hashes.
 */
async function indexUpToDate(access: RepositoryAccess, reference: string, targets: PlatformTarget[], exact: boolean): Promise<Record<string, string> | undefined> {
  const stored = await access.client.getManifest(access.path, reference);
  if (!stored || (stored.mediaType !== OCI_INDEX && stored.mediaType !== DOCKER_MANIFEST_LIST)) return undefined;
  const entries = readIndexDocument(stored.body, stored.mediaType);
  if (exact && entries.length !== targets.length) return undefined;
  const images: Record<string, string> = {};
  for (const target of targets) {
    const entry = entries.find((e) => formatPlatform(e.platform) === target.platform);
    if (!entry) return undefined;
    const found = await access.client.imageLabels(access.path, entry.digest);
    if (found?.labels[CONTENT_HASH_LABEL] !== target.contentHash) return undefined;
    images[target.platform] = entry.digest;
  }
  return images;
}

/** The index digest every tag points at when it is up to date (one HEAD per further tag). */
async function registryPlatforms(access: RepositoryAccess, p: PreparedVariant, targets: PlatformTarget[], exact: boolean): Promise<PlatformDetection["remote"]> {
  const [first, ...rest] = p.variant.tags;
  const digest = await access.client.manifestDigest(access.path, first!);
  if (!digest) return undefined;
  for (const tag of rest) if ((await access.client.manifestDigest(access.path, tag)) !== digest) return undefined;
  const images = await indexUpToDate(access, digest, targets, exact);
  return images ? { digest, images } : undefined;
}

/**
 * detectExisting for a multi-platform variant: each platform's local image (its platform
 * tags re-pointed unless readOnly, as for --dry-run), and (with access) the registry's index:
 * one of exactly these platforms, or for a platform job (`partOfIndex`) one that has it.
 */
export async function detectPlatforms(p: PreparedVariant, images: ImageClient, access: RepositoryAccess | undefined, readOnly = false, partOfIndex = false): Promise<PlatformDetection> {
  const targets = p.platforms!;
  const found: PlatformDetection = { local: {} };
  if (access) {
    const remote = await registryPlatforms(access, p, targets, !partOfIndex);
    if (remote) found.remote = remote;
  }
  for (const target of targets) {
    const id = await localPlatform(images, p, target, !readOnly);
    if (id) found.local[target.platform] = id;
  }
  return found;
}
