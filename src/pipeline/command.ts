import { join, resolve } from "node:path";
import type { CliContext } from "../common/context.js";
import { say } from "../common/context.js";
import { writeFileAtomic } from "../common/atomic-write.js";
import { declaredArgs } from "../dockerfile/declared-args.js";
import { checkDeclaredArgs } from "../project/declared-args-check.js";
import { dockerfileBases } from "../dockerfile/from.js";
import { parseDockerfile, type Dockerfile } from "../dockerfile/parse.js";
import { LOCK_FILE_NAME } from "../lock/lockfile.js";
import { readLock } from "../lock/store.js";
import type { Variant } from "../project/plan.js";
import { variantDependencies } from "../project/dependencies.js";
import { loadPlan } from "../project/load.js";
import { platformFlag } from "../project/platforms.js";
import { renderVariant } from "../render/render.js";
import { TemplateStore } from "../template/template-store.js";
import { buildArgLayer } from "../template/values.js";
import { ciSettings, pipelineNotes, registryHost } from "./ci-settings.js";
import { changedFilesSince, type GitRunner } from "./changed.js";
import { pipelineYaml } from "./document.js";
import { generatePipeline } from "./generate.js";
import { variantsAffectedBy } from "./select.js";
import { pipelineProblems } from "./validate.js";
import { runnerKitVersion } from "../common/version.js";

export interface CiOptions {
  config?: string;
  out: string;
  team?: string;
  changedSince?: string;
  buildArg?: string[];
  /** --platform values (comma lists): every job builds for these platforms. */
  platform?: string[];
}

export interface CiResult {
  file: string;
  jobs: string[];
  skipped: string[];
}

/** `runner-kit ci`: write the child pipeline for the project's variants. */
export async function runCi(ctx: CliContext, options: CiOptions, git?: GitRunner): Promise<CiResult> {
  // One template store: each template file is read and compiled once for all variants.
  const store = new TemplateStore();
  const plan = await loadPlan({ cwd: ctx.cwd, configFile: options.config, team: options.team, buildArgs: options.buildArg, store, ...(options.platform?.length ? { platforms: options.platform } : {}) });
  const fromById = new Map<string, string[]>();
  const rendered: { variant: Variant; dockerfile: Dockerfile }[] = [];
  for (const variant of plan.variants) {
    const dockerfile = parseDockerfile(await renderVariant(variant, { store }));
    rendered.push({ variant, dockerfile });
    fromById.set(variant.id, dockerfileBases(dockerfile, variant.args, variant.target).externalImages);
  }
  // A --build-arg no variant declares is a typo; one some declare goes only to those.
  checkDeclaredArgs(rendered);
  const declared = new Map(rendered.map(({ variant, dockerfile }) => [variant.id, declaredArgs(dockerfile)]));
  const dependsOn = variantDependencies(plan.variants, fromById);

  let variants = plan.variants;
  const skipped: string[] = [];
  if (options.changedSince) {
    // execa is loaded only when --changed-since asks git.
    const runGit: GitRunner = git ?? (async (args) => (await (await import("execa")).execa("git", args, { cwd: plan.rootDir })).stdout);
    const changed = await changedFilesSince(runGit, options.changedSince);
    variants = variantsAffectedBy(plan, dependsOn, changed);
    for (const v of plan.variants) if (!variants.includes(v)) skipped.push(v.id);
  }

  const settings = ciSettings(plan.ci, { registry: plan.registry, version: runnerKitVersion() });
  // The lock is born in the pipeline: only variants it already records are checked with --locked.
  const lock = await readLock(join(plan.rootDir, LOCK_FILE_NAME));
  const pipeline = generatePipeline(plan, {
    variants,
    dependsOn,
    settings,
    buildArgs: buildArgLayer(options.buildArg),
    ...(options.platform?.length ? { platforms: platformFlag(options.platform) } : {}),
    declaredArgs: declared,
    locked: new Set(Object.keys(lock?.variants ?? {})),
    runnerConfig: plan.runner !== undefined || plan.variants.some((v) => v.runner !== undefined),
  });
  const problems = pipelineProblems(pipeline);
  if (problems.length > 0) {
    throw new Error(`generated pipeline breaks GitLab's rules: ${problems.join("; ")}`);
  }
  const file = resolve(ctx.cwd, options.out);
  await writeFileAtomic(file, pipelineYaml(pipeline, pipelineNotes(settings, registryHost(plan.registry))));
  const jobs = Object.keys(pipeline).filter((k) => k.startsWith("build:") || k.startsWith("runner-kit:"));
  say(ctx, `runner-kit: wrote ${file} (${jobs.length} jobs${skipped.length ? `; unchanged, left out: ${skipped.join(", ")}` : ""})`);
  return { file, jobs, skipped };
}
