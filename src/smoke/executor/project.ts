/**
 * The project directory as GitLab Runner's clone would leave it: the files git tracks
 * (plus untracked, not ignored ones) when the directory is in a git work tree, else
 * everything; packed under /builds/<namespace>/<project> for putArchive.
 */
import { existsSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
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

/**
 * The modes GitLab Runner's checkout leaves: it prepares the project under `umask 0000`
 * (files 666, folders and executables 777) unless FF_DISABLE_UMASK_FOR_DOCKER_EXECUTOR is
 * set, so a job image's non-root user can write to its project.
 */
export type ProjectModes = "umask-0000" | "as-on-disk";

function checkoutMode(mode: number, type: string | undefined, modes: ProjectModes): number {
  if (modes === "as-on-disk" || type === "symlink") return mode;
  return type === "directory" || (mode & 0o111) !== 0 ? 0o777 : 0o666;
}

/** The directories that hold `files` (relative paths), each once, parents first. */
function foldersOf(files: string[]): Set<string> {
  const folders = new Set<string>();
  for (const file of files) {
    const parts = file.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i += 1) folders.add(parts.slice(0, i).join("/"));
  }
  return folders;
}

/** A tar stream of the project placed at `<buildDir>` (absolute, e.g. /builds/local/app), the project folder itself included. */
export async function projectArchive(
  projectDir: string,
  buildDir: string,
  files?: Promise<string[] | undefined>,
  modes: ProjectModes = "umask-0000",
): Promise<NodeJS.ReadableStream> {
  // tar-fs is loaded here, while the daemon works, not at start-up.
  const [entries, { pack }] = await Promise.all([files ?? gitFiles(projectDir), import("tar-fs")]);
  const prefix = buildDir.replace(/^\/+/, "");
  // Only what git lists (and the folders that hold it), when the project is a git work tree.
  const kept = entries ? new Set([...entries, ...foldersOf(entries)]) : undefined;
  return pack(projectDir, {
    ...(kept ? { ignore: (path: string) => path !== projectDir && !kept.has(relative(projectDir, path).split(sep).join("/")) } : {}),
    map: (header) => {
      header.name = header.name === "." ? prefix : `${prefix}/${header.name}`;
      header.mode = checkoutMode(header.mode ?? 0o644, header.type, modes);
      header.uid = 0;
      header.gid = 0;
      return header;
    },
  }) as unknown as NodeJS.ReadableStream;
}
