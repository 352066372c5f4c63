/**
 * What `runner-kit build --smoke` calls after building an image: the variant's smoke job
 * (runner-kit.yaml `smoke:`), or the built-in runner job, run against the built image with
 * pulls authenticated like every other runner-kit pull.
 */
import type { ResolveAuth } from "../auth/lazy-resolver.js";
import type { EngineApi } from "../engine/engine-api.js";
import type { SmokeRef } from "../project/plan.js";
import type { SecretSet } from "../common/secrets.js";
import { runSmokeJob, type SmokeOptions, type SmokeResult } from "./run.js";
import { loadJob, smokeDeps } from "./setup.js";

export interface SmokeImageOptions extends Partial<Omit<SmokeOptions, "job" | "image" | "projectDir" | "runId" | "env">> {
  /** The image just built (a tag or ID). */
  image: string;
  /** The variant's smoke job; undefined → the built-in runner job. */
  smoke?: SmokeRef;
  /** The project root (Plan.rootDir): copied to /builds/<namespace>/<project>. */
  projectDir: string;
  runId: string;
  env: NodeJS.ProcessEnv;
}

export interface SmokeImageDeps {
  /** A dockerode `Docker` or the thin client: anything with the EngineApi operations. */
  docker: EngineApi;
  /** The job log, line by line. */
  out: (text: string) => void;
  secrets: SecretSet;
  signal?: AbortSignal;
  warn?: (message: string) => void;
  /** The caller's credential resolver (build's), so helpers run once per command; else one of its own. */
  resolveAuth?: ResolveAuth;
}

export async function smokeImage(options: SmokeImageOptions, deps: SmokeImageDeps): Promise<SmokeResult> {
  const { smoke, ...rest } = options;
  const job = await loadJob(smoke, options.projectDir);
  const warn = deps.warn ?? ((m: string) => deps.out(`WARNING: ${m}\n`));
  return runSmokeJob({ ...rest, job }, smokeDeps({ ...deps, env: options.env, warn }));
}
