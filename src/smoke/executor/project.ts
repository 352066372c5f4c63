/**
 * The project directory as GitLab Runner's clone would leave it: the files git tracks
 * (plus untracked, not ignored ones) when the directory is in a git work tree, else
 * everything; packed under /builds/<namespace>/<project> for putArchive.
 */
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { execFile } from "node:child_process";

export const BUILDS_DIR = "/builds";

/** "<namespace>/<project>": CI_PROJECT_PATH when runner-kit itself runs in GitLab CI, else local/<dir name>. */
export function projectPath(projectDir: string, env: NodeJS.ProcessEnv): string {
  const given = env.CI_PROJECT_PATH?.trim();
  if (given && /^[\w.-]+(\/[\w.-]+)+$/.test(given)) return given;
  const name = basename(projectDir).replace(/[^\w.-]+/g, "-").replace(/^[-.]+/, "") || "project";
  return `local/${name}`;
}

export async function gitFiles(dir: string): Promise<string[] | undefined> {
  try {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }, (error, out) =>
        error ? reject(error) : resolve(out),
      ),
    );
    return stdout.split("\0").filter((f) => f !== "" && existsSync(join(dir, f)));
  } catch {
    return undefined;
  }
}

/** A tar stream of the project placed at `<buildDir>` (absolute, e.g. /builds/local/app). */
export async function projectArchive(projectDir: string, buildDir: string, files?: Promise<string[] | undefined>): Promise<NodeJS.ReadableStream> {
  // tar-fs is loaded here, while the daemon works, not at start-up.
  const [entries, { pack }] = await Promise.all([files ?? gitFiles(projectDir), import("tar-fs")]);
  const prefix = buildDir.replace(/^\/+/, "");
  return pack(projectDir, {
    ...(entries ? { entries } : {}),
    map: (header) => {
      header.name = `${prefix}/${header.name}`;
      header.uid = 0;
      header.gid = 0;
      return header;
    },
  }) as unknown as NodeJS.ReadableStream;
}
