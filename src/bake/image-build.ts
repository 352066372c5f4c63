/**
 * One build of a variant's image (or of one platform of it) within its job: the builder's
 * request from the prepared variant, and a failed step as the job's failure. Used by the
 * single-image job (variant-job.ts) and the platform jobs (platform-job.ts).
 */
import type { BuildOutcome } from "../builder/image-builder.js";
import type { Build } from "../builder/lazy-builder.js";
import type { ImageClient, LocalImage } from "../builder/image-client.js";
import { imageLabels } from "../builder/image-labels.js";
import { stepFailureText } from "../builder/step-failure.js";
import { credentialFor } from "../push/registry-access.js";
import { baseArgHint } from "./base-arg-hint.js";
import { runSecrets, secretSources } from "./build-secrets.js";
import type { Detection } from "./detect.js";
import { JobFailure, PULL_REFUSED } from "./job-failure.js";
import { runCache } from "./run-cache.js";
import { traceMark } from "../common/trace.js";
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
  traceMark(`${variant.id}: building`);
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
