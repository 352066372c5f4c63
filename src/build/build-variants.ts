import { runInOrder } from "../docker/order.js";
import type { Variant } from "../project/plan.js";
import { prepareVariants } from "./prepare.js";
import type { BuildDeps, BuildOptions, PreparedVariant, VariantResult } from "./types.js";
import { runVariantJob } from "./variant-job.js";

/**
 * Build (and push) prepared variants: dependency order, independent ones concurrently up
 * to options.jobs. Every variant gets a result; one whose base image failed is failed
 * without being attempted. Results come back in the order of the input.
 */
export async function buildPrepared(prepared: PreparedVariant[], deps: BuildDeps, options: BuildOptions): Promise<VariantResult[]> {
  const byId = new Map(prepared.map((p) => [p.variant.id, p]));
  const results = new Map<string, VariantResult>();
  await runInOrder(
    prepared.map((p) => ({ id: p.variant.id, dependsOn: p.dependsOn })),
    options.jobs,
    {
      run: async (id) => {
        const result = await runVariantJob(byId.get(id)!, deps, options, results);
        results.set(id, result);
        return result.status !== "failed";
      },
      blocked: (id, failedDependency) => {
        const p = byId.get(id)!;
        const result: VariantResult = {
          id,
          repository: p.variant.repository,
          tags: p.variant.tags,
          status: "failed",
          durationMs: 0,
          contentHash: p.contentHash,
          pushed: false,
          baseImages: {},
          error: `not built: it starts FROM ${failedDependency}, which failed`,
        };
        results.set(id, result);
        deps.reporter.finish(result);
      },
    },
  );
  return prepared.map((p) => results.get(p.variant.id)!);
}

/** prepareVariants + buildPrepared: the whole build for plain Variant data. */
export async function buildVariants(variants: Variant[], deps: BuildDeps, options: BuildOptions): Promise<VariantResult[]> {
  const prepared = await prepareVariants(variants, deps.renderDockerfile, options.target !== undefined ? { target: options.target } : {});
  return buildPrepared(prepared, deps, options);
}
