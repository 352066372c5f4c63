/**
 * Docker Hub normalisation (distribution/reference normalize.go): which first component is a
 * registry, the `docker.io/library/` prefix for official images, and the familiar short form.
 */

export const DEFAULT_DOMAIN = "docker.io";
export const LEGACY_DEFAULT_DOMAIN = "index.docker.io";
export const OFFICIAL_REPO_PREFIX = "library/";
const LOCALHOST = "localhost";

/**
 * Split a reference as written into its registry domain and the rest. The first component
 * is a domain only when it is `localhost`, contains `.` or `:`, or has an uppercase letter;
 * otherwise the image lives on Docker Hub.
 */
export function splitDockerDomain(name: string): { domain: string; remainder: string; written: string } {
  const slash = name.indexOf("/");
  let domain: string;
  let remainder: string;
  const first = slash === -1 ? "" : name.slice(0, slash);
  if (slash === -1 || (!/[.:]/.test(first) && first !== LOCALHOST && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(slash + 1);
  }
  // The part after the domain as the user wrote it, for messages.
  const written = remainder;
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes("/")) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder, written };
}

/** Docker's short form of a normalised name: no `docker.io/`, no `library/` for official images. */
export function familiarizeName(domain: string, path: string): string {
  if (domain !== DEFAULT_DOMAIN) return `${domain}/${path}`;
  if (path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes("/")) return rest;
  }
  return path;
}
