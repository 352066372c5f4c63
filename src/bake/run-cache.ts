import type { Variant, VariantCache } from "../project/plan.js";

/**
 * A variant's registry cache for this run: its `cache:` with the command line's
 * `--cache-from` refs after its own (duplicates dropped) and `--cache-inline` turning inline
 * cache on. Undefined when neither says anything.
 */
export function runCache(variant: Variant, cacheFrom: readonly string[] = [], cacheInline = false): VariantCache | undefined {
  if (variant.cache === undefined && cacheFrom.length === 0 && !cacheInline) return undefined;
  return { from: [...new Set([...(variant.cache?.from ?? []), ...cacheFrom])], inline: cacheInline || (variant.cache?.inline ?? false) };
}
