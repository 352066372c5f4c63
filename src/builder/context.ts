import * as fs from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Headers, Pack, PackOptions } from "tar-fs";
import { INJECTED_DOCKERFILE, type ContextEntry } from "./context-files.js";

export { INJECTED_DOCKERFILE };

/** Files below this size are read in one call when the daemon asks for them, not through a stream. */
const SMALL_FILE = 256 * 1024;

type StatCallback = (error: NodeJS.ErrnoException | null, stat?: fs.Stats) => void;

/** What tar-fs needs of a Stats object, from the walk's entry (no second lstat per file). */
class EntryStat {
  readonly mode: number;
  readonly size: number;
  readonly uid = 0;
  readonly gid = 0;
  constructor(private readonly entry: ContextEntry) {
    const typeBits = entry.type === "directory" ? fs.constants.S_IFDIR : entry.type === "symlink" ? fs.constants.S_IFLNK : fs.constants.S_IFREG;
    this.mode = typeBits | entry.mode;
    this.size = entry.size;
  }
  get mtime(): Date {
    return new Date(this.entry.mtimeMs);
  }
  isDirectory(): boolean {
    return this.entry.type === "directory";
  }
  isSymbolicLink(): boolean {
    return this.entry.type === "symlink";
  }
  isFile(): boolean {
    return this.entry.type === "file";
  }
  isSocket(): boolean {
    return false;
  }
}

/** A file's whole content as a one-chunk stream (far lighter than fs.createReadStream per small file). */
function bufferStream(read: () => Buffer): Readable {
  return new Readable({
    read() {
      try {
        this.push(read());
        this.push(null);
      } catch (error) {
        this.destroy(error as Error);
      }
    },
  });
}

/**
 * The file system tar-fs reads through: stats come from the walk already done (listed
 * paths only; directories are never descended again), small files are read in one call,
 * large ones streamed. Content is still read from disk only as the daemon consumes the tar.
 */
function walkedFs(dir: string, entries: ContextEntry[]) {
  const byPath = new Map(entries.map((e) => [join(dir, e.path), e]));
  const stat = (path: string, callback: StatCallback) => {
    const e = byPath.get(path);
    if (e) process.nextTick(callback, null, new EntryStat(e) as unknown as fs.Stats);
    else fs.lstat(path, callback);
  };
  return {
    lstat: stat,
    stat,
    readdir: (_path: string, callback: (error: null, files: string[]) => void) => process.nextTick(callback, null, []),
    readlink: fs.readlink,
    createReadStream: (path: string, options: { start?: number; end?: number }) => {
      const e = byPath.get(path);
      if (e && e.size < SMALL_FILE) return bufferStream(() => fs.readFileSync(path));
      return fs.createReadStream(path, options);
    },
  };
}

/**
 * The build context as a streaming tar (tar-fs): the listed entries (already filtered by
 * .dockerignore), read from disk as the daemon consumes the stream, then the rendered
 * Dockerfile added as one more entry. Owners are normalised to root, as the Docker CLI
 * does, so the context does not depend on who checked it out. tar-fs loads here, on the
 * first tar: a no-op build and a BuildKit build over the file sync never need it.
 */
export async function contextTar(dir: string, entries: ContextEntry[], dockerfile: string, mtime: Date = new Date(0)): Promise<NodeJS.ReadableStream> {
  const { pack } = await import("tar-fs");
  const tar = pack(dir, {
    // The walk is done: only the listed paths go in, tar-fs never descends on its own.
    entries: entries.map((e) => e.path),
    fs: walkedFs(dir, entries),
    finalize: false,
    map: (header: Headers) => {
      header.uid = 0;
      header.gid = 0;
      return header;
    },
    finish: (p: Pack) => {
      p.entry({ name: INJECTED_DOCKERFILE, mode: 0o644, mtime, uid: 0, gid: 0 }, dockerfile);
      p.finalize();
    },
  } as PackOptions);
  return tar as unknown as NodeJS.ReadableStream;
}
