import { basename, resolve } from "node:path";
import { say, type CliContext } from "../common/context.js";
import { usageError } from "../common/errors.js";
import { mergeLockFragments } from "./merge-fragments.js";
import { readLock, writeLock } from "./store.js";

export interface LockMergeOptions {
  out: string;
}

/**
 * `runner-kit lock merge FRAGMENT… --out FILE`: fold the lock fragments of parallel CI jobs
 * (`build --lock-out`) into one lock, over what FILE already holds.
 */
export async function runLockMerge(ctx: CliContext, fragments: string[], options: LockMergeOptions): Promise<void> {
  if (fragments.length === 0) throw usageError("lock merge needs at least one fragment", { hint: "runner-kit lock merge locks/*.lock --out runner-kit.lock" });
  const loaded = [];
  for (const file of fragments) {
    const path = resolve(ctx.cwd, file);
    const lock = await readLock(path);
    if (!lock) throw usageError(`lock fragment ${file} does not exist`, { hint: "check the path, or the artifacts the job downloaded" });
    loaded.push({ name: file, lock });
  }
  const out = resolve(ctx.cwd, options.out);
  const merged = mergeLockFragments(loaded, await readLock(out));
  await writeLock(out, merged);
  say(ctx, `runner-kit: merged ${fragments.length} fragment${fragments.length === 1 ? "" : "s"} into ${basename(out)} (${Object.keys(merged.variants).length} variants)`);
}
