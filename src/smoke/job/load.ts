/** Reading the job: `--job FILE[#JOB]`, or the built-in runner image job. */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { configError } from "../../common/errors.js";
import { packagePath } from "../../common/package-root.js";
import type { Plan, Variant } from "../../project/plan.js";
import { parseJob, type SmokeJob } from "./parse.js";

/** The built-in smoke job for runner images (smoke/runner-aws.gitlab-ci.yml in the package). */
export const BUILTIN_JOB_FILE = packagePath("smoke/runner-aws.gitlab-ci.yml");

export { splitJobRef } from "./job-ref.js";

export async function loadSmokeJob(file: string, job: string | undefined, cwd: string): Promise<SmokeJob> {
  const path = isAbsolute(file) ? file : join(cwd, file);
  const shown = isAbsolute(file) ? (relative(cwd, file).startsWith("..") ? file : relative(cwd, file)) : file;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw configError(code === "ENOENT" ? "the job file does not exist" : `cannot read the job file (${code})`, {
      where: shown,
      hint: "pass --job path/to/.gitlab-ci.yml#job",
    });
  }
  return parseJob(text, { file: shown, ...(job !== undefined ? { job } : {}) });
}

/**
 * The project's variant for an image: the variant of runner-kit.yaml whose repository is
 * the image's (tag and digest ignored). Undefined when there is no project file; the
 * variant is undefined when none matches.
 */
export async function projectVariant(cwd: string, configFile: string, image: string | undefined): Promise<{ plan: Plan; variant?: Variant } | undefined> {
  if (!existsSync(isAbsolute(configFile) ? configFile : join(cwd, configFile))) return undefined;
  const [{ loadPlan }, { parseImageReference }] = await Promise.all([import("../../project/load.js"), import("../../reference/parse.js")]);
  const plan = await loadPlan({ cwd, configFile });
  const wanted = image ? parseImageReference(image).name : undefined;
  const variant = wanted === undefined ? undefined : plan.variants.find((v) => parseImageReference(v.repository).name === wanted);
  return { plan, ...(variant ? { variant } : {}) };
}

/** A variant's `smoke:` setting as a job reference; undefined when it has none. */
export function variantSmokeRef(variant: Variant | undefined): { file: string; job?: string } | undefined {
  return variant?.smoke ? { file: variant.smoke.file, ...(variant.smoke.job !== undefined ? { job: variant.smoke.job } : {}) } : undefined;
}
