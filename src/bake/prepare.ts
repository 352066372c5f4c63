import { existsSync } from "node:fs";
import { dirname, isAbsolute, relative, sep } from "node:path";
import { computeContentHash, platformsContentHash } from "../builder/content-hash.js";
import { platformTargets } from "./platform-targets.js";
import type { HashCache } from "../builder/hash-cache.js";
import { INJECTED_DOCKERFILE, listContextFiles, type ContextEntry } from "../builder/context-files.js";
import { dockerfileBases } from "../dockerfile/from.js";
import { parseDockerfile } from "../dockerfile/parse.js";
import { checkAcyclic } from "../common/dependency-order.js";
import type { Variant } from "../project/plan.js";
import { variantBases } from "../project/dependencies.js";
import { parseImageReference } from "../reference/parse.js";
import { checkDeclaredArgs } from "../project/declared-args-check.js";
import { declaredArgs } from "../dockerfile/declared-args.js";
import { declaredOnly, withProjectBuildArgs } from "./build-arg-scope.js";
import type { PreparedVariant } from "./types.js";
import type { BuilderKind } from "../builder/image-builder.js";

export interface PrepareOptions {
  /** Overrides each variant's target. */
  target?: string;
  /**
   * The declared build args of the project's variants that are not being prepared, so a
   * --build-arg one of them declares is accepted for this selection too.
   */
  elsewhere?: () => Promise<(readonly string[])[]>;
  /** The builder that will build: part of every content hash. */
  builder?: BuilderKind;
  /** Ids of the build secrets given on the command line (besides each variant's own `secrets:`): part of the hash. */
  secretIds?: readonly string[];
  /** Ids of the SSH agents forwarded (`--ssh`): part of the hash. */
  sshIds?: readonly string[];
  /** The project's file hash cache (hash-cache.ts): unchanged context files are not read again. None: every file is read. */
  hashCache?: HashCache;
}

/**
 * The rendered Dockerfile's path inside the build context (forward slashes), when the
 * context holds it (the default context images/<variant>/ does). It is hashed and sent as
 * the Dockerfile, never again as a context file: rendering it must not change the context.
 */
function renderedInContext(variant: Variant): string[] {
  const rel = relative(variant.context, variant.dockerfile);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? [] : [rel.split(sep).join("/")];
}

/**
 * The files of a variant's build context. The default context is the rendered Dockerfile's
 * own folder: before the first `render` it does not exist yet, and it is an empty context
 * (the Dockerfile is rendered fresh for every build anyway). A `context:` the project names
 * must exist.
 */
async function contextEntries(variant: Variant): Promise<ContextEntry[]> {
  if (variant.context === dirname(variant.dockerfile) && !existsSync(variant.context)) return [];
  return (await listContextFiles(variant.context, [INJECTED_DOCKERFILE, ...renderedInContext(variant)])).entries;
}

/**
 * Render every variant, read its FROM images and its build context, find which variants
 * build FROM other variants of the project, and compute content hashes (a dependency's
 * hash is part of its dependents'). Refuses a build arg no rendered Dockerfile declares;
 * only the args a variant's Dockerfile declares are part of its hash. No Docker involved.
 */
export async function prepareVariants(
  variants: Variant[],
  renderDockerfile: (variant: Variant) => Promise<string>,
  options: PrepareOptions = {},
): Promise<PreparedVariant[]> {
  const rendered = await Promise.all(
    variants.map(async (variant) => {
      const dockerfile = await renderDockerfile(variant);
      const model = parseDockerfile(dockerfile);
      const target = options.target ?? variant.target;
      return { variant, dockerfile, model, target, bases: dockerfileBases(model, variant.args, target), declared: declaredArgs(model) };
    }),
  );
  const classified = variantBases(variants, new Map(rendered.map((r) => [r.variant.id, r.bases.externalImages])));
  // Before anything is built (after a bad FROM, which is reported first): a build arg no
  // Dockerfile declares is only a Docker warning.
  checkDeclaredArgs((await withProjectBuildArgs(rendered, options.elsewhere)).map((r) => ({ variant: r.variant, dockerfile: r.model })));
  const staged = await Promise.all(
    rendered.map(async (r) => {
      return { ...r, ...classified.get(r.variant.id)!, entries: await contextEntries(r.variant) };
    }),
  );
  checkAcyclic(staged.map((s) => ({ id: s.variant.id, dependsOn: s.dependsOn })));

  const caches = options.hashCache;
  const hashes = new Map<string, Promise<string>>();
  /** Before the platforms: what each platform's own hash is made from. */
  const contents = new Map<string, string>();
  const hashOf = (id: string): Promise<string> => {
    let pending = hashes.get(id);
    if (!pending) {
      const s = staged.find((x) => x.variant.id === id)!;
      pending = (async () => {
        const dependencies: Record<string, string> = {};
        for (const dep of s.dependsOn) dependencies[dep] = await hashOf(dep);
        const content = await computeContentHash({
          dockerfile: s.dockerfile,
          buildArgs: declaredOnly(s.variant.args, s.declared),
          ...(s.target !== undefined ? { target: s.target } : {}),
          contextDir: s.variant.context,
          entries: s.entries,
          dependencies,
          ...(options.builder !== undefined ? { builder: options.builder } : {}),
          ...(s.variant.cache !== undefined ? { cache: s.variant.cache } : {}),
          secretIds: [...Object.keys(s.variant.secrets ?? {}), ...(options.secretIds ?? [])],
          ...(options.sshIds?.length ? { sshIds: options.sshIds } : {}),
          ...(caches ? { fileDigests: await caches.for(s.variant.context) } : {}),
        });
        contents.set(id, content);
        return s.variant.platforms ? platformsContentHash(content, s.variant.platforms) : content;
      })();
      hashes.set(id, pending);
    }
    return pending;
  };

  const prepared = await Promise.all(
    staged.map(async (s): Promise<PreparedVariant> => {
      const prepared: PreparedVariant = {
        variant: s.variant,
        dockerfile: s.dockerfile,
        model: s.model,
        target: s.target,
        externalBases: s.externalBases,
        dependsOn: s.dependsOn,
        projectBases: s.projectBases,
        entries: s.entries,
        contentHash: await hashOf(s.variant.id),
      };
      if (s.variant.platforms) prepared.platforms = platformTargets(contents.get(s.variant.id)!, s.variant.platforms);
      if (s.bases.finalBase) prepared.finalBase = parseImageReference(s.bases.finalBase).toString();
      return prepared;
    }),
  );
  await caches?.save();
  return prepared;
}
