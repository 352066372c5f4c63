import { isPredefinedArg } from "../dockerfile/declared-args.js";
import type { Variant } from "../project/plan.js";

/** A rendered variant and the build args its Dockerfile declares (ARG, any stage). */
export interface DeclaringVariant {
  variant: Variant;
  declared: readonly string[];
}

/**
 * The build args that reach a variant's image: only those its Dockerfile declares. The
 * others change nothing in the image, so they stay out of its content hash (a build with
 * or without `--build-arg X` of an image that declares no X is the same build).
 */
export function declaredOnly(args: Record<string, string>, declared: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(args).filter(([name]) => declared.includes(name)));
}

/** The `--build-arg` names none of these variants declares (predefined args aside). */
export function undeclaredBuildArgs(items: readonly DeclaringVariant[]): string[] {
  const names = new Set<string>();
  for (const { variant } of items) {
    for (const [name, source] of Object.entries(variant.argSources ?? {})) if (source.from === "--build-arg") names.add(name);
  }
  return [...names].filter((name) => !isPredefinedArg(name) && !items.some((i) => i.declared.includes(name)));
}

/**
 * The variants as the ARG check should see them: a `--build-arg` that another image of the
 * project declares is not misspelt, only not meant for this selection (a single-image build
 * takes the same --build-args as the whole project's), so it is left out of the check.
 * `elsewhere` gives the declared args of the project's other variants; asked only when a
 * --build-arg is declared by none of the selected ones.
 */
export async function withProjectBuildArgs<T extends DeclaringVariant>(items: T[], elsewhere?: () => Promise<(readonly string[])[]>): Promise<T[]> {
  const undeclared = undeclaredBuildArgs(items);
  if (undeclared.length === 0 || !elsewhere) return items;
  const others = await elsewhere();
  const known = new Set(undeclared.filter((name) => others.some((declared) => declared.includes(name))));
  if (known.size === 0) return items;
  return items.map((item) => {
    if (!item.variant.argSources) return item;
    const argSources = Object.fromEntries(Object.entries(item.variant.argSources).filter(([name, source]) => !(source.from === "--build-arg" && known.has(name))));
    return { ...item, variant: { ...item.variant, argSources } };
  });
}
