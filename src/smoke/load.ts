/** Reading the job: `--job FILE[#JOB]`, or the built-in runner image job. */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { isAbsolute, join, relative } from "node:path";
import { configError } from "../errors.js";
import { parseJob, type SmokeJob } from "./job.js";

/** The built-in smoke job for runner images (smoke/runner-aws.gitlab-ci.yml in the package). */
export const BUILTIN_JOB_FILE = fileURLToPath(new URL("../../smoke/runner-aws.gitlab-ci.yml", import.meta.url));

/** Split `file#job` (the job part is optional). */
export function splitJobRef(ref: string): { file: string; job?: string } {
  const hash = ref.lastIndexOf("#");
  if (hash <= 0) return { file: ref };
  const job = ref.slice(hash + 1);
  return job === "" ? { file: ref.slice(0, hash) } : { file: ref.slice(0, hash), job };
}

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
