import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface AtomicWriteOptions {
  /** File mode; credentials files must be 0o600. Applied before the data is written. */
  mode?: number;
}

/**
 * Write a file so that readers (and a crash, or kill -9) only ever see the old content or
 * the whole new content: write a temporary file beside it, fsync, rename over the target.
 * The temporary file is created with the final mode, so a secret is never world-readable
 * even for a moment.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const mode = options.mode ?? 0o644;
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
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
