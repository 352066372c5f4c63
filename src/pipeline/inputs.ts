import { isAbsolute, relative, sep } from "node:path";
import type { Plan, Variant } from "../project/plan.js";

/** A path relative to the repository root, with forward slashes (as GitLab and git want). */
function repoPath(rootDir: string, path: string): string | undefined {
  const rel = relative(rootDir, path);
  if (rel === "" ) return ".";
  if (rel.startsWith("..") || isAbsolute(rel)) return undefined; // outside the repository
  return rel.split(sep).join("/");
}

/**
 * The files a variant's image depends on, as GitLab `rules:changes` globs relative to the
 * repository root: the project file, its template (in every directory of its lookup
 * chain), the team overlay, the build context and the rendered Dockerfile. Built-in
 * templates outside the repository are covered by the runner-kit version, not by paths.
 */
export function variantInputs(plan: Plan, variant: Variant): string[] {
  const globs = new Set<string>();
  const add = (path: string | undefined, dir: boolean) => {
    if (!path) return;
    globs.add(dir ? (path === "." ? "**/*" : `${path}/**/*`) : path);
  };
  add(repoPath(plan.rootDir, plan.projectFile), false);
  for (const dir of variant.templateDirs) {
    const rel = repoPath(plan.rootDir, dir);
    if (rel === undefined) continue;
    // A team overlay dir holds overrides for several templates: all of it counts.
    add(rel, true);
  }
  add(repoPath(plan.rootDir, variant.context), true);
  add(repoPath(plan.rootDir, variant.dockerfile), false);
  if (variant.smoke) add(repoPath(plan.rootDir, variant.smoke.file), false);
  // A file already under one of the directory globs adds nothing.
  const all = [...globs];
  return all.filter((g) => g.endsWith("/**/*") || !matchesInputs(g, all.filter((d) => d.endsWith("/**/*")))).sort();
}

/** Does a changed file (repo-relative) fall under one of the globs variantInputs makes? */
export function matchesInputs(file: string, globs: readonly string[]): boolean {
  return globs.some((glob) => {
    if (glob === "**/*") return true;
    if (glob.endsWith("/**/*")) return file.startsWith(glob.slice(0, -"**/*".length));
    return file === glob;
  });
}
