/**
 * The project's checked-out commit, read from the `.git` files themselves (no git process:
 * it sits before the first Docker call): `.git` as a folder or as a worktree's `gitdir:`
 * file, HEAD as a branch ref or a detached commit, the ref loose or in `packed-refs` of the
 * common folder. Anything unreadable → undefined: the job then gets no commit variables.
 */
import { readFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";

export interface GitHead {
  sha: string;
  /** The branch HEAD names; undefined when detached. */
  branch?: string;
}

const SHA = /^[0-9a-f]{40}$/;

async function text(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch {
    return undefined;
  }
}

/** The git folder of `dir`'s work tree and the common folder that holds refs. */
async function gitDirs(dir: string): Promise<{ gitDir: string; common: string } | undefined> {
  const dotGit = join(dir, ".git");
  const file = await text(dotGit);
  let gitDir = dotGit;
  if (file !== undefined) {
    const m = /^gitdir:\s*(.+)$/m.exec(file);
    if (!m) return undefined;
    gitDir = isAbsolute(m[1] as string) ? (m[1] as string) : resolve(dir, m[1] as string);
  }
  const common = await text(join(gitDir, "commondir"));
  return { gitDir, common: common === undefined ? gitDir : resolve(gitDir, common) };
}

async function refSha(dirs: { gitDir: string; common: string }, ref: string): Promise<string | undefined> {
  for (const base of [dirs.gitDir, dirs.common]) {
    const loose = await text(join(base, ref));
    if (loose !== undefined && SHA.test(loose)) return loose;
  }
  const packed = await text(join(dirs.common, "packed-refs"));
  const line = packed?.split("\n").find((l) => l.endsWith(` ${ref}`));
  const sha = line?.split(" ")[0];
  return sha !== undefined && SHA.test(sha) ? sha : undefined;
}

export async function readGitHead(dir: string): Promise<GitHead | undefined> {
  const dirs = await gitDirs(dir);
  if (!dirs) return undefined;
  const head = await text(join(dirs.gitDir, "HEAD"));
  if (head === undefined) return undefined;
  if (SHA.test(head)) return { sha: head };
  const ref = /^ref:\s*(refs\/\S+)$/.exec(head)?.[1];
  if (ref === undefined) return undefined;
  const sha = await refSha(dirs, ref);
  if (sha === undefined) return undefined; // a branch without commits yet
  return { sha, ...(ref.startsWith("refs/heads/") ? { branch: ref.slice("refs/heads/".length) } : {}) };
}
