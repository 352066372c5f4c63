/**
 * What the FileSync DiffCopy stream sends of a listed context (pure): the entries in the
 * order fsutil walks a directory, each as fsutil's Stat, narrowed to the paths the daemon
 * asked for. The list itself is runner-kit's own (context-files.ts, .dockerignore applied),
 * so the daemon sees exactly what the context tar holds.
 */
import dockerignoreModule from "@balena/dockerignore";
import type { ContextEntry } from "../context-files.js";

// Go's os.FileMode bits, which fsutil's Stat.mode carries (not the Unix st_mode bits).
const GO_MODE_DIR = 0x80000000;
const GO_MODE_SYMLINK = 0x08000000;
const GO_MODE_SETUID = 0x00800000;
const GO_MODE_SETGID = 0x00400000;
const GO_MODE_STICKY = 0x00100000;

const SLASH = 0x2f;

/**
 * fsutil's path order: byte order of the UTF-8 paths with "/" before every other byte, so a
 * directory's entries follow it directly ("a", "a/b", "a-c"), as a depth-first walk of sorted
 * names yields them. The daemon refuses a stream out of this order.
 */
export function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x === SLASH) return -1;
    if (y === SLASH) return 1;
    // Outside ASCII, UTF-16 order and UTF-8 byte order can differ: compare the bytes.
    if (x >= 0x80 || y >= 0x80) return Buffer.compare(Buffer.from(a.slice(i)), Buffer.from(b.slice(i)));
    return x - y;
  }
  return a.length - b.length;
}

/** Stat.mode of an entry: Go's os.FileMode (type bits above the permissions). */
export function goFileMode(entry: Pick<ContextEntry, "type" | "mode">): number {
  let mode = entry.mode & 0o777;
  if (entry.mode & 0o4000) mode |= GO_MODE_SETUID;
  if (entry.mode & 0o2000) mode |= GO_MODE_SETGID;
  if (entry.mode & 0o1000) mode |= GO_MODE_STICKY;
  if (entry.type === "directory") mode |= GO_MODE_DIR;
  if (entry.type === "symlink") mode |= GO_MODE_SYMLINK;
  return mode >>> 0;
}

function parentOf(path: string): string | undefined {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? undefined : path.slice(0, slash);
}

/** A directory the list does not hold (excluded, with re-included files inside): created as the tar's extraction creates it. */
function impliedDir(path: string): ContextEntry {
  return { path, type: "directory", mode: 0o755, size: 0, mtimeMs: 0 };
}

// A CommonJS module whose types declare an ES default export: take the function either way.
const dockerignore = dockerignoreModule.default;

/** Whether a pattern names one path literally (the follow paths the frontend sends: ".dockerignore", "Dockerfile"). */
const isLiteral = (pattern: string) => !/[*?[\\]/.test(pattern);

/** The entries a pattern list selects: a matching path, or one inside a matching directory. */
function matching(entries: readonly ContextEntry[], patterns: readonly string[]): readonly ContextEntry[] {
  const clean = patterns.map((p) => p.replace(/^\/+/, "").replace(/\/+$/, ""));
  if (clean.every(isLiteral)) {
    // Literal paths: a string comparison per entry instead of the pattern matcher (25k entries, twice per build).
    return entries.filter((e) => clean.some((p) => e.path === p || e.path.startsWith(`${p}/`)));
  }
  const matcher = dockerignore({ ignorecase: false }).add(clean);
  return entries.filter((e) => matcher.ignores(e.path));
}

/** Sorted in fsutil's order: a list that already is (the common case) is not sorted again. */
function inFsutilOrder(list: ContextEntry[]): ContextEntry[] {
  for (let i = 1; i < list.length; i++) {
    if (comparePaths(list[i - 1]!.path, list[i]!.path) > 0) return list.sort((a, b) => comparePaths(a.path, b.path));
  }
  return list;
}

/**
 * The entries to send for a DiffCopy call, in fsutil's order. `patterns` are the daemon's
 * include patterns and follow paths: when there are any, only matching entries (and what is
 * inside a matching directory) go, with their parent directories. Every parent directory of
 * an entry is sent before it; one the list lacks is implied.
 */
export function syncEntries(entries: readonly ContextEntry[], patterns: readonly string[] = []): ContextEntry[] {
  const chosen = patterns.length > 0 ? matching(entries, patterns) : entries;
  const have = new Set<string>();
  for (const e of chosen) if (e.type === "directory") have.add(e.path);
  const byPath = new Map<string, ContextEntry>();
  for (const e of entries) if (e.type === "directory") byPath.set(e.path, e);
  const out = [...chosen];
  for (const e of chosen) {
    for (let dir = parentOf(e.path); dir !== undefined && !have.has(dir); dir = parentOf(dir)) {
      have.add(dir);
      out.push(byPath.get(dir) ?? impliedDir(dir));
    }
  }
  // Implied parents go at the end: then the list is out of order and gets sorted.
  return inFsutilOrder(out);
}
