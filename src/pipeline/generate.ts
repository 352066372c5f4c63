import type { Plan, Variant } from "../project/plan.js";
import { dependencyLevels, transitiveDependencies } from "../common/dependency-order.js";
import { variantInputs } from "./inputs.js";
import { shellQuote } from "../common/shell-quote.js";

export interface PipelineOptions {
  /** The variants to put in the pipeline (already filtered by --team / --changed-since). */
  variants: readonly Variant[];
  /** Variant id → ids it builds FROM (within the whole plan). */
  dependsOn: ReadonlyMap<string, readonly string[]>;
  /** Image the jobs run runner-kit in. */
  jobImage?: string;
  /** docker:dind service image. */
  dindImage?: string;
  /** Build args baked into every job's command (from `runner-kit ci --build-arg`). */
  buildArgs?: Record<string, string>;
}

export const DEFAULT_JOB_IMAGE = "node:20-bookworm";
export const DEFAULT_DIND_IMAGE = "docker:27-dind";
export const PUBLISH_JOB = "runner-kit:publish";
export const EMPTY_JOB = "runner-kit:nothing-to-build";

/** Job name for a variant: "build:runner-aws", "build:data/runner-aws". */
export function jobName(variant: Pick<Variant, "id">): string {
  return `build:${variant.id}`;
}

/** File-name-safe variant id: "data/runner-aws" → "data__runner-aws". */
export function variantSlug(variant: Pick<Variant, "id">): string {
  return variant.id.replace(/\//g, "__");
}

/** The runner-kit command line one job runs. */
export function buildCommand(variant: Variant, buildArgs: Record<string, string> = {}): string {
  const selector = variant.team ? `${variant.image} --team ${variant.team}` : `${variant.image} --no-teams`;
  const slug = variantSlug(variant);
  const args = Object.keys(buildArgs)
    .sort()
    .map((k) => ` --build-arg ${shellQuote(`${k}=${buildArgs[k]}`)}`)
    .join("");
  return `npx runner-kit build ${selector}${args} --push --smoke --locked --lock-out locks/${slug}.lock --junit reports/${slug}.xml`;
}

/**
 * Login to $CI_REGISTRY without `docker login`: DOCKER_AUTH_CONFIG built from the job's
 * registry credentials, which runner-kit resolves exactly as GitLab Runner would.
 */
export const AUTH_CONFIG_LINE =
  'export DOCKER_AUTH_CONFIG="{\\"auths\\":{\\"${CI_REGISTRY}\\":{\\"auth\\":\\"$(printf \'%s:%s\' "$CI_REGISTRY_USER" "$CI_REGISTRY_PASSWORD" | base64 | tr -d \'\\n\')\\"}}}"';

type Job = Record<string, unknown>;

/**
 * The child pipeline as plain data, deterministic: one job per variant in stages that
 * follow image dependencies, a publish job merging lock fragments and writing the runner
 * configuration.
 */
export function generatePipeline(plan: Plan, options: PipelineOptions): Record<string, unknown> {
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
    variables: {
      DOCKER_HOST: "tcp://docker:2376",
      DOCKER_TLS_CERTDIR: "/certs",
      DOCKER_TLS_VERIFY: "1",
      DOCKER_CERT_PATH: "/certs/client",
      RUNNER_KIT_RUN_ID: "ci-$CI_JOB_ID",
    },
    default: {
      image: options.jobImage ?? DEFAULT_JOB_IMAGE,
      services: [{ name: options.dindImage ?? DEFAULT_DIND_IMAGE, alias: "docker" }],
      before_script: ["npm ci --no-audit --no-fund", "npm run build", AUTH_CONFIG_LINE],
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

  const byId = new Map(plan.variants.map((v) => [v.id, v]));
  for (const variant of variants) {
    const slug = variantSlug(variant);
    // A job re-runs when its own inputs or those of any image it builds FROM change.
    const inputs = new Set(variantInputs(plan, variant));
    for (const dep of transitiveDependencies(variant.id, options.dependsOn)) {
      const depVariant = byId.get(dep);
      if (depVariant) for (const glob of variantInputs(plan, depVariant)) inputs.add(glob);
    }
    const needs = (options.dependsOn.get(variant.id) ?? [])
      .filter((dep) => included.has(dep))
      .map((dep) => ({ job: jobName({ id: dep }), artifacts: false, optional: true }));
    const job: Job = {
      stage: stageOf(variant.id),
      ...(needs.length > 0 ? { needs } : {}),
      script: [buildCommand(variant, options.buildArgs)],
      artifacts: {
        when: "always",
        paths: [`locks/${slug}.lock`],
        reports: { junit: `reports/${slug}.xml` },
        expire_in: "30 days",
      },
      rules: [{ changes: [...inputs].sort() }],
    };
    pipeline[jobName(variant)] = job;
  }

  pipeline[PUBLISH_JOB] = {
    stage: "publish",
    needs: variants.map((v) => ({ job: jobName(v), artifacts: true, optional: true })),
    services: [],
    before_script: ["npm ci --no-audit --no-fund", "npm run build"],
    script: ["npx runner-kit lock merge locks/*.lock --out runner-kit.lock", "npx runner-kit config --out runner"],
    artifacts: { paths: ["runner-kit.lock", "runner/"], expire_in: "90 days" },
  };
  return pipeline;
}
