/**
 * The pipeline's order, as GitLab decides it. Pure: the model in, validated edges and
 * decisions out.
 *
 * - A job without `needs:` waits for every job of the earlier stages; with `needs:` only
 *   for those (`needs: []` starts at once).
 * - It receives the artifacts of `dependencies:` when given, else of its `needs:` that
 *   keep `artifacts: true`, else of every job of the earlier stages.
 * - `when:` decides from what it waited for: on_success runs when none of them failed (a
 *   failure that is allowed counts as success) and, with `needs:`, none was skipped;
 *   on_failure runs only when one failed; always runs; manual jobs are not run.
 */
import { configError } from "../../common/errors.js";
import { didYouMean } from "../../common/nearest.js";
import type { PipelineJob, PipelineModel } from "./model.js";

export type JobStatus = "passed" | "failed" | "allowed-failure" | "skipped" | "manual";

export interface PipelineGraph {
  /** The jobs that are part of the pipeline (when: never left out), in stage then file order. */
  jobs: PipelineJob[];
  /** What each job waits for. */
  upstream: Map<string, string[]>;
  /** Whose artifacts each job receives, in the order they are given. */
  artifactsFrom: Map<string, string[]>;
}

export function pipelineGraph(model: PipelineModel): PipelineGraph {
  const jobs = model.jobs.filter((j) => j.when !== "never").sort((a, b) => a.stageIndex - b.stageIndex);
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const names = model.jobs.map((j) => j.name);
  const upstream = new Map<string, string[]>();
  const artifactsFrom = new Map<string, string[]>();
  for (const job of jobs) {
    const earlier = jobs.filter((j) => j.stageIndex < job.stageIndex).map((j) => j.name);
    const needs = (job.needs ?? []).filter((need) => {
      const target = byName.get(need.job);
      if (!target) {
        if (need.optional) return false;
        throw configError(`job "${job.name}" needs "${need.job}", which is not a job of this pipeline${didYouMean(need.job, names)}`, {
          where: need.at, hint: "name a job of this file, or mark the need optional: true",
        });
      }
      if (target.stageIndex > job.stageIndex) {
        throw configError(`job "${job.name}" needs "${need.job}", which runs in a later stage (${target.stage})`, {
          where: need.at, hint: "a job can only need jobs of its own or an earlier stage",
        });
      }
      return true;
    });
    upstream.set(job.name, job.needs ? needs.map((n) => n.job) : earlier);
    artifactsFrom.set(job.name, artifactSources(job, needs.filter((n) => n.artifacts).map((n) => n.job), earlier, names));
  }
  checkCycles(jobs, upstream);
  return { jobs, upstream, artifactsFrom };
}

function artifactSources(job: PipelineJob, needed: string[], earlier: string[], names: string[]): string[] {
  if (job.dependencies === undefined) return job.needs ? needed : earlier;
  for (const dep of job.dependencies) {
    if (!earlier.includes(dep) && !needed.includes(dep)) {
      throw configError(`job "${job.name}" has dependencies: "${dep}", which is not a job of an earlier stage${didYouMean(dep, names)}`, {
        where: job.at, hint: "name jobs of earlier stages (or of needs:) under dependencies:",
      });
    }
  }
  return job.dependencies;
}

function checkCycles(jobs: PipelineJob[], upstream: Map<string, string[]>): void {
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      const cycle = [...path.slice(path.indexOf(name)), name];
      const first = jobs.find((j) => j.name === cycle[0])!;
      const at = first.needs?.find((n) => n.job === cycle[1])?.at ?? first.at;
      throw configError(`needs: form a cycle: ${cycle.join(" → ")}`, { where: at, hint: "remove one of these needs" });
    }
    state.set(name, "visiting");
    for (const dep of upstream.get(name) ?? []) visit(dep, [...path, name]);
    state.set(name, "done");
  };
  for (const job of jobs) visit(job.name, []);
}

export type Decision = { run: true } | { run: false; status: "skipped" | "manual"; reason: string } | "wait";

/** What a job does now, given the status of the jobs that ended (absent: not ended yet). */
export function decide(job: PipelineJob, upstream: readonly string[], status: ReadonlyMap<string, JobStatus>): Decision {
  const withNeeds = job.needs !== undefined;
  for (const name of upstream) {
    const s = status.get(name);
    if (s === undefined) return "wait";
    // A needed manual job never runs here, so its dependants cannot start.
    if (withNeeds && s === "manual") return { run: false, status: "skipped", reason: `needs ${name}, a manual job that is not run locally` };
  }
  if (job.when === "manual") return { run: false, status: "manual", reason: "when: manual jobs are not run locally" };
  if (job.trigger?.unsupported) return { run: false, status: "skipped", reason: `trigger: not run locally: ${job.trigger.unsupported}` };
  const failed = upstream.find((n) => status.get(n) === "failed");
  const skipped = withNeeds ? upstream.find((n) => status.get(n) === "skipped") : undefined;
  if (job.when === "always") return { run: true };
  if (job.when === "on_failure") return failed ? { run: true } : { run: false, status: "skipped", reason: "when: on_failure and no earlier job failed" };
  if (failed) return { run: false, status: "skipped", reason: `${failed} failed` };
  if (skipped) return { run: false, status: "skipped", reason: `needs ${skipped}, which was skipped` };
  return { run: true };
}

/** The job's status from its run: allow_failure turns a failure into an allowed one. */
export function statusAfterRun(job: PipelineJob, result: { passed: boolean; exitCode?: number }): JobStatus {
  if (result.passed) return "passed";
  const allowed = Array.isArray(job.allowFailure) ? result.exitCode !== undefined && job.allowFailure.includes(result.exitCode) : job.allowFailure;
  return allowed ? "allowed-failure" : "failed";
}
