import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type Docker from "dockerode";
import { extract } from "tar-fs";
import { failure } from "../common/errors.js";
import { normalizePlatform, type Platform } from "../reference/platform.js";
import { sha256Digest } from "./index-document.js";

/** A blob on disk, ready to upload: its digest and size are those of the file's bytes. */
export interface BlobFile {
  path: string;
  digest: string;
  size: number;
}

/** A local image as the registry will hold it: its config and its layers gzipped. */
export interface SavedImage {
  config: { bytes: Uint8Array; digest: string };
  layers: BlobFile[];
  platform: Platform;
  /** Remove the working files (safe to call twice). */
  dispose(): Promise<void>;
}

interface SaveManifestEntry {
  Config: string;
  Layers: string[];
}

/** A path from the saved archive's manifest.json, refused when it points outside the archive. */
function inside(dir: string, entry: string): string {
  const path = resolve(dir, entry);
  if (!path.startsWith(resolve(dir) + sep)) throw failure(`the daemon's image archive names a file outside itself: ${entry}`);
  return path;
}

/** gzip a layer tar into a file, hashing the compressed bytes on the way (deterministic: same tar, same digest). */
async function gzipLayer(source: string, target: string): Promise<BlobFile> {
  const hash = createHash("sha256");
  let size = 0;
  await pipeline(
    createReadStream(source),
    createGzip(),
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    },
    createWriteStream(target),
  );
  return { path: target, digest: `sha256:${hash.digest("hex")}`, size };
}

/**
 * Export a local image from the daemon (`docker save`), and turn it into what a registry
 * stores: the config exactly as the daemon has it (so its digest is the image ID) and each
 * layer gzipped. The working files live in a temporary folder until dispose().
 */
export async function saveImage(docker: Docker, image: string): Promise<SavedImage> {
  const dir = await mkdtemp(join(tmpdir(), "rk-save-"));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const archive = join(dir, "archive");
    await pipeline((await docker.getImage(image).get()) as NodeJS.ReadableStream, extract(archive));
    const entries = JSON.parse(await readFile(join(archive, "manifest.json"), "utf8")) as SaveManifestEntry[];
    const entry = entries[0];
    if (!entry) throw failure(`the daemon exported ${image} without a manifest`);
    const bytes = new Uint8Array(await readFile(inside(archive, entry.Config)));
    const config = JSON.parse(new TextDecoder().decode(bytes)) as { os?: string; architecture?: string; variant?: string };
    const layers: BlobFile[] = [];
    for (const [i, layer] of entry.Layers.entries()) layers.push(await gzipLayer(inside(archive, layer), join(dir, `layer-${i}.tar.gz`)));
    await rm(archive, { recursive: true, force: true });
    const platform = normalizePlatform({ os: config.os ?? "linux", architecture: config.architecture ?? "amd64", ...(config.variant ? { variant: config.variant } : {}) });
    return { config: { bytes, digest: sha256Digest(bytes) }, layers, platform, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
