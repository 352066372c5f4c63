import type Docker from "dockerode";
import { configError } from "../common/errors.js";
import { parseImageReference } from "../reference/parse.js";
import { formatPlatform, normalizePlatform, samePlatform, type Platform } from "../reference/platform.js";
import { DOCKER_MANIFEST_LIST, OCI_INDEX, readIndexDocument } from "./index-document.js";
import type { RegistryClient } from "./registry-api.js";

export interface ImagePlatforms {
  /** Where the answer came from: the registry's manifest, or the daemon's local image. */
  source: "registry" | "daemon";
  platforms: Platform[];
}

export interface PlatformsOfDeps {
  docker: Docker;
  /** A v2 API client for the registry of an image reference (see repositoryAccess). */
  registryClient(ref: string): Promise<RegistryClient>;
}

/** The platforms the registry has for ref: an index's entries, or a single manifest's config. undefined when it has no such image. */
async function registryPlatforms(client: RegistryClient, path: string, reference: string): Promise<Platform[] | undefined> {
  const stored = await client.getManifest(path, reference);
  if (!stored) return undefined;
  const text = new TextDecoder().decode(stored.body);
  const doc = JSON.parse(text) as { mediaType?: string; config?: { digest: string } };
  const type = stored.mediaType || doc.mediaType;
  if (type === OCI_INDEX || type === DOCKER_MANIFEST_LIST) return readIndexDocument(text, type).map((image) => image.platform);
  if (!doc.config) return [];
  const res = await client.request(`/v2/${path}/blobs/${doc.config.digest}`);
  if (!res.ok) return undefined;
  const config = (await res.json()) as { os?: string; architecture?: string; variant?: string };
  return config.os && config.architecture ? [normalizePlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) })] : [];
}

/** The platform of an image on the daemon (its inspect Os/Architecture/Variant), normalised; undefined when the daemon has none. */
export async function localImagePlatform(docker: Pick<Docker, "getImage">, ref: string): Promise<Platform | undefined> {
  try {
    const info = (await docker.getImage(ref).inspect()) as { Os: string; Architecture: string; Variant?: string };
    return normalizePlatform({ os: info.Os, architecture: info.Architecture, ...(info.Variant ? { variant: info.Variant } : {}) });
  } catch {
    return undefined;
  }
}

async function daemonPlatforms(docker: Docker, ref: string): Promise<Platform[] | undefined> {
  const platform = await localImagePlatform(docker, ref);
  return platform ? [platform] : undefined;
}

/**
 * Which platforms an image has: from the registry (an index lists them all; a single
 * manifest has one, read from its config), or, when the registry cannot be reached or
 * has no such image, from the daemon's local copy (its inspect Os/Architecture/Variant).
 * undefined when neither has it.
 */
export async function platformsOf(ref: string, deps: PlatformsOfDeps): Promise<ImagePlatforms | undefined> {
  const parsed = parseImageReference(ref);
  try {
    const client = await deps.registryClient(ref);
    const found = await registryPlatforms(client, parsed.path, parsed.digest ?? parsed.tag ?? "latest");
    if (found) return { source: "registry", platforms: found };
  } catch {
    // registry unreachable or refusing: the daemon's copy is the other place a build finds a base
  }
  const local = await daemonPlatforms(deps.docker, ref);
  return local ? { source: "daemon", platforms: local } : undefined;
}

/**
 * Fail early, before anything is built, when a base image lacks a wanted platform:
 * "base X has no manifest for linux/arm64 (it has: linux/amd64, linux/arm/v7)".
 */
export function requireBasePlatforms(base: string, wanted: Platform[], found: ImagePlatforms): void {
  const missing = wanted.filter((w) => !found.platforms.some((p) => samePlatform(p, w)));
  if (missing.length === 0) return;
  const has = found.platforms.map(formatPlatform).join(", ") || "none";
  const where = found.source === "registry" ? "in its registry" : "on the daemon (a local image has one platform)";
  throw configError(`the base image ${base} has no manifest for ${missing.map(formatPlatform).join(", ")} (it has: ${has}, ${where})`, {
    where: base,
    hint: "build only the platforms the base image has (platforms: in runner-kit.yaml or --platform), or pick a base image published for them",
    details: { base, missing: missing.map(formatPlatform), has: found.platforms.map(formatPlatform) },
  });
}
