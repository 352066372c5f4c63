/**
 * `build --push-index DIR`: the index step of a multi-platform variant whose platforms were
 * built and pushed by digest in separate jobs (`build --push-platform P --lock-out`). Nothing
 * is built: each platform's image comes from the merged lock fragments, is checked in the
 * registry (its manifest there, its config carrying this checkout's content hash for that
 * platform), then the OCI index is pushed and only then does every tag move.
 */
import { CONTENT_HASH_LABEL } from "../builder/image-labels.js";
import type { LockEntry } from "../lock/lockfile.js";
import { IMAGE_MANIFEST_TYPES, type PlatformImage } from "../push/index-document.js";
import { pushImageIndex } from "../push/image-index.js";
import type { RepositoryAccess } from "../push/registry-access.js";
import { parsePlatform } from "../reference/platform.js";
import type { Detection } from "./detect.js";
import { JobFailure } from "./job-failure.js";
import type { PlatformTarget } from "./platform-targets.js";
import { pushRetry } from "./push-step.js";
import type { IndexFragments, PlatformResult, PreparedVariant, VariantResult } from "./types.js";
import type { JobContext } from "./image-build.js";

/** The fragment's record of one platform, checked against this checkout; a JobFailure saying what is wrong otherwise. */
function fragmentImage(p: PreparedVariant, entry: LockEntry | undefined, target: PlatformTarget, from: string): { digest: string; imageId?: string } {
  const { id, repository } = p.variant;
  const image = entry?.repository === repository ? entry.platforms?.[target.platform] : undefined;
  if (!image?.digest) {
    throw new JobFailure(
      `no lock fragment in ${from} records a pushed ${target.platform} image of ${id}: its platform job (build ${id} --push-platform ${target.platform} --lock-out …) did not run, failed, or wrote elsewhere; no tag was moved`,
    );
  }
  if (image.contentHash !== target.contentHash) {
    throw new JobFailure(
      `the ${target.platform} image of ${id} in ${from} was built from other content (content hash ${image.contentHash.slice(0, 19)}…, this checkout's ${target.contentHash.slice(0, 19)}…): run its platform job again on this commit; no tag was moved`,
    );
  }
  return { digest: image.digest, ...(image.imageId ? { imageId: image.imageId } : {}) };
}

/** One platform's manifest as the registry holds it, checked to be that platform's image of this content. */
async function registryImage(access: RepositoryAccess, p: PreparedVariant, target: PlatformTarget, digest: string): Promise<PlatformImage> {
  const where = `${access.domain}/${access.path}@${digest}`;
  const stored = await access.client.getManifest(access.path, digest);
  if (!stored) throw new JobFailure(`the ${target.platform} image of ${p.variant.id} recorded in the lock fragment is not in the registry (${where}); run its platform job again; no tag was moved`);
  if (!IMAGE_MANIFEST_TYPES.includes(stored.mediaType)) throw new JobFailure(`${where} is a ${stored.mediaType}, not one platform's image manifest; no tag was moved`);
  const labels = (await access.client.imageLabels(access.path, digest))?.labels ?? {};
  if (labels[CONTENT_HASH_LABEL] !== target.contentHash) {
    throw new JobFailure(`${where} does not carry the ${target.platform} content hash of ${p.variant.id} (${target.contentHash.slice(0, 19)}…): the fragment and the registry disagree; run its platform job again; no tag was moved`);
  }
  return { digest, size: stored.body.length, mediaType: stored.mediaType, platform: parsePlatform(target.platform) };
}

/**
 * The index step for one variant: up to date when every tag already points at an index
 * of exactly these platform images; else each fragment's image checked in the registry,
 * the index pushed and the tags moved. The lock entry takes the fragments' base pins.
 */
export async function assembleIndex(p: PreparedVariant, job: JobContext, found: Detection, result: VariantResult, fragments: IndexFragments): Promise<void> {
  const { deps, options } = job;
  const access = found.access!;
  const entry = fragments.lock.variants[p.variant.id];
  const targets = p.platforms!;
  const records: Record<string, PlatformResult> = {};
  result.platforms = records;
  result.baseImages = { ...(entry?.baseImages ?? {}) };
  const remote = found.platforms?.remote;
  if (remote) {
    for (const t of targets) records[t.platform] = { contentHash: t.contentHash, digest: remote.images[t.platform]!, ...(entry?.platforms?.[t.platform]?.imageId ? { imageId: entry.platforms[t.platform]!.imageId! } : {}) };
    result.status = "up-to-date";
    result.digest = remote.digest;
    deps.reporter.note(p.variant.id, `up to date in ${access.domain} (index ${remote.digest}, ${targets.map((t) => t.platform).join(", ")})`);
    return;
  }
  const images: PlatformImage[] = [];
  for (const target of targets) {
    const image = fragmentImage(p, entry, target, fragments.from);
    records[target.platform] = { contentHash: target.contentHash, ...image };
    images.push(await registryImage(access, p, target, image.digest));
  }
  deps.reporter.start(p.variant.id, "pushing the index");
  const index = await pushImageIndex(access, p.variant.tags, images, pushRetry(options, deps));
  deps.reporter.line(p.variant.id, `image index ${index.digest} (${images.length} platforms): ${p.variant.tags.join(", ")}`);
  result.status = "built";
  result.digest = index.digest;
  result.pushed = true;
}
