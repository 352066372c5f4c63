import { CONTENT_HASH_LABEL } from "../builder/image-labels.js";
import type { ImageClient, LocalImage } from "../builder/image-client.js";
import { repositoryAccess, type RepositoryAccess } from "../push/registry-access.js";
import { detectPlatforms, type PlatformDetection } from "./platform-detect.js";
import type { BuildDeps, BuildOptions, PreparedVariant } from "./types.js";

/** What is already there for a variant: found before any build starts, for all variants at once. */
export interface Detection {
  access?: RepositoryAccess;
  /** Registry digest when every tag in the registry has the content hash (with --push). */
  remote?: string;
  /** Local image id with the content hash. */
  local?: string;
  /** A multi-platform variant: what exists of each platform (then remote and local stay unset). */
  platforms?: PlatformDetection;
  error?: unknown;
}

/** The local image that has this content hash (read only); undefined when none. */
export async function findLocal(images: ImageClient, p: PreparedVariant): Promise<{ id: string; first: LocalImage | undefined } | undefined> {
  const first = await images.inspect(`${p.variant.repository}:${p.variant.tags[0]}`);
  const id = first?.labels[CONTENT_HASH_LABEL] === p.contentHash ? first.id : (await images.listByLabel(CONTENT_HASH_LABEL, p.contentHash))[0];
  return id ? { id, first } : undefined;
}

/** The local image `findLocal` found, tagged with every tag; undefined when none. */
async function localUpToDate(images: ImageClient, p: PreparedVariant, found: Awaited<ReturnType<typeof findLocal>>): Promise<string | undefined> {
  const { repository, tags } = p.variant;
  if (!found) return undefined;
  const { id, first } = found;
  for (const tag of tags) {
    const current: LocalImage | undefined = tag === tags[0] && first?.id === id ? first : await images.inspect(`${repository}:${tag}`);
    if (current?.id !== id) await images.tag(id, repository, tag);
  }
  return id;
}

/**
 * The registry digest when every tag there already carries this content hash. A tag whose
 * manifest digest (one HEAD) is the one already checked carries the same labels, so only a
 * tag pointing elsewhere costs the manifest and config reads.
 */
export async function registryUpToDate(access: RepositoryAccess, p: PreparedVariant): Promise<string | undefined> {
  let digest: string | undefined;
  for (const tag of p.variant.tags) {
    if (digest !== undefined && (await access.client.manifestDigest(access.path, tag)) === digest) continue;
    const found = await access.client.imageLabels(access.path, tag);
    if (!found || found.labels[CONTENT_HASH_LABEL] !== p.contentHash) return undefined;
    digest ??= found.digest;
  }
  return digest;
}

/** The local image and (with --push) the registry's tags that already hold this content; never rejects. */
export async function detectExisting(p: PreparedVariant, images: ImageClient, deps: BuildDeps, options: BuildOptions): Promise<Detection> {
  const found: Detection = {};
  try {
    if (p.platforms) {
      if (options.push) found.access = await repositoryAccess(p.variant.repository, deps);
      if (!options.force) found.platforms = await detectPlatforms(p, images, found.access, false, options.pushPlatform !== undefined);
      return found;
    }
    // The local lookup (read only) goes out with the registry's questions; its tagging waits
    // for their answers, as a registry that fails leaves the local tags alone.
    const lookup = options.force ? undefined : findLocal(images, p);
    lookup?.catch(() => undefined);
    if (options.push) {
      // Fails early, with the registry named, when it cannot be reached at all.
      found.access = await repositoryAccess(p.variant.repository, deps);
      if (!options.force) {
        const remote = await registryUpToDate(found.access, p);
        if (remote) found.remote = remote;
      }
    }
    if (lookup) {
      // Also when the registry has it: the local image id belongs in the lock either way.
      const local = await localUpToDate(images, p, await lookup);
      if (local) found.local = local;
    }
  } catch (error) {
    found.error = error;
  }
  return found;
}

/** Memoised local image inspection (base images are shared between variants); a failed inspect is "none". */
export function memoInspect(images: ImageClient): (ref: string) => Promise<LocalImage | undefined> {
  const cache = new Map<string, Promise<LocalImage | undefined>>();
  return (ref) => {
    let pending = cache.get(ref);
    if (!pending) cache.set(ref, (pending = images.inspect(ref).catch(() => undefined)));
    return pending;
  };
}
