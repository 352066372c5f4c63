import type { BuildOutcome } from "../builder/image-builder.js";
import type { Build } from "../builder/lazy-builder.js";
import type { ImageClient, LocalImage } from "../builder/image-client.js";
import { imageLabels } from "../builder/image-labels.js";
import { stepFailureText } from "../builder/step-failure.js";
import { baseArgHint } from "./base-arg-hint.js";
import { pinOf } from "../lock/entry.js";
import { credentialFor } from "../push/registry-access.js";
import { parseImageReference } from "../reference/parse.js";
import type { Detection } from "./detect.js";
import { credentialProblem, JobFailure, PULL_REFUSED, registryProblem } from "./job-failure.js";
import { pushVariant } from "./push-step.js";
import { runSecrets, secretSources } from "./build-secrets.js";
import { runCache } from "./run-cache.js";
import { producePlatforms } from "./platform-job.js";
import type { BuildDeps, BuildOptions, PreparedVariant, VariantResult } from "./types.js";

export interface JobContext {
  deps: BuildDeps;
  options: BuildOptions;
  /** The builder of this run (made on its first build: lazyImageBuilder). */
  builder: Build;
  images: ImageClient;
  /** Results of the variants this one builds FROM. */
  dependencies: Map<string, VariantResult>;
  detection: Promise<Detection>;
  /** Memoised local image inspection (base images are shared between variants). */
  inspect(ref: string): Promise<LocalImage | undefined>;
}

/** One platform's build of a multi-platform variant: what differs from the variant's own build. */
export interface PlatformBuild {
  platform: string;
  tags: string[];
  /** Added to the variant's build args (the declared TARGET* args). */
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  pull: boolean;
  /** What to say when a build step fails the way a missing emulator makes it fail. */
  explain(outcome: BuildOutcome): string | undefined;
}

/** Build the variant (or one platform of it); the local image id. */
export async function build(p: PreparedVariant, job: JobContext, platform?: PlatformBuild): Promise<string> {
  const { deps, options } = job;
  const { variant } = p;
  deps.reporter.start(variant.id, platform ? `building ${platform.platform}` : "building");
  const vcs = (await deps.vcs?.()) ?? {};
  const baseImages = [...p.externalBases, ...p.projectBases];
  const secrets = secretSources(runSecrets(variant, options.secrets ?? {}));
  const cache = runCache(variant, options.cacheFrom, options.cacheInline);
  const tags = platform?.tags ?? variant.tags;
  const outcome = await job.builder.build(
    {
      context: { dir: variant.context, entries: p.entries },
      dockerfile: p.dockerfile,
      model: p.model,
      tags: tags.map((t) => `${variant.repository}:${t}`),
      buildArgs: platform ? { ...variant.args, ...platform.buildArgs } : variant.args,
      ...(p.target !== undefined ? { target: p.target } : {}),
      labels: { ...imageLabels(p, deps.now(), vcs), ...platform?.labels },
      noCache: options.noCache,
      pull: platform?.pull ?? options.pull,
      ...(platform ? { platform: platform.platform } : {}),
      baseImages,
      resolveAuth: (image) => credentialFor(image, deps),
      ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
      ...(options.ssh ? { ssh: options.ssh } : {}),
      ...(cache?.from.length ? { cacheFrom: cache.from } : {}),
      ...(cache?.inline ? { inlineCache: true } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
    (line) => deps.reporter.line(variant.id, line),
  );
  if (outcome.error !== undefined || !outcome.imageId) {
    const hint = platform?.explain(outcome) ?? baseArgHint(p.model, variant.args, p.target, outcome);
    throw new JobFailure(
      hint ? `${stepFailureText(outcome)} (${hint})` : stepFailureText(outcome),
      { ...(outcome.failedStep ? { failedStep: outcome.failedStep } : {}), output: outcome.tail },
      outcome.error !== undefined && PULL_REFUSED.test(outcome.error) ? baseImages : [],
    );
  }
  const ref = `${variant.repository}:${tags[0]}`;
  const image = await job.images.inspect(ref);
  if (!image) throw new JobFailure(`the build reported image ${outcome.imageId}, but the Docker daemon has no ${ref}; was it removed while the build ran?`);
  return image.id;
}

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
