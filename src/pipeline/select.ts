import type { Plan, Variant } from "../project/plan.js";
import { transitiveDependencies } from "../common/dependency-order.js";
import { matchesInputs, variantInputs } from "./inputs.js";

/**
 * The variants to rebuild given the changed files: those whose own inputs changed, and
 * those building FROM (directly or not) one that did.
 */
export function variantsAffectedBy(plan: Plan, dependsOn: ReadonlyMap<string, readonly string[]>, changed: ReadonlySet<string>): Variant[] {
  const touched = new Set(
    plan.variants.filter((v) => [...changed].some((file) => matchesInputs(file, variantInputs(plan, v)))).map((v) => v.id),
  );
  return plan.variants.filter((v) => touched.has(v.id) || transitiveDependencies(v.id, dependsOn).some((d) => touched.has(d)));
}
