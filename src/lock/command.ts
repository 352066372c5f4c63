import { basename, resolve } from "node:path";
import { say, type CliContext } from "../common/context.js";
import { usageError } from "../common/errors.js";
import { mergeLockFragments } from "./merge-fragments.js";
import { readLock, writeLock } from "./store.js";

export interface LockMergeOptions {
  out: string;
}

/** A pattern the shell passed on as written because it matched no file (sh has no nullglob). */
const isUnmatchedGlob = (arg: string) => /[*?[]/.test(arg);

/**
 * `runner-kit lock merge FRAGMENT… --out FILE`: fold the lock fragments of parallel CI jobs
 * (`build --lock-out`) into one lock, over what FILE already holds. A glob that matched
 * nothing means no job wrote a fragment: FILE is kept as it is, or, when there is none, the
 * command says so and writes nothing.
 */
export async function runLockMerge(ctx: CliContext, fragments: string[], options: LockMergeOptions): Promise<void> {
  if (fragments.length === 0) throw usageError("lock merge needs at least one fragment", { hint: "runner-kit lock merge locks/*.lock --out runner-kit.lock" });
  const out = resolve(ctx.cwd, options.out);
  const loaded = [];
  const unmatched: string[] = [];
  for (const file of fragments) {
    const lock = await readLock(resolve(ctx.cwd, file));
    if (lock) loaded.push({ name: file, lock });
    else if (isUnmatchedGlob(file)) unmatched.push(file);
    else throw usageError(`lock fragment ${file} does not exist`, { hint: "check the path, or the artifacts the job downloaded" });
  }
  const previous = await readLock(out);
  if (loaded.length === 0) {
    const what = `no lock fragments matched ${unmatched.join(" ")}`;
    if (!previous) {
      throw usageError(`${what} and ${options.out} does not exist, so there is nothing to merge; nothing was written`, {
        hint: "the fragments come from `runner-kit build --lock-out FILE` (the image jobs of the generated pipeline): check that those jobs ran and that this job downloads their artifacts",
      });
    }
    say(ctx, `runner-kit: ${what}; ${basename(out)} kept as it is (${Object.keys(previous.variants).length} variants)`);
    return;
  }
  const merged = mergeLockFragments(loaded, previous);
  await writeLock(out, merged);
  say(ctx, `runner-kit: merged ${loaded.length} fragment${loaded.length === 1 ? "" : "s"} into ${basename(out)} (${Object.keys(merged.variants).length} variants)`);
}
