import { readFile } from "node:fs/promises";
import { configError } from "../common/errors.js";
import { writeFileAtomic } from "../common/atomic-write.js";
import type { LockEntry, LockFile } from "./lockfile.js";

/** runner-kit.lock, or undefined when there is none yet. A damaged file is a configuration error. */
export async function readLock(path: string): Promise<LockFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw configError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw configError(`${path} is not valid JSON (${error instanceof Error ? error.message : String(error)})`, {
      hint: "restore it from version control, or delete it and run `runner-kit build` to write a fresh one",
    });
  }
  const lock = data as Partial<LockFile>;
  if (lock === null || typeof lock !== "object" || lock.version !== 1 || typeof lock.variants !== "object" || lock.variants === null) {
    throw configError(`${path} is not a runner-kit lock file of version 1`, {
      hint: "delete it and run `runner-kit build` to write a fresh one",
    });
  }
  for (const [id, entry] of Object.entries(lock.variants)) {
    const e = entry as Partial<LockEntry>;
    if (typeof e.repository !== "string" || typeof e.contentHash !== "string" || !Array.isArray(e.tags)) {
      throw configError(`${path}: the entry for ${id} lacks repository, tags or contentHash`, {
        hint: "delete it and run `runner-kit build` to write a fresh one",
      });
    }
  }
  return lock as LockFile;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]!]));
}

/** Stable text: variants and base images sorted, so the file diffs cleanly in review. */
export function serializeLock(lock: LockFile): string {
  const variants: Record<string, LockEntry> = {};
  for (const [id, entry] of Object.entries(sortKeys(lock.variants))) {
    variants[id] = { ...entry, baseImages: sortKeys(entry.baseImages) };
  }
  return `${JSON.stringify({ version: 1, variants }, null, 2)}\n`;
}

/** Written atomically: readers see the old lock or the new one, never half of either. */
export async function writeLock(path: string, lock: LockFile): Promise<void> {
  await writeFileAtomic(path, serializeLock(lock));
}

export interface ExpectedLockEntry {
  repository: string;
  tags: string[];
  contentHash: string;
  /** A multi-platform image: platform → the content hash its entry must record. */
  platforms?: Record<string, string>;
}

/** Why a multi-platform entry does not record each platform's image (undefined when it does). */
function stalePlatforms(id: string, have: LockEntry, want: Record<string, string>): string | undefined {
  for (const [platform, hash] of Object.entries(want)) {
    const entry = have.platforms?.[platform];
    if (!entry) return `${id} has no ${platform} entry`;
    if (entry.contentHash !== hash) return `${id} ${platform} changed (content hash ${entry.contentHash.slice(0, 19)}… → ${hash.slice(0, 19)}…)`;
  }
  return undefined;
}

/** Why the lock does not describe these variants ([] when it is current). */
export function staleLockReasons(lock: LockFile | undefined, expected: Record<string, ExpectedLockEntry>): string[] {
  const reasons: string[] = [];
  for (const [id, want] of Object.entries(expected)) {
    const have = lock?.variants[id];
    if (!have) reasons.push(`${id} has no entry`);
    else if (have.contentHash !== want.contentHash) reasons.push(`${id} changed (content hash ${have.contentHash.slice(0, 19)}… → ${want.contentHash.slice(0, 19)}…)`);
    else if (have.repository !== want.repository) reasons.push(`${id} moved from ${have.repository} to ${want.repository}`);
    else if ([...have.tags].sort().join(",") !== [...want.tags].sort().join(",")) reasons.push(`${id} tags changed (${have.tags.join(", ")} → ${want.tags.join(", ")})`);
    else if (want.platforms) {
      const stale = stalePlatforms(id, have, want.platforms);
      if (stale) reasons.push(stale);
    }
  }
  return reasons;
}

/**
 * `--locked` on a stale lock: a configuration problem (the committed lock does not describe
 * the project), so exit 2 — nothing was built or written. No lock at all (`lock`
 * undefined: the file does not exist) is said as such, with how to make one.
 */
/** --locked with no lock file at all: said on its own, before any content hash is computed. */
export function requireLockFile(lockPath: string, lock: LockFile | undefined): void {
  if (lock !== undefined) return;
  throw configError(`--locked needs a lock file, and ${lockPath} does not exist`, {
    hint: "run `runner-kit build --push` without --locked to write it, and commit runner-kit.lock (the generated pipeline's publish job also writes one to commit)",
  });
}

export function assertLockCurrent(lockPath: string, lock: LockFile | undefined, expected: Record<string, ExpectedLockEntry>): void {
  if (Object.keys(expected).length > 0) requireLockFile(lockPath, lock);
  const reasons = staleLockReasons(lock, expected);
  if (reasons.length === 0) return;
  throw configError(`${lockPath} is stale: ${reasons.join("; ")}`, {
    hint: "run `runner-kit build --push` without --locked and commit the updated runner-kit.lock",
  });
}

/** The lock after this run: entries of variants not built this time are kept. */
export function mergeLock(previous: LockFile | undefined, updates: Record<string, LockEntry>): LockFile {
  return { version: 1, variants: { ...(previous?.variants ?? {}), ...updates } };
}
