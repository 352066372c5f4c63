import { pack, type PackOptions } from "tar-fs";
import { extract } from "tar-stream";

/**
 * A directory as a streaming tar (never buffered whole), typed as the stream dockerode
 * takes for build contexts and putArchive.
 */
export function packDirectory(dir: string, options?: PackOptions): NodeJS.ReadableStream {
  return pack(dir, options) as unknown as NodeJS.ReadableStream;
}

/** A tar's entries by name, each as "type:uid:content". */
export async function tarEntries(stream: NodeJS.ReadableStream): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ex = extract();
  ex.on("entry", (header, body, next) => {
    let data = "";
    body.on("data", (c: unknown) => (data += (c as Buffer).toString("utf8")));
    body.on("end", () => {
      out[header.name] = `${header.type}:${header.uid}:${data}`;
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ex.on("finish", resolve);
    ex.on("error", reject);
    stream.pipe(ex);
  });
  return out;
}
