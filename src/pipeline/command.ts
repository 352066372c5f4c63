import { resolve } from "node:path";
import { execa } from "execa";
import type { CliContext } from "../common/context.js";
import { say } from "../common/context.js";
import { writeFileAtomic } from "../common/atomic-write.js";
import { dockerfileBases } from "../dockerfile/from.js";
import { parseDockerfile } from "../dockerfile/parse.js";
import { variantDependencies } from "../project/dependencies.js";
import { loadPlan } from "../project/load.js";
import { renderVariant } from "../render/render.js";
import { TemplateStore } from "../template/template-store.js";
import { buildArgLayer } from "../template/values.js";
import { changedFilesSince, type GitRunner } from "./changed.js";
import { pipelineYaml } from "./document.js";
import { generatePipeline } from "./generate.js";
import { variantsAffectedBy } from "./select.js";
import { pipelineProblems } from "./validate.js";

export interface CiOptions {
  config?: string;
  out: string;
  team?: string;
  changedSince?: string;
  buildArg?: string[];
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
  const plan = await loadPlan({ cwd: ctx.cwd, configFile: options.config, team: options.team, buildArgs: options.buildArg, store });
  const fromById = new Map<string, string[]>();
  for (const variant of plan.variants) fromById.set(variant.id, dockerfileBases(parseDockerfile(await renderVariant(variant, { store })), variant.args, variant.target).externalImages);
  const dependsOn = variantDependencies(plan.variants, fromById);

  let variants = plan.variants;
  const skipped: string[] = [];
  if (options.changedSince) {
    const runGit: GitRunner = git ?? (async (args) => (await execa("git", args, { cwd: plan.rootDir })).stdout);
    const changed = await changedFilesSince(runGit, options.changedSince);
    variants = variantsAffectedBy(plan, dependsOn, changed);
    for (const v of plan.variants) if (!variants.includes(v)) skipped.push(v.id);
  }

  const pipeline = generatePipeline(plan, { variants, dependsOn, buildArgs: buildArgLayer(options.buildArg) });
  const problems = pipelineProblems(pipeline);
  if (problems.length > 0) {
    throw new Error(`generated pipeline breaks GitLab's rules: ${problems.join("; ")}`);
  }
  const file = resolve(ctx.cwd, options.out);
  await writeFileAtomic(file, pipelineYaml(pipeline));
  const jobs = Object.keys(pipeline).filter((k) => k.startsWith("build:") || k.startsWith("runner-kit:"));
  say(ctx, `runner-kit: wrote ${file} (${jobs.length} jobs${skipped.length ? `; unchanged, left out: ${skipped.join(", ")}` : ""})`);
  return { file, jobs, skipped };
}
