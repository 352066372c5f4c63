import type { RunnerRegistry, RunnerSection } from "../project/runner-schema.js";

/** A registry entry with where it was written, for error messages. */
export interface PlacedRegistry {
  registry: RunnerRegistry;
  where: string;
}

export interface MergedSection {
  section: RunnerSection;
  registries: PlacedRegistry[];
}

/**
 * A team's runner section over the top-level one: scalars and lists from the team replace,
 * mappings (environment, docker, options, config_json.cred_helpers) merge key by key with
 * the team winning, registries merge by host, config_json.ecr hosts add up.
 */
export function mergeSections(
  base: RunnerSection | undefined,
  baseWhere: string,
  team: RunnerSection | undefined,
  teamWhere: string,
): MergedSection {
  const a = base ?? {};
  const b = team ?? {};
  const merged: RunnerSection = { ...a, ...b };
  for (const key of ["environment", "docker", "options"] as const) {
    if (a[key] !== undefined || b[key] !== undefined) merged[key] = { ...a[key], ...b[key] } as never;
  }
  if (a.config_json !== undefined || b.config_json !== undefined) {
    const ca = a.config_json ?? {};
    const cb = b.config_json ?? {};
    merged.config_json = { ...ca, ...cb };
    if (ca.ecr !== undefined || cb.ecr !== undefined) merged.config_json.ecr = [...new Set([...(ca.ecr ?? []), ...(cb.ecr ?? [])])];
    if (ca.cred_helpers !== undefined || cb.cred_helpers !== undefined) merged.config_json.cred_helpers = { ...ca.cred_helpers, ...cb.cred_helpers };
  }
  const registries: PlacedRegistry[] = [];
  const teamHosts = new Set((b.registries ?? []).map((r) => r.host.toLowerCase()));
  (a.registries ?? []).forEach((registry, i) => {
    if (!teamHosts.has(registry.host.toLowerCase())) registries.push({ registry, where: `${baseWhere}.registries[${i}]` });
  });
  (b.registries ?? []).forEach((registry, i) => registries.push({ registry, where: `${teamWhere}.registries[${i}]` }));
  delete merged.registries;
  return { section: merged, registries };
}
