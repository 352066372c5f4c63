import type { Variant } from "../project/plan.js";
import { parseImageReference } from "../reference/parse.js";

/**
 * Which variants build FROM which: variant B depends on A when one of B's FROM images
 * names A's repository (any tag or digest), compared after Docker's normalisation.
 */
export function variantDependencies(
  variants: readonly Variant[],
  fromImagesById: ReadonlyMap<string, readonly string[]>,
): Map<string, string[]> {
  const byName = new Map<string, string>();
  for (const v of variants) byName.set(parseImageReference(v.repository).name, v.id);
  const deps = new Map<string, string[]>();
  for (const v of variants) {
    const found = new Set<string>();
    for (const image of fromImagesById.get(v.id) ?? []) {
      let name: string;
      try {
        name = parseImageReference(image).name;
      } catch {
        continue; // an unparseable FROM is the linter's business, not the scheduler's
      }
      const dep = byName.get(name);
      if (dep !== undefined && dep !== v.id) found.add(dep);
    }
    deps.set(v.id, [...found].sort());
  }
  return deps;
}
