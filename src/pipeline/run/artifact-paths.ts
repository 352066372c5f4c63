/**
 * `artifacts:paths` and `exclude` as GitLab Runner reads them: paths relative to the
 * project directory, globs with `*` (within a folder), `**` (any depth) and `?`; a path
 * that names a folder takes everything under it. Pure.
 */

/** The pattern as written, without "./" in front or "/" behind; undefined when it leaves the project. */
export function cleanPattern(pattern: string): string | undefined {
  const p = pattern.trim().replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  if (p === "" || p === ".") return ".";
  if (p.startsWith("/") || p.split("/").includes("..")) return undefined;
  return p;
}

/** The folder (relative to the project; "." for the project itself) that holds every match: what to fetch from the container. */
export function patternBase(pattern: string): string {
  const parts = pattern.split("/");
  const glob = parts.findIndex((part) => /[*?[]/.test(part));
  if (glob < 0) return pattern;
  return glob === 0 ? "." : parts.slice(0, glob).join("/");
}

/**
 * The folders to fetch for `patterns` (cleaned), each with the patterns it holds: one
 * request per folder, a folder inside another's fetched with it, so no two requests
 * carry the same file.
 */
export function fetchGroups(patterns: readonly string[]): Map<string, string[]> {
  const bases = [...new Set(patterns.map(patternBase))].sort((a, b) => (a === "." ? -1 : b === "." ? 1 : a.length - b.length));
  const holder = new Map<string, string>();
  for (const base of bases) {
    const outer = [...new Set(holder.values())].find((o) => o === "." || base === o || base.startsWith(`${o}/`));
    holder.set(base, outer ?? base);
  }
  const groups = new Map<string, string[]>();
  for (const pattern of patterns) {
    const base = holder.get(patternBase(pattern))!;
    groups.set(base, [...(groups.get(base) ?? []), pattern]);
  }
  return groups;
}

function globRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      // "**/" matches any number of folders (none too); "**" at the end anything.
      const slash = pattern[i + 2] === "/";
      re += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** Does the project-relative `path` fall under `pattern` (the path itself, or a folder above it, matches)? */
export function underPattern(path: string, pattern: string): boolean {
  if (pattern === ".") return true;
  const re = globRegExp(pattern);
  const parts = path.split("/");
  for (let i = parts.length; i > 0; i -= 1) if (re.test(parts.slice(0, i).join("/"))) return true;
  return false;
}

/**
 * Where an entry of the archive the engine gives for `<buildDir>/<base>` belongs, relative
 * to the project: the archive names its entries from the fetched folder's (or file's) own
 * name down.
 */
export function projectRelative(base: string, entryName: string): string {
  const name = entryName.replace(/^\.\//, "").replace(/\/+$/, "");
  if (base === ".") return name.split("/").slice(1).join("/");
  const parent = base.split("/").slice(0, -1).join("/");
  return parent === "" ? name : `${parent}/${name}`;
}
