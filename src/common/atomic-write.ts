import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { processIsAlive } from "./process-alive.js";

export interface AtomicWriteOptions {
  /** File mode; credentials files must be 0o600. Applied before the data is written. */
  mode?: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** This host's name as it goes into a temporary file name (letters, digits and dashes). */
function hostTag(name = hostname()): string {
  return name.replace(/[^A-Za-z0-9-]/g, "-").slice(0, 32) || "host";
}

/**
 * The temporary name for `path` written by process `pid` on this host:
 * `.<name>.<pid>@<host>.<random>.tmp` beside it. The host is part of the name because a pid
 * only means something on its own host (or container): a folder shared between machines or
 * containers must not have one side's live writers taken for dead by the other.
 */
export function atomicTempName(path: string, pid: number, random = randomBytes(6).toString("hex"), host = hostTag()): string {
  return join(dirname(path), `.${basename(path)}.${pid}@${hostTag(host)}.${random}.tmp`);
}

/**
 * Remove the temporary files that writers of `path` on this host left when they were killed
 * (kill -9, power loss) between creating the temporary file and renaming it: those whose
 * process is gone. A live writer's file, and any other host's, is never touched. Returns the names removed.
 */
export async function removeStaleTempFiles(path: string, alive: (pid: number) => boolean = processIsAlive): Promise<string[]> {
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(path))}\\.(\\d+)@${escapeRegExp(hostTag())}\\.[0-9a-f]{12}\\.tmp$`);
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return [];
  }
  const stale = names.filter((name) => {
    const pid = Number(pattern.exec(name)?.[1] ?? 0);
    return pid > 0 && pid !== process.pid && !alive(pid);
  });
  await Promise.all(stale.map((name) => rm(join(dirname(path), name), { force: true })));
  return stale;
}

/**
 * Write a file so that readers (and a crash, or kill -9) only ever see the old content or
 * the whole new content: write a temporary file beside it, fsync, rename over the target.
 * The temporary file is created with the final mode, so a secret is never world-readable
 * even for a moment. The temporary name carries the writer's pid, so the next write removes
 * what a killed writer left.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  await removeStaleTempFiles(path);
  const mode = options.mode ?? 0o644;
  const tmp = atomicTempName(path, process.pid);
  const handle = await open(tmp, "wx", mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode); // umask must not widen or narrow what was asked for
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await chmod(path, mode);
}
