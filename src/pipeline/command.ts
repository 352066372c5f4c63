import { resolve } from "node:path";
import { execa } from "execa";
import type { CliContext } from "../cli/context.js";
import { say } from "../cli/context.js";
import { configError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { dockerfileBases } from "../docker/dockerfile-from.js";
import { variantDependencies } from "../project/dependencies.js";
import { loadPlan } from "../project/load.js";
import { renderVariant } from "../render/render.js";
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
  const plan = await loadPlan({ cwd: ctx.cwd, configFile: options.config, team: options.team, buildArgs: options.buildArg });
  const fromById = new Map<string, string[]>();
  for (const variant of plan.variants) fromById.set(variant.id, dockerfileBases(await renderVariant(variant), variant.args, variant.target).externalImages);
  const dependsOn = variantDependencies(plan.variants, fromById);

  let variants = plan.variants;
  const skipped: string[] = [];
  if (options.changedSince) {
    const runGit: GitRunner = git ?? (async (args) => (await execa("git", args, { cwd: plan.rootDir })).stdout);
    const changed = await changedFilesSince(runGit, options.changedSince);
    variants = variantsAffectedBy(plan, dependsOn, changed);
    for (const v of plan.variants) if (!variants.includes(v)) skipped.push(v.id);
  }

  const pipeline = generatePipeline(plan, { variants, dependsOn, buildArgs: parseBuildArgs(options.buildArg ?? []) });
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

function parseBuildArgs(pairs: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw configError(`--build-arg ${pair} is not KEY=VALUE`, { hint: "write it as --build-arg GITLAB_RUNNER_VERSION=v17.3.0" });
    args[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return args;
}
