import type { LocalImage } from "../builder/image-client.js";
import { pinOf } from "../lock/entry.js";
import { parseImageReference } from "../reference/parse.js";
import type { Detection } from "./detect.js";
import { credentialProblem, JobFailure, registryProblem } from "./job-failure.js";
import { pushVariant } from "./push-step.js";
import { producePlatforms } from "./platform-job.js";
import type { PreparedVariant, VariantResult } from "./types.js";
import { build, type JobContext } from "./image-build.js";

/** The registry digest in a local image's RepoDigests for the repository of `image`. */
function repoDigestOf(info: LocalImage, image: string): string | undefined {
  const name = parseImageReference(image).name;
  const found = info.repoDigests.find((d) => {
    try {
      return parseImageReference(d).name === name;
    } catch {
      return false;
    }
  });
  return found?.slice(found.indexOf("@") + 1);
}

/** Base image → its pin (registry digest, or the local image id when it has none). */
async function baseDigests(p: PreparedVariant, job: JobContext): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const image of p.externalBases) {
    const info = await job.inspect(image);
    const pin = info ? pinOf({ digest: repoDigestOf(info, image), imageId: info.id }) : undefined;
    if (pin) out[image] = pin;
  }
  for (const dep of p.dependsOn) {
    const r = job.dependencies.get(dep);
    const pin = r ? pinOf(r) : undefined;
    if (r && pin) out[r.repository] = pin;
  }
  return out;
}

/** Build when nothing up to date exists, then the pre-push check and the push. */
async function produce(p: PreparedVariant, job: JobContext, found: Detection, result: VariantResult): Promise<void> {
  const { deps, options } = job;
  if (p.platforms) return producePlatforms(p, job, found, result);
  if (found.local) {
    result.imageId = found.local;
    result.status = "up-to-date";
    deps.reporter.note(p.variant.id, "up to date (an image with this content hash exists)");
  } else {
    result.imageId = await build(p, job);
    result.status = "built";
  }
  const refused = deps.beforePush ? await deps.beforePush(p, result) : undefined;
  if (refused !== undefined) throw new JobFailure(refused);
  if (options.push && found.access) {
    result.digest = await pushVariant(p, found.access, deps, options);
    result.pushed = true;
  }
}

async function fail(error: unknown, job: JobContext, found: Detection | undefined, result: VariantResult): Promise<void> {
  const failure = error instanceof JobFailure ? error : registryProblem(error, found?.access, result.repository);
  if (!failure) throw error;
  result.status = "failed";
  result.error = failure.message;
  Object.assign(result, failure.extra);
  const problem = await credentialProblem(failure.refused, job.deps);
  if (problem) {
    result.error += `; a credential helper had failed before: ${problem}`;
    result.credentialProblem = problem;
  }
}

/**
 * One variant from start to summary line: what already exists (local label, or the
 * registry tag when pushing), build, push with read-back verification. Never throws for a
 * failed build or push: the failure is the result, so other images keep going.
 */
export async function runVariantJob(p: PreparedVariant, job: JobContext): Promise<VariantResult> {
  const { deps } = job;
  const started = Date.now();
  const { variant } = p;
  const result: VariantResult = {
    id: variant.id,
    repository: variant.repository,
    tags: variant.tags,
    status: "failed",
    durationMs: 0,
    contentHash: p.contentHash,
    pushed: false,
    baseImages: {},
  };
  const found = await job.detection;
  try {
    if (found.error !== undefined) throw found.error;
    if (found.remote) {
      result.status = "up-to-date";
      result.digest = found.remote;
      if (found.local) result.imageId = found.local;
      deps.reporter.note(variant.id, `up to date in ${found.access!.domain} (${found.remote})`);
    } else {
      await produce(p, job, found, result);
    }
    // The index step (--push-index) builds nothing: its base pins come from the platform jobs' fragments.
    result.baseImages = { ...(await baseDigests(p, job)), ...result.baseImages };
  } catch (error) {
    if (deps.signal?.aborted) throw error;
    await fail(error, job, found, result);
  }
  result.durationMs = Date.now() - started;
  deps.reporter.finish(result);
  return result;
}
