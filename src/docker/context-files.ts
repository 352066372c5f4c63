import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import dockerignoreModule from "@balena/dockerignore";
import { configError } from "../errors.js";

/** One entry of a build context, as it goes into the tar. */
export interface ContextEntry {
  /** Relative path with forward slashes, e.g. "bin/entrypoint.sh". */
  path: string;
  type: "file" | "directory" | "symlink";
  mode: number;
  size: number;
  linkname?: string;
}

export interface ContextListing {
  entries: ContextEntry[];
  /** Number of files and directories .dockerignore excluded (pruned directories count once). */
  excluded: number;
}

interface IgnoreRules {
  ignores(path: string): boolean;
  /** Whether an excluded directory may still hold re-included (`!pattern`) files. */
  hasExceptions: boolean;
}

// A CommonJS module whose types declare an ES default export: take the function either way.
const dockerignore = dockerignoreModule.default;

async function ignoreRules(dir: string): Promise<IgnoreRules> {
  let text: string;
  try {
    text = await readFile(join(dir, ".dockerignore"), "utf8");
  } catch {
    return { ignores: () => false, hasExceptions: false };
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const matcher = dockerignore({ ignorecase: false }).add(lines);
  return { ignores: (p) => matcher.ignores(p), hasExceptions: lines.some((l) => l.startsWith("!")) };
}

/**
 * Walk a build context directory the way the Docker CLI does: `.dockerignore` patterns
 * (Docker's matching rules, via @balena/dockerignore) exclude files and directories; an
 * excluded directory is pruned unless an exception pattern could re-include something in
 * it. Entries come sorted by path, so their order (and the content hash) is stable.
 * `reserved` paths are left out (runner-kit puts its own file there).
 */
export async function listContextFiles(dir: string, reserved: string[] = []): Promise<ContextListing> {
  const rules = await ignoreRules(dir);
  const entries: ContextEntry[] = [];
  let excluded = 0;
  const skip = new Set(reserved);

  async function walk(rel: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(join(dir, rel));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw configError(`cannot read the build context directory ${join(dir, rel)} (${code ?? String(error)})`, {
        hint: "check the image's `context` in runner-kit.yaml",
      });
    }
    const paths = names.map((name) => (rel ? `${rel}/${name}` : name)).filter((p) => !skip.has(p));
    const stats = await Promise.all(paths.map((p) => lstat(join(dir, p))));
    const subdirs: string[] = [];
    for (const [i, path] of paths.entries()) {
      const stat = stats[i]!;
      const ignored = rules.ignores(path);
      if (stat.isDirectory()) {
        if (!ignored) entries.push({ path, type: "directory", mode: stat.mode & 0o7777, size: 0 });
        else excluded += 1;
        if (!ignored || rules.hasExceptions) subdirs.push(path);
      } else if (ignored) {
        excluded += 1;
      } else if (stat.isSymbolicLink()) {
        entries.push({ path, type: "symlink", mode: stat.mode & 0o7777, size: 0, linkname: await readlink(join(dir, path)) });
      } else if (stat.isFile()) {
        entries.push({ path, type: "file", mode: stat.mode & 0o7777, size: stat.size });
      }
      // Sockets, FIFOs and devices are not sent, as with the Docker CLI.
    }
    await Promise.all(subdirs.map(walk));
  }

  await walk("");
  // A parent's path is a prefix of its children's, so plain ordering keeps parents first.
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries, excluded };
}
