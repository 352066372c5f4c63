/**
 * `ci.platform_jobs`: a multi-platform variant as parallel jobs. One job per platform runs
 * `build … --push-platform P` (its image pushed by digest, no tag moved, a lock fragment
 * under locks/<variant>/), and the variant's own job name, `build:<variant>`, becomes the
 * index job: it needs every platform job, runs `build … --push-index locks/<variant>` and
 * writes the variant's lock fragment, so the publish job and the jobs of images built FROM
 * this one need it exactly as they need a single-job variant.
 */
import type { Variant } from "../project/plan.js";
import { buildCommandHead, cacheFlags, jobName, variantSlug, type BuildCommandOptions } from "./build-command.js";

type Job = Record<string, unknown>;

/** "linux/arm64/v8" → "linux-arm64-v8": a file name and a job-name suffix. */
export function platformSlug(platform: string): string {
  return platform.replaceAll("/", "-");
}

/** The job name of one platform of a variant: "build:runner-aws:linux/arm64". */
export function platformJobName(variant: Pick<Variant, "id">, platform: string): string {
  return `${jobName(variant)}:${platform}`;
}

/** Where a platform job writes its lock fragment (the index job reads the folder). */
export function platformFragmentDir(variant: Pick<Variant, "id">): string {
  return `locks/${variantSlug(variant)}`;
}

/** The platforms a variant's jobs build: `ci --platform` when given (it is in every job's command), else the variant's `platforms:`. */
export function jobPlatforms(variant: Pick<Variant, "platforms">, options: Pick<BuildCommandOptions, "platforms">): readonly string[] {
  return options.platforms?.length ? options.platforms : (variant.platforms ?? []);
}

/**
 * The platform jobs and the index job of one variant, from the job the variant would have
 * had alone (its stage, needs, rules): platform jobs keep its needs, smoke report and
 * cache; the index job needs them all (their fragments as artifacts), builds nothing and
 * runs no smoke job.
 */
export function platformJobs(variant: Variant, single: Job, options: BuildCommandOptions): Record<string, Job> {
  const slug = variantSlug(variant);
  const dir = platformFragmentDir(variant);
  const head = buildCommandHead(variant, options);
  const locked = options.locked ? " --locked" : "";
  const { stage, needs, rules } = single as { stage: string; needs?: Job[]; rules: unknown };
  const platforms = jobPlatforms(variant, options);
  const jobs: Record<string, Job> = {};
  for (const platform of platforms) {
    const p = platformSlug(platform);
    jobs[platformJobName(variant, platform)] = {
      stage,
      ...(needs ? { needs } : {}),
      script: [`${head} --push-platform ${platform} --smoke${locked} --lock-out ${dir}/${p}.lock --junit reports/${slug}-${p}.xml${cacheFlags(variant)}`],
      artifacts: { when: "always", paths: [`${dir}/${p}.lock`], reports: { junit: `reports/${slug}-${p}.xml` }, expire_in: "30 days" },
      rules,
    };
  }
  jobs[jobName(variant)] = {
    stage,
    needs: [...(needs ?? []), ...platforms.map((platform) => ({ job: platformJobName(variant, platform), artifacts: true }))],
    script: [`${head} --push-index ${dir}${locked} --lock-out locks/${slug}.lock`],
    artifacts: { when: "always", paths: [`locks/${slug}.lock`], expire_in: "30 days" },
    rules,
  };
  // The jobs share needs and rules: copied apart, or the YAML would hold anchors and aliases.
  return JSON.parse(JSON.stringify(jobs)) as Record<string, Job>;
}
