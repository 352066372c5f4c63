/**
 * Running the graph: each job as soon as `decide` lets it, independent jobs at the same
 * time up to `limit`, in stage then file order where there is a choice. The work itself is
 * passed in. An error from a job's run (Ctrl-C, a broken daemon) starts nothing more, waits
 * for the jobs already running (they clean up) and is then thrown.
 */
import { decide, type JobStatus, type PipelineGraph } from "./graph.js";
import type { PipelineJob } from "./model.js";

export interface ScheduleHooks {
  /** Run the job; resolves to passed, failed or allowed-failure. */
  run(job: PipelineJob): Promise<JobStatus>;
  /** A job that is not run: skipped (and why) or manual. */
  notRun(job: PipelineJob, status: "skipped" | "manual", reason: string): void;
}

export function runGraph(graph: PipelineGraph, limit: number, hooks: ScheduleHooks): Promise<Map<string, JobStatus>> {
  const status = new Map<string, JobStatus>();
  const pending = [...graph.jobs];
  const max = Math.max(1, Math.floor(limit));
  let running = 0;
  let stopped: { error: unknown } | undefined;

  return new Promise((resolve, reject) => {
    const settle = (): void => {
      if (running > 0) return;
      if (stopped) reject(stopped.error);
      else if (pending.length === 0) resolve(status);
    };
    const pump = (): void => {
      for (let i = 0; !stopped && i < pending.length; ) {
        const job = pending[i]!;
        const decision = decide(job, graph.upstream.get(job.name) ?? [], status);
        if (decision === "wait" || (decision.run && running >= max)) {
          i += 1;
          continue;
        }
        pending.splice(i, 1);
        if (!decision.run) {
          status.set(job.name, decision.status);
          hooks.notRun(job, decision.status, decision.reason);
          i = 0; // a settled job may decide others
          continue;
        }
        running += 1;
        hooks.run(job).then(
          (s) => {
            running -= 1;
            status.set(job.name, s);
            pump();
          },
          (error: unknown) => {
            running -= 1;
            stopped ??= { error };
            settle();
          },
        );
      }
      settle();
    };
    pump();
  });
}
