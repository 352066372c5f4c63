import type { Variant } from "./plan.js";
import { parseImageReference } from "../reference/parse.js";

export interface VariantBases {
  /** Ids of the project's variants this one builds FROM. */
  dependsOn: string[];
  /** FROM images that are other variants of the project. */
  projectBases: string[];
  /** FROM images from elsewhere. */
  externalBases: string[];
}

/**
 * Which variants build FROM which: an image a variant builds FROM that names another
 * variant's repository (any tag or digest, after Docker's normalisation) is a dependency.
 * Used by the build scheduler and by the pipeline generator alike.
 */
export function variantBases(
  variants: readonly Variant[],
  fromImagesById: ReadonlyMap<string, readonly string[]>,
): Map<string, VariantBases> {
  const byName = new Map(variants.map((v) => [parseImageReference(v.repository, { where: `image ${v.id}` }).name, v.id]));
  const out = new Map<string, VariantBases>();
  for (const variant of variants) {
    const bases: VariantBases = { dependsOn: [], projectBases: [], externalBases: [] };
    for (const image of fromImagesById.get(variant.id) ?? []) {
      const dep = byName.get(parseImageReference(image, { where: `${variant.dockerfile}: FROM ${image}` }).name);
      if (dep !== undefined && dep !== variant.id) {
        if (!bases.dependsOn.includes(dep)) bases.dependsOn.push(dep);
        bases.projectBases.push(image);
      } else bases.externalBases.push(image);
    }
    out.set(variant.id, bases);
  }
  return out;
}

/** Just the dependency edges: variant id → ids it builds FROM, sorted. */
export function variantDependencies(
  variants: readonly Variant[],
  fromImagesById: ReadonlyMap<string, readonly string[]>,
): Map<string, string[]> {
  return new Map([...variantBases(variants, fromImagesById)].map(([id, b]) => [id, [...b.dependsOn].sort()]));
}
