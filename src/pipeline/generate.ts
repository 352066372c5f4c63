import type { Plan, Variant } from "../project/plan.js";
import { dependencyLevels, transitiveDependencies } from "../common/dependency-order.js";
import { variantInputs } from "./inputs.js";
import { isPredefinedArg } from "../dockerfile/declared-args.js";
import { LOCK_FILE_NAME } from "../lock/lockfile.js";
import { registryHost, registryLoginLine, type CiSettings } from "./ci-settings.js";
import { buildCommand, jobName, variantSlug, type BuildCommandOptions } from "./build-command.js";
import { jobPlatforms, platformJobs } from "./platform-jobs.js";

export interface PipelineOptions {
  /** The variants to put in the pipeline (already filtered by --team / --changed-since). */
  variants: readonly Variant[];
  /** Variant id → ids it builds FROM (within the whole plan). */
  dependsOn: ReadonlyMap<string, readonly string[]>;
  /** How the jobs reach runner-kit and a daemon (`ci:` resolved by ciSettings). */
  settings: CiSettings;
  /** Build args from `runner-kit ci --build-arg`. */
  buildArgs?: Record<string, string>;
  /** Variant id → the ARGs its rendered Dockerfile declares: a build arg goes only to the variants that declare it. */
  declaredArgs?: ReadonlyMap<string, readonly string[]>;
  /** Variants with an entry in the committed runner-kit.lock: only their jobs check it with --locked. */
  locked?: ReadonlySet<string>;
  /** Write the runner configuration in the publish job (the project has a runner section). */
  runnerConfig?: boolean;
  /** `ci --platform` (normalised): every job builds for these platforms. */
  platforms?: readonly string[];
}

export const PUBLISH_JOB = "runner-kit:publish";
export const EMPTY_JOB = "runner-kit:nothing-to-build";
export const LINT_JOB = "runner-kit:lint";
/** GitLab's Code Quality report: shown in merge requests (`artifacts: reports: codequality`). */
export const CODE_QUALITY_REPORT = "gl-code-quality-report.json";

/** The build args one variant receives: those its Dockerfile declares (or Docker predefines). */
export function variantBuildArgs(variant: Pick<Variant, "id">, buildArgs: Record<string, string>, declared?: ReadonlyMap<string, readonly string[]>): Record<string, string> {
  const own = declared?.get(variant.id);
  if (!own) return buildArgs;
  return Object.fromEntries(Object.entries(buildArgs).filter(([name]) => own.includes(name) || isPredefinedArg(name)));
}

type Job = Record<string, unknown>;

/**
 * The child pipeline as plain data, deterministic: one job per variant in stages that
 * follow image dependencies, a publish job merging lock fragments and writing the runner
 * configuration. Nothing in it assumes runner-kit's own source tree: runner-kit comes from
 * the job image, npx or the project's package.json (`ci.install`).
 */
