import { parseImageReference, type ImageReference } from "../reference/parse.js";
import { DEFAULT_DOMAIN, LEGACY_DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX } from "../reference/normalize.js";

/** The key the Docker CLI writes for Docker Hub, and the one the daemon looks Hub up by. */
export const DOCKER_HUB_SERVER_ADDRESS = "https://index.docker.io/v1/";

/**
 * A config key → the registry path it applies to, as GitLab Runner normalises keys:
 * - with a scheme (`https://host/v1/`): the host only, lower-cased; `index.docker.io` → `docker.io`;
 * - without: the path is kept (host, host/group, host/group/image), a trailing `/` and a
 *   trailing `:tag` dropped, the host lower-cased. `index.docker.io` without a scheme and
 *   `registry-1.docker.io` are not Docker Hub aliases.
 */
export function registryPathForKey(key: string): string {
  const scheme = /^https?:\/\//i;
  if (scheme.test(key)) {
    const host = key.replace(scheme, "").split("/", 1)[0]!.toLowerCase();
    return host === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : host;
  }
  let path = key.endsWith("/") ? key.slice(0, -1) : key;
  const slash = path.lastIndexOf("/");
  const colon = path.lastIndexOf(":");
  if (slash !== -1 && colon > slash) path = path.slice(0, colon);
  return lowerCaseHost(path);
}

/**
 * The registry paths an image's credentials may be stored under, longest first: the image's
 * own path, then each parent up to the host. A Docker Hub official image (`debian`) is looked
 * up as `docker.io/library/debian` and as `docker.io/debian` (GitLab Runner's form).
 */
export function lookupPathsForImage(image: string | ImageReference): string[] {
  const ref = typeof image === "string" ? parseImageReference(image) : image;
  const paths: string[] = [];
  for (let p = lowerCaseHost(ref.name); p !== ""; p = parentPath(p)) paths.push(p);
  const official = ref.domain === DEFAULT_DOMAIN && ref.path.startsWith(OFFICIAL_REPO_PREFIX) ? ref.path.slice(OFFICIAL_REPO_PREFIX.length) : undefined;
  if (official !== undefined && !official.includes("/")) paths.splice(1, 0, `${DEFAULT_DOMAIN}/${official}`);
  return paths;
}

/** The host part of a registry path: "registry.example.com:5000" for "registry.example.com:5000/group". */
export function hostOfRegistryPath(path: string): string {
  return path.split("/", 1)[0]!;
}

function parentPath(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}

function lowerCaseHost(path: string): string {
  const slash = path.indexOf("/");
  return slash === -1 ? path.toLowerCase() : path.slice(0, slash).toLowerCase() + path.slice(slash);
}
