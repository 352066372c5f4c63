import { execFile } from "node:child_process";

function git(dir: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("git", ["-C", dir, ...args], { timeout: 5000 }, (error, stdout) => resolve(error ? undefined : stdout.trim() || undefined));
  });
}

/** The git remote URL and HEAD commit of a checkout, when it is one (for the OCI labels). */
export async function gitInfo(dir: string): Promise<{ source?: string; revision?: string }> {
  const [revision, remote] = await Promise.all([git(dir, ["rev-parse", "HEAD"]), git(dir, ["config", "--get", "remote.origin.url"])]);
  const out: { source?: string; revision?: string } = {};
  // Never put credentials embedded in a remote URL into an image label.
  if (remote) out.source = remote.replace(/^(https?:\/\/)[^@/]*@/, "$1");
  if (revision) out.revision = revision;
  return out;
}
