import { runInOrder } from "../common/dependency-order.js";
import type { Variant } from "../project/plan.js";
import { prepareVariants } from "./prepare.js";
import type { BuildDeps, BuildOptions, PreparedVariant, VariantResult } from "./types.js";
import { mapLimit } from "../common/map-limit.js";
import { dockerImageClient } from "../builder/image-client.js";
import { lazyImageBuilder } from "../builder/lazy-builder.js";
import { labelledImagesSnapshot } from "./up-to-date-batch.js";
import { detectExisting, memoInspect, type Detection } from "./detect.js";
import { runVariantJob } from "./variant-job.js";
import { wantedPlatforms } from "./platform-emulators.js";

/** Up-to-date checks are small API calls: more of them at once than builds. */
const DETECT_CONCURRENCY = 8;

/**
 * Build (and push) prepared variants: dependency order, independent ones concurrently up
 * to options.jobs. Every variant gets a result; one whose base image failed is failed
 * without being attempted. Results come back in the order of the input.
 */
export async function buildPrepared(prepared: PreparedVariant[], deps: BuildDeps, options: BuildOptions): Promise<VariantResult[]> {
  const byId = new Map(prepared.map((p) => [p.variant.id, p]));
  const results = new Map<string, VariantResult>();
  // Made (and its kind asked of the daemon) on the first build: an all-up-to-date run needs none.
  const builder = lazyImageBuilder(deps.builderKind ?? (async () => options.builder ?? "classic"), { docker: deps.docker, ...(deps.secrets ? { secrets: deps.secrets } : {}), ...(deps.env ? { env: deps.env } : {}) });
  const images = deps.images ?? dockerImageClient(deps.docker);
  const inspect = memoInspect(images);
  // One image list answers every variant's up-to-date check.
  const detectImages = labelledImagesSnapshot(images);
  // What exists already is known from content hashes alone, so it is checked for every
  // variant at once, before (and while) anything builds.
  const detections = new Map<string, { promise: Promise<Detection>; resolve: (d: Detection) => void }>();
  for (const p of prepared) {
    let resolve!: (d: Detection) => void;
    const promise = new Promise<Detection>((r) => (resolve = r));
    detections.set(p.variant.id, { promise, resolve });
  }
  // detectExisting never rejects: a problem is part of its answer.
  const all = mapLimit(prepared, DETECT_CONCURRENCY, async (p) => detections.get(p.variant.id)!.resolve(await detectExisting(p, detectImages, deps, options)));
  const detection = (id: string): Promise<Detection> => detections.get(id)!.promise;
  if (deps.checkEmulators) await deps.checkEmulators(await wantedPlatforms(prepared, detection, options));
  await runInOrder(
    prepared.map((p) => ({ id: p.variant.id, dependsOn: p.dependsOn })),
    options.jobs,
    {
      run: async (id) => {
        const result = await runVariantJob(byId.get(id)!, { deps, options, builder, images, dependencies: results, detection: detection(id), inspect });
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
  await all;
  return prepared.map((p) => results.get(p.variant.id)!);
}

/** prepareVariants + buildPrepared: the whole build for plain Variant data. */
export async function buildVariants(variants: Variant[], deps: BuildDeps, options: BuildOptions): Promise<VariantResult[]> {
  const prepared = await prepareVariants(variants, deps.renderDockerfile, {
    ...(options.target !== undefined ? { target: options.target } : {}),
    builder: options.builder ?? "classic",
    secretIds: Object.keys(options.secrets ?? {}),
    sshIds: Object.keys(options.ssh ?? {}),
  });
  return buildPrepared(prepared, deps, options);
}
