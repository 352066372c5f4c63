import { declaredArgs } from "../dockerfile/declared-args.js";
import { CONTENT_HASH_LABEL } from "../builder/image-labels.js";
import { RunnerKitError } from "../common/errors.js";
import { pushImageIndex } from "../push/image-index.js";
import type { PlatformImage } from "../push/index-document.js";
import { pushImageByDigest } from "../push/push-by-digest.js";
import { localImagePlatform } from "../push/platforms-of.js";
import { formatPlatform } from "../reference/platform.js";
import type { Detection } from "./detect.js";
import { JobFailure } from "./job-failure.js";
import { pushRetry } from "./push-step.js";
import { emulationHint } from "./platform-emulation.js";
import { PLATFORM_LABEL, platformBuildArgs, platformTag, type PlatformTarget } from "./platform-targets.js";
import type { PlatformResult, PreparedVariant, VariantResult } from "./types.js";
import { build, type JobContext } from "./image-build.js";
import { assembleIndex } from "./platform-index.js";

/** The platform of a local image ("linux/arm64"); undefined when the daemon has none. */
async function localPlatform(job: JobContext, ref: string): Promise<string | undefined> {
  const platform = await localImagePlatform(job.deps.docker, ref);
  return platform ? formatPlatform(platform) : undefined;
}

/**
 * Whether the daemon must pull the bases for this platform: a local base image is one
 * platform, and the classic builder uses it whatever platform was asked for, so a local
 * copy of another platform is replaced by the registry's image for this one.
 */
async function mustPull(p: PreparedVariant, job: JobContext, platform: string): Promise<boolean> {
  if (job.options.pull) return true;
  for (const base of p.externalBases) {
    const local = await localPlatform(job, base);
    if (local !== undefined && local !== platform) return true;
  }
  return false;
}

/** Build one platform's image and check the daemon made that platform (a wrong local base would not). */
async function buildPlatform(p: PreparedVariant, job: JobContext, target: PlatformTarget): Promise<string> {
  const { platform } = target;
  const id = await build(p, job, {
    platform,
    tags: p.variant.tags.map((t) => platformTag(t, platform)),
    buildArgs: platformBuildArgs(platform, declaredArgs(p.model)),
    labels: { [CONTENT_HASH_LABEL]: target.contentHash, [PLATFORM_LABEL]: platform },
    pull: await mustPull(p, job, platform),
    explain: (outcome) => emulationHint(platform, outcome),
  });
  const made = await localPlatform(job, id);
  if (made !== platform) {
    throw new JobFailure(
      `the build for ${platform} produced a ${made ?? "unknown"} image: its base image${p.externalBases.length === 1 ? "" : "s"} ${p.externalBases.join(", ")} on the Docker daemon ${p.externalBases.length === 1 ? "is" : "are"} not ${platform}; build again with --pull so the daemon fetches the ${platform} base from its registry, or pick a base image published for ${platform}`,
    );
  }
  return id;
}

/** A registry error of the multi-platform push (already one paragraph) as this variant's failure. */
function asJobFailure(error: unknown): never {
  if (error instanceof RunnerKitError) throw new JobFailure(error.toParagraph().replace(/\.$/, ""));
  throw error;
}

/**
 * Push each platform's image by digest, then the index; every tag moves only after all are
 * in. A platform job (--push-platform) stops after its image: undefined, no index, no tag.
 */
async function pushPlatforms(p: PreparedVariant, job: JobContext, found: Detection, records: Record<string, PlatformResult>): Promise<string | undefined> {
  const { deps, options } = job;
  const access = found.access!;
  const retry = pushRetry(options, deps);
  deps.reporter.start(p.variant.id, "pushing");
  try {
    const images: PlatformImage[] = [];
    for (const target of p.platforms!) {
      const image = await pushImageByDigest(deps.docker, records[target.platform]!.imageId!, access, retry);
      records[target.platform]!.digest = image.digest;
      deps.reporter.line(p.variant.id, `${target.platform}: pushed by digest ${image.digest}`);
      images.push(image);
    }
    if (options.pushPlatform !== undefined) return undefined;
    const index = await pushImageIndex(access, p.variant.tags, images, retry);
    deps.reporter.line(p.variant.id, `image index ${index.digest} (${images.length} platforms): ${p.variant.tags.join(", ")}`);
    return index.digest;
  } catch (error) {
    if (deps.signal?.aborted) throw error;
    return asJobFailure(error);
  }
}

/**
 * A multi-platform variant's build and push: each platform's image found (registry index,
 * local image by its content hash) or built in turn, each run through the pre-push check
 * (the smoke job), then all pushed by digest and the index assembled. A platform that
 * fails fails the variant before anything is pushed.
 */
export async function producePlatforms(p: PreparedVariant, job: JobContext, found: Detection, result: VariantResult): Promise<void> {
  const { deps, options } = job;
  const targets = p.platforms!;
  const detected = found.platforms ?? { local: {} };
  if (options.pushIndex) return assembleIndex(p, job, found, result, options.pushIndex).catch((error) => (deps.signal?.aborted ? Promise.reject(error) : asJobFailure(error)));
  const records: Record<string, PlatformResult> = {};
  result.platforms = records;
  if (detected.remote) {
    for (const t of targets) records[t.platform] = { contentHash: t.contentHash, digest: detected.remote.images[t.platform]!, ...(detected.local[t.platform] ? { imageId: detected.local[t.platform]! } : {}) };
    result.status = "up-to-date";
    result.digest = detected.remote.digest;
    deps.reporter.note(p.variant.id, `up to date in ${found.access!.domain} (index ${detected.remote.digest}, ${targets.map((t) => t.platform).join(", ")})`);
    return;
  }
  let built = false;
  for (const target of targets) {
    const local = detected.local[target.platform];
    if (local) deps.reporter.note(p.variant.id, `${target.platform}: up to date (an image with this content hash exists)`);
    const imageId = local ?? (await buildPlatform(p, job, target));
    built ||= local === undefined;
    records[target.platform] = { contentHash: target.contentHash, imageId };
  }
  result.status = built ? "built" : "up-to-date";
  for (const target of targets) {
    const record = records[target.platform]!;
    const refused = deps.beforePush ? await deps.beforePush(p, result, { platform: target.platform, imageId: record.imageId! }) : undefined;
    if (result.smoke) record.smoke = result.smoke;
    if (refused !== undefined) throw new JobFailure(`${target.platform}: ${refused}`);
  }
  if (options.push && found.access) {
    const index = await pushPlatforms(p, job, found, records);
    if (index !== undefined) result.digest = index;
    result.pushed = true;
  }
}
