/**
 * The check that every build arg runner-kit passes is declared by a rendered Dockerfile
 * that receives it. Docker only warns about an arg nothing declares and builds anyway, so
 * a misspelt `--build-arg` would silently build the default. Pure.
 */
import { configError, usageError } from "../common/errors.js";
import { didYouMean } from "../common/nearest.js";
import { declaredArgs, isPredefinedArg } from "../dockerfile/declared-args.js";
import type { Dockerfile } from "../dockerfile/parse.js";
import type { ArgSource, Variant } from "./plan.js";

interface Group {
  name: string;
  source: ArgSource;
  /** The variants that receive it, each with the ARGs its Dockerfile declares. */
  variants: { id: string; declared: string[] }[];
  declared: boolean;
}

function describeDeclared(variants: Group["variants"]): string {
  const one = (declared: string[]) => (declared.length > 0 ? `declares ARG ${declared.join(", ")}` : "declares no ARG");
  if (variants.length === 1) return `the rendered Dockerfile of image ${variants[0]!.id}, which ${one(variants[0]!.declared)} (all stages)`;
  return `any of the rendered Dockerfiles it is passed to: ${variants.map((v) => `${v.id} ${one(v.declared)}`).join("; ")} (all stages)`;
}

/**
 * Refuse a build arg from --build-arg, an image's `args:` or a team's `args:` that no
 * rendered Dockerfile receiving it declares. A --build-arg is passed to every variant
 * built, so it only has to be declared by one of them; an `args:` key by one of the
 * variants of its image or team. Template defaults are the template's own business and
 * are not checked. Variants without argSources (library callers) are not checked.
 */
export function checkDeclaredArgs(items: readonly { variant: Variant; dockerfile: string | Dockerfile }[]): void {
  const groups = new Map<string, Group>();
  for (const { variant, dockerfile } of items) {
    const declared = declaredArgs(dockerfile);
    for (const [name, source] of Object.entries(variant.argSources ?? {})) {
      if (source.from === "template") continue;
      const key = source.from === "--build-arg" ? `--build-arg ${name}` : `${source.from} ${JSON.stringify(source.where)} ${name}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { name, source, variants: [], declared: false }));
      group.variants.push({ id: variant.id, declared });
      if (declared.includes(name) || isPredefinedArg(name)) group.declared = true;
    }
  }
  const bad = [...groups.values()].find((g) => !g.declared);
  if (!bad) return;
  const all = [...new Set(bad.variants.flatMap((v) => v.declared))];
  const suggestion = didYouMean(bad.name, all);
  const predefined = "only Docker's proxy args (HTTP_PROXY and the like) and BuildKit's platform args (TARGETPLATFORM and the like) need no ARG";
  const images = bad.variants.map((v) => v.id);
  if (bad.source.from === "--build-arg") {
    throw usageError(`--build-arg ${bad.name} is not declared by ${describeDeclared(bad.variants)}, so Docker would ignore it${suggestion}`, {
      hint: `check the name (build args are case-sensitive) or add "ARG ${bad.name}" to the template; ${predefined}`,
      details: { arg: bad.name, images },
    });
  }
  throw configError(`build arg ${bad.name} in ${bad.source.key ?? "args"} is not declared by ${describeDeclared(bad.variants)}, so Docker would ignore it${suggestion}`, {
    ...(bad.source.where ? { where: bad.source.where } : {}),
    hint: `remove it, fix its name or add "ARG ${bad.name}" to the template; ${predefined}`,
    details: { arg: bad.name, images },
  });
}
