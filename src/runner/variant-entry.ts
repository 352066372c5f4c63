import type { Variant } from "../project/plan.js";
import type { RunnerSection } from "../project/runner-schema.js";
import { runnerName, runnerTable, type TomlTable } from "./entry.js";
import { mergeSections } from "./merge.js";

/**
 * The [[runners]] table `runner-kit config` writes for the runner that runs a variant's
 * jobs — its team's runner section merged over the top-level one, else the top-level one —
 * for `build --smoke` and `smoke` to apply. Without the parts that are no job's business:
 * no token, no DOCKER_AUTH_CONFIG (smoke resolves pulls itself), and the runner's default
 * image as written (`image:` may name an image key; smoke runs the variant's image anyway).
 * Undefined when the project has no runner section for it or it is disabled.
 */
export function variantRunnerEntry(top: RunnerSection | undefined, variant: Pick<Variant, "team" | "runner">, projectLabel: string): TomlTable | undefined {
  const team = variant.team !== undefined ? variant.runner : undefined;
  if (top === undefined && team === undefined) return undefined;
  const { section } = mergeSections(top, `${projectLabel}: runner`, team, `${projectLabel}: teams.${variant.team ?? ""}.runner`);
  if (section.enabled === false) return undefined;
  return runnerTable({ section, name: runnerName(section, variant.team), url: section.url ?? "", image: section.image ?? "" });
}
