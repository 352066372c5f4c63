import { dockerfileBases } from "../dockerfile/from.js";
import { isValidImageReference, parseImageReference } from "../reference/parse.js";
import type { Rule } from "./rule.js";

export const TRUSTED_REGISTRY_RULE = { id: "DL3026", severity: "error", summary: "FROM names only registries listed in trustedRegistries (.hadolint.yaml)" } as const;

/** Docker Hub's names: a trusted `docker.io` (or `hub.docker.com`) admits `debian:bookworm`. */
const HUB_NAMES = new Set(["docker.io", "hub.docker.com", "index.docker.io", "registry-1.docker.io"]);

/** Is `registry` (a normalised domain) in the trusted list? `*.example.com` matches any subdomain. */
export function isTrustedRegistry(registry: string, trusted: readonly string[]): boolean {
  const host = registry.toLowerCase();
  return trusted.some((entry) => {
    const pattern = entry.toLowerCase();
    if (pattern.startsWith("*.")) return host.endsWith(pattern.slice(1));
    if (host === "docker.io") return HUB_NAMES.has(pattern);
    return host === pattern;
  });
}

/** FROM lines (by line number) whose image, build args substituted, comes from an untrusted registry. */
export function untrustedBases(text: string, buildArgs: Record<string, string>, trusted: readonly string[]): Map<number, { image: string; registry: string }> {
  const found = new Map<number, { image: string; registry: string }>();
  if (trusted.length === 0) return found;
  const aliases = new Set<string>();
  for (const stage of dockerfileBases(text, buildArgs).stages) {
    const image = stage.image;
    const isStage = aliases.has(image.toLowerCase());
    if (stage.alias) aliases.add(stage.alias);
    // Stages, scratch and images whose variables nothing resolves are not judged.
    if (isStage || image === "scratch" || image.includes("$") || !isValidImageReference(image)) continue;
    const registry = parseImageReference(image).domain;
    if (!isTrustedRegistry(registry, trusted)) found.set(stage.line, { image, registry });
  }
  return found;
}

/**
 * DL3026 as hadolint has it, for the `trustedRegistries` of `.hadolint.yaml`: every FROM that
 * names an image (not a stage, not scratch) pulls from one of them. Inline ignore comments
 * work as for every rule.
 */
export function trustedRegistryRule(text: string, buildArgs: Record<string, string>, trusted: readonly string[]): Rule {
  const untrusted = untrustedBases(text, buildArgs, trusted);
  return {
    ...TRUSTED_REGISTRY_RULE,
    check(file, report) {
      for (const stage of file.stages) {
        const base = untrusted.get(stage.from.line);
        if (base === undefined) continue;
        report(
          stage.from,
          `FROM ${base.image} pulls from ${base.registry}, which is not in trustedRegistries`,
          `use an image from ${trusted.join(", ")}, or add ${base.registry} to trustedRegistries in .hadolint.yaml`,
        );
      }
    },
  };
}
