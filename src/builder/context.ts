import { readFileSync } from "node:fs";
import { join } from "node:path";
import { configError } from "../common/errors.js";
import { INJECTED_DOCKERFILE, type ContextEntry } from "./context-files.js";
import { MAX_FILE_SIZE, type TarHeader } from "./tar-header.js";
import { TarWriter, type FileReader, type TarMember } from "./tar-writer.js";

export { INJECTED_DOCKERFILE };

/**
 * The permission bits the context tar has always carried: the file's mode less the
 * process umask (tar-fs's default), so images keep the modes earlier builds gave them.
 */
function tarMode(mode: number, umask: number): number {
  return mode & ~umask & 0o7777;
}

/** A listed entry as a tar member: owners root, as the Docker CLI sends them; mtime in whole seconds. */
function member(dir: string, e: ContextEntry, umask: number): TarMember {
  const header: TarHeader = { name: e.path, type: e.type, mode: tarMode(e.mode, umask), size: e.type === "file" ? e.size : 0, mtime: Math.floor(e.mtimeMs / 1000), uid: 0, gid: 0 };
  if (e.type === "symlink") header.linkname = e.linkname ?? "";
  return e.type === "file" ? { header, body: join(dir, e.path) } : { header };
}

/** ustar cannot hold a file of 8 GiB or more: refused before anything is sent. */
function refuseHuge(dir: string, entries: readonly ContextEntry[]): void {
  const huge = entries.find((e) => e.type === "file" && e.size > MAX_FILE_SIZE);
  if (!huge) return;
  throw configError(`the build context ${dir} holds ${huge.path} (${huge.size} bytes): a context file must be smaller than 8 GiB, the limit of the tar the build context is sent as`, {
    hint: `add ${huge.path} to ${join(dir, ".dockerignore")}, or fetch it inside the build (RUN curl/wget) instead of copying it from the context`,
  });
}

/** How the tar reads files and how much it sends at a time (tests vary them; the defaults are node:fs and BATCH). */
export interface TarIo {
  files?: FileReader;
  batchSize?: number;
  /**
   * List the injected Dockerfile in the tar's `.dockerignore` (appended to the context's
   * own, or in one of its own that lists itself), as the docker CLI does with its
   * `.dockerfile.<id>`: the classic builder reads the Dockerfile, then removes the files
   * `.dockerignore` names from the context, so `COPY .` neither copies it into the image nor
   * loses its cache to it (its LABEL changes every build).
   */
  hideDockerfile?: boolean;
}

const DOCKERIGNORE = ".dockerignore";

/** The context's `.dockerignore` with the injected Dockerfile named in it, or one of its own (see TarIo.hideDockerfile); which entry it replaces. */
interface HiddenDockerfile {
  replaces?: ContextEntry;
  member: TarMember;
}

function hidingDockerfile(dir: string, entries: readonly ContextEntry[], umask: number, mtime: number): HiddenDockerfile | undefined {
  const own = entries.find((e) => e.path === DOCKERIGNORE);
  if (own && own.type !== "file") return undefined;
  const line = Buffer.from(`\n${INJECTED_DOCKERFILE}\n`);
  if (own) {
    const { header } = member(dir, own, umask);
    const body = Buffer.concat([readFileSync(join(dir, DOCKERIGNORE)).subarray(0, header.size), line]);
    return { replaces: own, member: { header: { ...header, size: body.length }, body } };
  }
  const body = Buffer.from(`${DOCKERIGNORE}${line.toString()}`);
  return { member: { header: { name: DOCKERIGNORE, type: "file", mode: 0o644, size: body.length, mtime, uid: 0, gid: 0 }, body } };
}

/**
 * The members in tar order, made one at a time as the writer takes them: 25,000 entries'
 * headers and paths held at once cost ~7.5 MiB of heap for the length of the upload.
 */
function* tarMembers(dir: string, entries: readonly ContextEntry[], umask: number, hidden: HiddenDockerfile | undefined, dockerfile: TarMember): Generator<TarMember> {
  for (const e of entries) yield e === hidden?.replaces ? hidden.member : member(dir, e, umask);
  if (hidden && !hidden.replaces) yield hidden.member;
  yield dockerfile;
}

/**
 * The build context as a streaming tar: the listed entries (already filtered by
 * .dockerignore) in their order, read from disk as the daemon consumes the stream, then the
 * rendered Dockerfile as one more entry (hidden from `COPY` with `hideDockerfile`). Owners are normalised to root, as the Docker CLI
 * does, so the context does not depend on who checked it out. Headers and file bodies go
 * out in batches (tar-writer.ts), not as three small writes per file.
 */
export async function contextTar(dir: string, entries: ContextEntry[], dockerfile: string, mtime: Date = new Date(0), io: TarIo = {}): Promise<NodeJS.ReadableStream> {
  refuseHuge(dir, entries);
  const umask = process.umask();
  const seconds = Math.floor(mtime.getTime() / 1000);
  const hidden = io.hideDockerfile ? hidingDockerfile(dir, entries, umask, seconds) : undefined;
  const body = Buffer.from(dockerfile, "utf8");
  const injected: TarMember = { header: { name: INJECTED_DOCKERFILE, type: "file", mode: 0o644, size: body.length, mtime: seconds, uid: 0, gid: 0 }, body };
  return new TarWriter(tarMembers(dir, entries, umask, hidden, injected), io.files, io.batchSize);
}
