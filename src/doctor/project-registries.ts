/**
 * The registries a project depends on: where its images are pushed (`registry:`, each
 * variant's repository), where its base images come from (the rendered Dockerfiles' FROM
 * lines, images the project builds itself left out) and where a runner's job image lives
 * when `runner.image` is a full reference. Pure.
 */
import type { Plan, Variant } from "../project/plan.js";
import type { RunnerSection } from "../project/runner-schema.js";
import { parseImageReference } from "../reference/parse.js";

export interface RegistryUse {
  domain: string;
  /** Why the project needs it, e.g. "push (registry: …)", "base image debian:bookworm". */
  uses: string[];
  /** An image reference in it, for resolving its credentials and reaching it. */
  sample: string;
  /** Needed only for base images: these, all of which may already be on the daemon. */
  baseImages: string[];
  /** Something is pushed there or pulled from it by the runner. */
  required: boolean;
}

function domainOf(image: string): string | undefined {
  try {
    return parseImageReference(image).domain;
  } catch {
    return undefined;
  }
}

/** The job images runner sections name as full references (an image key is the project's own). */
function runnerImages(plan: Plan, teams: Record<string, RunnerSection | undefined>): { image: string; who: string }[] {
  const keys = new Set(plan.variants.map((v) => v.image));
  const named = [
    ...(plan.runner?.image ? [{ image: plan.runner.image, who: "runner.image" }] : []),
    ...Object.entries(teams).flatMap(([team, section]) => (section?.image ? [{ image: section.image, who: `teams.${team}.runner.image` }] : [])),
  ];
  return named.filter((n) => !keys.has(n.image));
}

export function projectRegistries(plan: Plan, basesById: ReadonlyMap<string, readonly string[]>, teams: Record<string, RunnerSection | undefined> = {}): RegistryUse[] {
  const byDomain = new Map<string, RegistryUse>();
  const use = (domain: string, sample: string) => {
    let entry = byDomain.get(domain);
    if (!entry) byDomain.set(domain, (entry = { domain, uses: [], sample, baseImages: [], required: false }));
    return entry;
  };
  const repositories = new Set(plan.variants.map((v: Variant) => v.repository));
  for (const repository of repositories) {
    const domain = domainOf(repository);
    if (!domain) continue;
    const entry = use(domain, repository);
    entry.required = true;
    if (!entry.uses.includes(`push (registry: ${plan.registry})`)) entry.uses.push(`push (registry: ${plan.registry})`);
  }
  for (const variant of plan.variants) {
    for (const base of basesById.get(variant.id) ?? []) {
      const domain = domainOf(base);
      if (!domain || repositories.has(parseImageReference(base).name)) continue;
      const entry = use(domain, base);
      if (!entry.baseImages.includes(base)) {
        entry.baseImages.push(base);
        entry.uses.push(`base image ${base}`);
      }
    }
  }
  for (const { image, who } of runnerImages(plan, teams)) {
    const domain = domainOf(image);
    if (!domain) continue;
    const entry = use(domain, image);
    entry.required = true;
    entry.uses.push(`job image ${image} (${who})`);
  }
  return [...byDomain.values()];
}
