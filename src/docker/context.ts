import { pack, type Headers, type Pack } from "tar-fs";
import type { ContextEntry } from "./context-files.js";

/** The name runner-kit gives the rendered Dockerfile inside the context tar. */
export const INJECTED_DOCKERFILE = ".runner-kit.Dockerfile";

/**
 * The build context as a streaming tar: the listed entries (already filtered by
 * .dockerignore), read from disk one file at a time as the daemon consumes the stream,
 * then the rendered Dockerfile added as one more entry. Owners are normalised to root, as
 * the Docker CLI does, so the context does not depend on who checked it out.
 */
export function contextTar(dir: string, entries: ContextEntry[], dockerfile: string, mtime: Date = new Date(0)): NodeJS.ReadableStream {
  const tar = pack(dir, {
    // The walk is done: only the listed paths go in, tar-fs never descends on its own.
    entries: entries.map((e) => e.path),
    ignore: () => true,
    finalize: false,
    map: (header: Headers) => ({ ...header, uid: 0, gid: 0, uname: "", gname: "" }),
    finish: (p: Pack) => {
      p.entry({ name: INJECTED_DOCKERFILE, mode: 0o644, mtime, uid: 0, gid: 0 }, dockerfile);
      p.finalize();
    },
  });
  return tar as unknown as NodeJS.ReadableStream;
}
