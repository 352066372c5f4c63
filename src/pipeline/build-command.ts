/**
 * What every job of a variant says of it: its job name, its file-name slug and the
 * `runner-kit build` command line it runs. Shared by the one-job-per-variant pipeline
 * (generate.ts) and the per-platform jobs (platform-jobs.ts).
 */
import type { Variant } from "../project/plan.js";
import { shellQuote } from "../common/shell-quote.js";

/** Job name for a variant: "build:runner-aws", "build:data/runner-aws". */
export function jobName(variant: Pick<Variant, "id">): string {
  return `build:${variant.id}`;
}

/** File-name-safe variant id: "data/runner-aws" → "data__runner-aws". */
export function variantSlug(variant: Pick<Variant, "id">): string {
  return variant.id.replace(/\//g, "__");
}

export interface BuildCommandOptions {
  /** The command that runs runner-kit (default `runner-kit`). */
  runnerKit?: string;
  buildArgs?: Record<string, string>;
  /** Check the committed lock (--locked). */
  locked?: boolean;
  /** --platform for the job (normalised platforms). */
  platforms?: readonly string[];
}

/** `runner-kit build <the variant>` with what decides its content hash: build args and platforms (every job of a variant says the same). */
export function buildCommandHead(variant: Variant, options: BuildCommandOptions = {}): string {
  const selector = variant.team ? `${variant.image} --team ${variant.team}` : `${variant.image} --no-teams`;
  const buildArgs = options.buildArgs ?? {};
  const args = Object.keys(buildArgs)
    .sort()
    .map((k) => ` --build-arg ${shellQuote(`${k}=${buildArgs[k]}`)}`)
    .join("");
  const platforms = options.platforms?.length ? ` --platform ${options.platforms.join(",")}` : "";
  return `${options.runnerKit ?? "runner-kit"} build ${selector}${args}${platforms}`;
}

/** The runner-kit command line one job runs. */
export function buildCommand(variant: Variant, options: BuildCommandOptions = {}): string {
  const slug = variantSlug(variant);
  const locked = options.locked ? " --locked" : "";
  return `${buildCommandHead(variant, options)} --push --smoke${locked} --lock-out locks/${slug}.lock --junit reports/${slug}.xml${cacheFlags(variant)}`;
}

/**
 * Registry cache for a job's fresh daemon: layers from the variant's own last pushed image
 * (its `latest` tag, else its first tag), and inline cache metadata in what it pushes so the
 * next pipeline can do the same. A ref that does not exist yet is ignored by the build.
 */
export function cacheFlags(variant: Pick<Variant, "repository" | "tags">): string {
  const tag = variant.tags.includes("latest") ? "latest" : variant.tags[0];
  return tag === undefined ? "" : ` --cache-from ${shellQuote(`${variant.repository}:${tag}`)} --cache-inline`;
}
