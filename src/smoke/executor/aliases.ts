/**
 * Service host names, derived exactly as GitLab Runner derives them
 * (helpers/container/services/services.go): the image reference without tag, digest and
 * registry port; `/` → `__`, then (only if different) `/` → `-`; explicit aliases,
 * split on commas and white space, after the derived ones.
 */

export interface ServiceNameAndVersion {
  /** The image name without tag, digest and registry port, e.g. "tutum/wordpress". */
  service: string;
  /** Tag, `@sha256:…` for digest-only references, else "latest". */
  version: string;
  /** What to pull: the reference as given, or `<ref>:latest` when it has neither tag nor digest. */
  imageName: string;
}

export function splitNameAndVersion(ref: string): ServiceNameAndVersion {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  // The registry host is the first component when it looks like one (has . or : or is localhost).
  const parts = rest.split("/");
  const first = parts[0] ?? "";
  if (parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    parts[0] = first.replace(/:\d+$/, "");
  }
  const service = parts.join("/");
  const version = tag ?? (digest !== undefined ? `@${digest}` : "latest");
  const imageName = tag === undefined && digest === undefined ? `${ref.trim()}:latest` : ref.trim();
  return { service, version, imageName };
}

/** Split an explicit `alias:` value on commas and white space. */
export function splitAliases(alias: string | undefined): string[] {
  if (!alias) return [];
  return alias.split(/[\s,]+/).filter((a) => a !== "");
}

/**
 * The host names a service gets, exactly as GitLab Runner derives them, explicit aliases
 * after the derived ones: `tutum/wordpress:latest` → `tutum__wordpress`, `tutum-wordpress`.
 */
export function serviceAliases(image: string, alias?: string): string[] {
  const { service } = splitNameAndVersion(image);
  const derived = [service.replaceAll("/", "__")];
  const dashed = service.replaceAll("/", "-");
  if (dashed !== derived[0]) derived.push(dashed);
  return [...derived, ...splitAliases(alias)];
}

export interface AliasAssignment {
  /** Aliases kept for each service, in order; empty → the service is not started. */
  aliases: string[][];
  warnings: string[];
}

/**
 * Register aliases in service order; an alias already taken by an earlier service is
 * skipped with GitLab Runner's warning.
 */
export function assignAliases(services: { name: string; alias?: string }[]): AliasAssignment {
  const taken = new Set<string>();
  const warnings: string[] = [];
  const aliases = services.map((svc, index) => {
    const kept: string[] = [];
    for (const a of serviceAliases(svc.name, svc.alias)) {
      if (taken.has(a)) {
        if (!kept.includes(a)) {
          warnings.push(`Skipping alias "${a}" for service "${svc.name}" (services[${index}]): alias is already in use by another service.`);
        }
        continue;
      }
      taken.add(a);
      kept.push(a);
    }
    return kept;
  });
  return { aliases, warnings };
}