export function generatePipeline(plan: Plan, options: PipelineOptions): Record<string, unknown> {
  const { settings } = options;
  const variants = [...options.variants].sort((a, b) => a.id.localeCompare(b.id));
  const included = new Set(variants.map((v) => v.id));
  const levels = dependencyLevels(
    plan.variants.map((v) => v.id),
    options.dependsOn,
  );
  const usedLevels = [...new Set(variants.map((v) => levels.get(v.id) ?? 0))].sort((a, b) => a - b);
  const stageOf = (id: string) => `images-${usedLevels.indexOf(levels.get(id) ?? 0)}`;

  const pipeline: Record<string, unknown> = {
    stages: [...usedLevels.map((_, i) => `images-${i}`), "publish"],
    variables: settings.variables,
    default: {
      image: settings.image,
      services: settings.services,
      ...(settings.tags.length > 0 ? { tags: settings.tags } : {}),
      before_script: [...settings.setup, registryLoginLine(registryHost(plan.registry))],
    },
  };

  if (variants.length === 0) {
    pipeline.stages = ["publish"];
    pipeline[EMPTY_JOB] = {
      stage: "publish",
      services: [],
      before_script: [],
      script: ['echo "runner-kit: no image inputs changed; nothing to build"'],
    };
    return pipeline;
  }

  pipeline[LINT_JOB] = lintJob(options.settings);
  for (const variant of variants) {
    const job = variantJob(plan, variant, options, stageOf(variant.id), included);
    // ci.platform_jobs: a multi-platform variant's platforms in parallel jobs, then its index job (platform-jobs.ts).
    const command = commandOptions(variant, options);
    if (settings.platformJobs && jobPlatforms(variant, command).length > 1) Object.assign(pipeline, platformJobs(variant, job, command));
    else pipeline[jobName(variant)] = job;
  }

  const publish = [`${settings.runnerKit} lock merge locks/*.lock --out ${LOCK_FILE_NAME}`];
  if (options.runnerConfig) publish.push(`${settings.runnerKit} config --out runner`);
  pipeline[PUBLISH_JOB] = {
    stage: "publish",
    needs: variants.map((v) => ({ job: jobName(v), artifacts: true, optional: true })),
    services: [],
    before_script: settings.setup,
    script: publish,
    // The merged lock is the file to commit (see the README: how runner-kit.lock is born).
    artifacts: { paths: [LOCK_FILE_NAME, ...(options.runnerConfig ? ["runner/"] : [])], expire_in: "90 days" },
  };
  return pipeline;
}

/**
 * Lint beside the first images: the rendered Dockerfiles (rendered afresh, so a project that
 * does not commit them lints too) as GitLab's Code Quality report, kept when lint fails. No
 * daemon: no docker:dind service and no registry login.
 */
function lintJob(settings: PipelineOptions["settings"]): Job {
  return {
    stage: "images-0",
    services: [],
    before_script: [...settings.setup],
    script: [`${settings.runnerKit} render`, `${settings.runnerKit} lint --format gitlab --output ${CODE_QUALITY_REPORT}`],
    artifacts: { when: "always", reports: { codequality: CODE_QUALITY_REPORT }, expire_in: "30 days" },
  };
}

/** How one variant's jobs call runner-kit build. */
function commandOptions(variant: Variant, options: PipelineOptions): BuildCommandOptions {
  return {
    runnerKit: options.settings.runnerKit,
    buildArgs: variantBuildArgs(variant, options.buildArgs ?? {}, options.declaredArgs),
    locked: options.locked?.has(variant.id) ?? false,
    ...(options.platforms ? { platforms: options.platforms } : {}),
  };
}

/** One variant's image job. */
function variantJob(plan: Plan, variant: Variant, options: PipelineOptions, stage: string, included: ReadonlySet<string>): Job {
  const slug = variantSlug(variant);
  const byId = new Map(plan.variants.map((v) => [v.id, v]));
  // A job re-runs when its own inputs or those of any image it builds FROM change.
  const inputs = new Set(variantInputs(plan, variant));
  for (const dep of transitiveDependencies(variant.id, options.dependsOn)) {
    const depVariant = byId.get(dep);
    if (depVariant) for (const glob of variantInputs(plan, depVariant)) inputs.add(glob);
  }
  const needs = (options.dependsOn.get(variant.id) ?? [])
    .filter((dep) => included.has(dep))
    .map((dep) => ({ job: jobName({ id: dep }), artifacts: false, optional: true }));
  const command = buildCommand(variant, commandOptions(variant, options));
  return {
    stage,
    ...(needs.length > 0 ? { needs } : {}),
    script: [command],
    artifacts: {
      when: "always",
      paths: [`locks/${slug}.lock`],
      reports: { junit: `reports/${slug}.xml` },
      expire_in: "30 days",
    },
    rules: [{ changes: [...inputs].sort() }],
  };
}
