import { failure, type RunnerKitError } from "../common/errors.js";
import { formatPlatform } from "../reference/platform.js";
import { indexDocument, type IndexDocument, type PlatformImage } from "./index-document.js";
import type { RepositoryAccess } from "./registry-access.js";
import { RegistryHttpError } from "./registry-api.js";
import { withRegistryRetries, type RegistryRetryOptions } from "./registry-retry.js";

/** Where the index goes: the registry client of the repository (see repositoryAccess). */
export type IndexTarget = Pick<RepositoryAccess, "domain" | "path" | "client">;

export interface ImageIndexResult {
  /** The index's digest: what a lock records and a runner pins. */
  digest: string;
  size: number;
  mediaType: string;
  /** The tags moved to the index, in the order given. */
  tags: string[];
  images: PlatformImage[];
}

function repositoryName(target: IndexTarget): string {
  return `${target.domain}/${target.path}`;
}

/** A registry call that failed for good, as the one-paragraph error (registry, repository, status, its own words). */
function registryFailure(target: IndexTarget, doing: string, error: unknown, moved: string[]): RunnerKitError | unknown {
  if (!(error instanceof RegistryHttpError)) return error;
  const tagsNote = moved.length === 0 ? "no tag was moved" : `the tags ${moved.join(", ")} already point at the new index, the others were left where they were`;
  return failure(`${doing} failed: ${error.message}`, {
    where: repositoryName(target),
    hint: error.status === 401 || error.status === 403
      ? `check the credentials for ${target.domain} can push to ${target.path}; ${tagsNote}`
      : `${tagsNote}; run the push again once the registry accepts it`,
    cause: error,
    details: { registry: target.domain, repository: target.path, status: error.status },
  });
}

async function step<T>(target: IndexTarget, doing: string, call: () => Promise<T>, options: RegistryRetryOptions, moved: string[] = []): Promise<T> {
  try {
    return await withRegistryRetries(call, options);
  } catch (error) {
    throw registryFailure(target, doing, error, moved);
  }
}

/** Every platform's manifest must be in the repository before the index may name it. */
async function requirePlatformManifests(target: IndexTarget, images: PlatformImage[], options: RegistryRetryOptions): Promise<void> {
  const missing: string[] = [];
  for (const image of images) {
    const found = await step(target, `checking the ${formatPlatform(image.platform)} manifest`, () => target.client.manifestDigest(target.path, image.digest), options);
    if (found === undefined) missing.push(`${formatPlatform(image.platform)} (${image.digest})`);
  }
  if (missing.length === 0) return;
  throw failure(`the registry ${target.domain} has no manifest in ${target.path} for ${missing.join(", ")}, so the image index cannot be pushed`, {
    where: repositoryName(target),
    hint: "push every platform's image by digest to this repository first; no tag was moved",
    details: { registry: target.domain, repository: target.path, missing },
  });
}

/** The index must read back byte for byte under its digest before any tag moves to it. */
async function readBack(target: IndexTarget, index: IndexDocument, options: RegistryRetryOptions): Promise<void> {
  const stored = await step(target, "reading the image index back", () => target.client.getManifest(target.path, index.digest), options);
  const same = stored !== undefined && Buffer.from(stored.body).equals(Buffer.from(index.body)) && (stored.digest ?? index.digest) === index.digest;
  if (!same) {
    throw failure(`the registry ${target.domain} accepted the image index ${index.digest} but ${stored ? "returns different content for it" : "does not return it"}`, {
      where: repositoryName(target),
      hint: "no tag was moved; check the registry (a proxy or cache in front of it may rewrite manifests)",
    });
  }
}

async function putIndex(target: IndexTarget, reference: string, index: IndexDocument, options: RegistryRetryOptions, moved: string[] = []): Promise<void> {
  const what = reference === index.digest ? `pushing the image index ${index.digest}` : `moving the tag ${reference} to the image index ${index.digest}`;
  const reported = await step(target, what, () => target.client.putManifest(target.path, reference, index.mediaType, index.body), options, moved);
  if (reported !== undefined && reported !== index.digest) {
    throw failure(`the registry ${target.domain} stored the image index for ${reference} as ${reported}, not ${index.digest}`, { where: repositoryName(target) });
  }
}

/**
 * Assemble an OCI image index over per-platform images already pushed by digest and
 * point every tag at it. Order matters: every platform manifest is checked (HEAD), the
 * index is PUT by its digest and read back, and only then do the tags move — a push that
 * fails before the last step leaves every tag where it was. Transient registry failures
 * are retried with the daemon-push policy.
 */
export async function pushImageIndex(target: IndexTarget, tags: string[], images: PlatformImage[], options: RegistryRetryOptions = {}): Promise<ImageIndexResult> {
  const index = indexDocument(images);
  await requirePlatformManifests(target, images, options);
  await putIndex(target, index.digest, index, options);
  await readBack(target, index, options);
  const moved: string[] = [];
  for (const tag of tags) {
    await putIndex(target, tag, index, options, moved);
    moved.push(tag);
  }
  return { digest: index.digest, size: index.size, mediaType: index.mediaType, tags: [...tags], images };
}
