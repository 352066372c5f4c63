import { configError } from "../common/errors.js";
import type { LockFile } from "./lockfile.js";

/**
 * Merge the lock fragments that parallel CI jobs write (one variant each) into one lock.
 * Fragments are named for the error messages. Two fragments that disagree about the same
 * variant mean two jobs built it: an error, not a silent last-wins.
 */
export function mergeLockFragments(fragments: readonly { name: string; lock: LockFile }[], base?: LockFile): LockFile {
  const merged: LockFile = { version: 1, variants: { ...(base?.variants ?? {}) } };
  const from = new Map<string, string>();
  for (const { name, lock } of [...fragments].sort((a, b) => a.name.localeCompare(b.name))) {
    for (const [id, entry] of Object.entries(lock.variants)) {
      const earlier = from.get(id);
      if (earlier !== undefined && JSON.stringify(merged.variants[id]) !== JSON.stringify(entry)) {
        throw configError(`lock fragments ${earlier} and ${name} disagree about variant ${id}`, {
          hint: "each variant must be built by exactly one job; check the generated pipeline for duplicate jobs",
        });
      }
      merged.variants[id] = entry;
      from.set(id, name);
    }
  }
  merged.variants = Object.fromEntries(Object.entries(merged.variants).sort(([a], [b]) => a.localeCompare(b)));
  return merged;
}
