import { createReadStream } from "node:fs";
import type Docker from "dockerode";
import { failure } from "../common/errors.js";
import { formatPlatform } from "../reference/platform.js";
import { OCI_MANIFEST, sha256Digest, type PlatformImage } from "./index-document.js";
import type { IndexTarget } from "./image-index.js";
import { RegistryHttpError } from "./registry-api.js";
import { withRegistryRetries, type RegistryRetryOptions } from "./registry-retry.js";
import { saveImage, type SavedImage } from "./saved-image.js";

const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

/** The OCI image manifest for a saved image (deterministic bytes). */
export function imageManifest(saved: Pick<SavedImage, "config" | "layers">): Uint8Array {
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: saved.config.digest, size: saved.config.bytes.length },
    layers: saved.layers.map((layer) => ({ mediaType: OCI_LAYER_GZIP, digest: layer.digest, size: layer.size })),
  };
  return new TextEncoder().encode(JSON.stringify(manifest));
}

async function uploadBlobs(target: IndexTarget, saved: SavedImage, options: RegistryRetryOptions): Promise<void> {
  const { client, path } = target;
  const blobs = [
    { digest: saved.config.digest, size: saved.config.bytes.length, body: () => saved.config.bytes },
    ...saved.layers.map((layer) => ({ digest: layer.digest, size: layer.size, body: () => createReadStream(layer.path) })),
  ];
  for (const blob of blobs) {
    await withRegistryRetries(async () => {
      if (!(await client.blobExists(path, blob.digest))) await client.uploadBlob(path, blob.digest, blob.size, blob.body);
    }, options);
  }
}

/**
 * Push a local image to a repository by digest only: no tag is created, so nothing is
 * left behind for a multi-platform push to clean up. The daemon cannot push without a
 * tag, so the image is exported (`docker save`) and its config, gzipped layers and an OCI
 * manifest are uploaded through the registry's v2 API (blobs the registry has are
 * skipped). Returns the entry an image index needs.
 */
export async function pushImageByDigest(docker: Docker, image: string, target: IndexTarget, options: RegistryRetryOptions = {}): Promise<PlatformImage> {
  const saved = await saveImage(docker, image);
  try {
    await uploadBlobs(target, saved, options);
    const body = imageManifest(saved);
    const digest = sha256Digest(body);
    const reported = await withRegistryRetries(() => target.client.putManifest(target.path, digest, OCI_MANIFEST, body), options);
    if (reported !== undefined && reported !== digest) throw failure(`the registry ${target.domain} stored the manifest of ${image} as ${reported}, not ${digest}`, { where: `${target.domain}/${target.path}` });
    return { digest, size: body.length, mediaType: OCI_MANIFEST, platform: saved.platform };
  } catch (error) {
    if (!(error instanceof RegistryHttpError)) throw error;
    throw failure(`pushing ${image} (${formatPlatform(saved.platform)}) by digest failed: ${error.message}`, {
      where: `${target.domain}/${target.path}`,
      hint: "no tag was created or moved; run the push again once the registry accepts it",
      cause: error,
      details: { registry: target.domain, repository: target.path, status: error.status },
    });
  } finally {
    await saved.dispose();
  }
}
