/**
 * The file hash cache: the sha256 of each build context file, keyed by its path and its
 * stat key (device, inode, size, mtime and ctime in nanoseconds: context-files.ts), so a
 * file that did not change is not read again. Content stays the truth: any difference in
 * the key is a miss and the file is read. A write to a file changes its ctime, so a file
 * rewritten to the same size with its mtime put back is still a miss; one replaced by a
 * rename has a new inode.
 *
 * One file per project under `<cache dir>/file-hashes/`, named by a hash of the project's
 * directory, holding the current files of its contexts (by absolute path); at most
 * MAX_PROJECTS such files (the least recently written are removed). Written atomically,
 * mode 0600, and only when something changed. A file that cannot be read or parsed is ignored (every file is
 * hashed from its content, and the cache is written anew); a cache that cannot be written
 * is left alone: the build does not depend on it.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { homeDir } from "../auth/config-dir.js";
import { writeFileAtomic } from "../common/atomic-write.js";
import { keepNewest } from "../common/keep-newest.js";
import { traceMark } from "../common/trace.js";
import type { ContextEntry } from "./context-files.js";

const HEADER = "runner-kit file hashes v1";
/** Projects remembered at once (one cache file each). */
export const MAX_PROJECTS = 32;
/**
 * A file changed this recently (before its content was read) is not remembered: a second
 * write within the file system's timestamp granularity (up to 1–2 s on some) would leave
 * its stat key unchanged. Git's "racily clean" files, handled the same way.
 */
export const RACY_MS = 2000;

/** Where runner-kit caches: `$XDG_CACHE_HOME/runner-kit`, else `$HOME/.cache/runner-kit`. */
export function runnerKitCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(homeDir(env), ".cache"), "runner-kit");
}

/** What content-hash.ts asks of the cache: a remembered digest, and a digest just read. */
export interface FileDigestCache {
  get(entry: ContextEntry): string | undefined;
  set(entry: ContextEntry, digest: string): void;
}

interface Remembered {
  key: string;
  digest: string;
}

const STAT_KEY = /^\d+:\d+:\d+:\d+:\d+$/;
const DIGEST = /^[0-9a-f]{64}$/;
/** What only an escaped JSON string holds (raw, these make the line malformed): then JSON.parse decides. */
// eslint-disable-next-line no-control-regex -- the control characters are what is looked for
const NEEDS_JSON = /["\\\u0000-\u001f\u2028\u2029]/;

/** A line's quoted path: JSON, read directly when it holds no escapes (the common case, no JSON.parse). */
function quotedPath(quoted: string): string | undefined {
  if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"')) return undefined;
  const inner = quoted.slice(1, -1);
  if (!NEEDS_JSON.test(inner)) return inner;
  try {
    const path: unknown = JSON.parse(quoted);
    return typeof path === "string" ? path : undefined;
  } catch {
    return undefined;
  }
}

/** The remembered entries (by absolute path) of a cache file; empty when it is not wholly well-formed. */
export function parseHashCache(text: string): Map<string, Remembered> {
  const known = new Map<string, Remembered>();
  if (!text.startsWith(`${HEADER}\n`) || !text.endsWith("\n")) return new Map();
  // Each line: "<stat key> <64 hex digits> <JSON string>".
  for (let start = HEADER.length + 1; start < text.length; ) {
    const end = text.indexOf("\n", start);
    const space = text.indexOf(" ", start);
    if (space < 0 || space > end || text.charCodeAt(space + 65) !== 0x20) return new Map();
    const key = text.slice(start, space);
    const digest = text.slice(space + 1, space + 65);
    const path = quotedPath(text.slice(space + 66, end));
    if (path === undefined || !STAT_KEY.test(key) || !DIGEST.test(digest)) return new Map();
    known.set(path, { key, digest });
    start = end + 1;
  }
  return known;
}

export interface HashCacheOptions {
  racyMs?: number;
  maxProjects?: number;
}

/**
 * The file hash cache of one project for one run: `for(contextDir)` is what hashing one
 * context asks; `save` writes the files this run used or read (files gone from a context it
 * walked drop out; the entries of contexts it did not walk stay) and never throws.
 */
export class HashCache {
  private readonly file: string;
  private known: Promise<Map<string, Remembered>> | undefined;
  private readonly next = new Map<string, Remembered>();
  private readonly walked = new Set<string>();
  private changed = false;
  private readonly startedMs = Date.now();
  /** A cache directory inside the project (HOME is the project) could land in a build context: not used. */
  private readonly disabled: boolean;

  /** `project`: the project's root directory, which names the cache file. */
  constructor(
    private readonly cacheDir: string,
    project: string,
    private readonly options: HashCacheOptions = {},
  ) {
    this.file = join(this.dir, `${createHash("sha256").update(project).digest("hex").slice(0, 32)}.txt`);
    this.disabled = join(resolve(cacheDir), "/").startsWith(join(resolve(project), "/"));
  }

  private get dir(): string {
    return join(this.cacheDir, "file-hashes");
  }

  async for(contextDir: string): Promise<FileDigestCache> {
    if (this.disabled) return { get: () => undefined, set: () => {} };
    this.known ??= readFile(this.file, "utf8").then(parseHashCache, () => new Map<string, Remembered>());
    const known = await this.known;
    traceMark(`hash cache read: ${known.size} files`);
    this.walked.add(contextDir);
    // Keys by concatenation (entry paths are clean relative paths): a join per file cost more than the lookup.
    const root = join(contextDir, "/");
    const racyMs = this.options.racyMs ?? RACY_MS;
    return {
      get: (entry) => {
        const path = root + entry.path;
        const hit = entry.statKey !== undefined ? known.get(path) : undefined;
        if (hit === undefined || hit.key !== entry.statKey) return undefined;
        this.next.set(path, hit);
        return hit.digest;
      },
      set: (entry, digest) => {
        if (entry.statKey === undefined || entry.changedMs === undefined || entry.changedMs > this.startedMs - racyMs) return;
        this.next.set(root + entry.path, { key: entry.statKey, digest });
        this.changed = true;
      },
    };
  }

  async save(): Promise<void> {
    if (this.known === undefined) return;
    try {
      const known = await this.known;
      const under = [...this.walked].map((d) => join(d, "/"));
      let dropped = false;
      for (const [path, remembered] of known) {
        if (this.next.has(path)) continue;
        if (under.some((d) => path.startsWith(d))) dropped = true;
        else this.next.set(path, remembered);
      }
      if (!this.changed && !dropped) return;
      const lines = [HEADER];
      for (const [path, { key, digest }] of this.next) lines.push(`${key} ${digest} ${JSON.stringify(path)}`);
      await writeFileAtomic(this.file, `${lines.join("\n")}\n`, { mode: 0o600 });
      await keepNewest(this.dir, this.options.maxProjects ?? MAX_PROJECTS, (name) => name.endsWith(".txt"));
      traceMark(`hash cache written: ${this.next.size} files`);
    } catch {
      // A cache that cannot be written (read-only home, full disk) only costs speed next time.
    }
  }
}
