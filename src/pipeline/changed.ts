import { configError } from "../common/errors.js";

/** Runs git with arguments in the repository, resolving to stdout. Injected for tests. */
export type GitRunner = (args: string[]) => Promise<string>;

/**
 * Files changed since `ref`: committed changes on this branch since it left `ref`
 * (`ref...HEAD`, as a merge request shows them) plus uncommitted and untracked files,
 * so a local run also sees work in progress.
 */
export async function changedFilesSince(git: GitRunner, ref: string): Promise<Set<string>> {
  try {
    await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch {
    throw configError(`--changed-since ${ref}: no such commit in this repository`, {
      hint: "fetch it first (GitLab CI: set GIT_DEPTH: 0 or fetch the target branch) or name an existing branch, tag or commit",
    });
  }
  const lists = await Promise.all([
    git(["diff", "--name-only", `${ref}...HEAD`]),
    git(["diff", "--name-only", "HEAD"]),
    git(["ls-files", "--others", "--exclude-standard"]),
  ]);
  const files = new Set<string>();
  for (const list of lists) for (const line of list.split("\n")) if (line.trim()) files.add(line.trim());
  return files;
}
