import { execa } from "execa";

/** The git remote URL and HEAD commit of a checkout, when it is one (for the OCI labels). */
export async function gitInfo(dir: string): Promise<{ source?: string; revision?: string }> {
  const run = async (args: string[]) => {
    const r = await execa("git", ["-C", dir, ...args], { reject: false, timeout: 5000 });
    return r.exitCode === 0 ? r.stdout.trim() : undefined;
  };
  const [revision, remote] = await Promise.all([run(["rev-parse", "HEAD"]), run(["config", "--get", "remote.origin.url"])]);
  const out: { source?: string; revision?: string } = {};
  // Never put credentials embedded in a remote URL into an image label.
  if (remote) out.source = remote.replace(/^(https?:\/\/)[^@/]*@/, "$1");
  if (revision) out.revision = revision;
  return out;
}
