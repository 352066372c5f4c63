/**
 * The project's runner settings for a smoke job: the runner section of the variant's team
 * (or the project's top-level one), turned into the [[runners]] table `runner-kit config`
 * writes (runner/variant-entry.ts) and read back by the same parser as `--runner-config`,
 * so smoke applies exactly what the fleet's config.toml will say.
 */
import type { Plan, Variant } from "../project/plan.js";
import { variantRunnerEntry } from "../runner/variant-entry.js";
import { runnerDefaultsFromEntry, type RunnerDefaults } from "./job/runner-config.js";

export function projectRunnerDefaults(
  top: Plan["runner"],
  variant: Pick<Variant, "team" | "runner"> | undefined,
  projectLabel: string,
): RunnerDefaults | undefined {
  const entry = variantRunnerEntry(top, variant ?? {}, projectLabel);
  if (!entry) return undefined;
  const where = `${projectLabel}: ${variant?.team !== undefined && variant.runner !== undefined ? `teams.${variant.team}.runner` : "runner"}`;
  return runnerDefaultsFromEntry(entry, where);
}
