import { pack, type PackOptions } from "tar-fs";

/**
 * A directory as a streaming tar (never buffered whole), typed as the stream dockerode
 * takes for build contexts and putArchive.
 */
export function packDirectory(dir: string, options?: PackOptions): NodeJS.ReadableStream {
  return pack(dir, options) as unknown as NodeJS.ReadableStream;
}
