import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";

/**
 * A cache folder bounded by count: the names of the files to remove so that only the `keep`
 * most recently written of `files` stay, each with its `companions` (a list beside a cache
 * file). Pure, for the callers' tests.
 */
export function beyondNewest(files: ReadonlyArray<{ name: string; mtimeMs: number }>, keep: number, companions: (name: string) => string[] = () => []): string[] {
  const newestFirst = [...files].sort((a, b) => b.mtimeMs - a.mtimeMs);
  return newestFirst.slice(keep).flatMap((f) => [f.name, ...companions(f.name)]);
}

/** Remove from `dir` all but the `keep` most recently written files `member` picks (with their companions). */
export async function keepNewest(dir: string, keep: number, member: (name: string) => boolean, companions?: (name: string) => string[]): Promise<void> {
  const names = (await readdir(dir)).filter(member);
  if (names.length <= keep) return;
  // A file gone in between counts as the oldest: removing it again is harmless.
  const files = await Promise.all(names.map(async (name) => ({ name, mtimeMs: (await stat(join(dir, name)).catch(() => undefined))?.mtimeMs ?? 0 })));
  await Promise.all(beyondNewest(files, keep, companions).map((name) => rm(join(dir, name), { force: true })));
}
