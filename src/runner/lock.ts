import { readFile } from "node:fs/promises";
import { configError } from "../errors.js";
import type { LockFile } from "../lock/lockfile.js";

/**
 * Read runner-kit.lock for pinning runner images (undefined when there is none yet). A
 * minimal reader for `runner-kit config`; the build room owns writing the lock.
 */
export async function readRunnerLock(path: string): Promise<LockFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw configError(`cannot read the lock file: ${(error as Error).message}`, { where: path });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw configError(`the lock file is not valid JSON (${(error as Error).message})`, {
      where: path,
      hint: "restore it from version control or run runner-kit build --push to write it again",
    });
  }
  const lock = data as Partial<LockFile> | null;
  if (typeof lock !== "object" || lock === null || lock.version !== 1 || typeof lock.variants !== "object" || lock.variants === null) {
    throw configError("the lock file is not a version 1 runner-kit.lock (expected {\"version\": 1, \"variants\": {…}})", {
      where: path,
      hint: "run runner-kit build --push to write it again",
    });
  }
  return lock as LockFile;
}
