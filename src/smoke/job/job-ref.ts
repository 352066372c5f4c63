/** `--job FILE[#JOB]` split: light on purpose, so the command reads the file name before the job parser loads. */

/** Split `file#job` (the job part is optional). */
export function splitJobRef(ref: string): { file: string; job?: string } {
  const hash = ref.lastIndexOf("#");
  if (hash <= 0) return { file: ref };
  const job = ref.slice(hash + 1);
  return job === "" ? { file: ref.slice(0, hash) } : { file: ref.slice(0, hash), job };
}
