/**
 * One job of a local pipeline run through smoke's runSmokeJob: its variables, its
 * artifacts in and out (smoke's jobFiles hooks), its own CI_JOB_ID, its log prefixed with
 * its name. A job the executor refuses (no image, a pull that fails) is that job's failure;
 * Ctrl-C and anything that is not about one job end the pipeline.
 */
import type { EngineApi } from "../../engine/engine-api.js";
import type { ResolveAuth } from "../../auth/lazy-resolver.js";
import { say, useColor, type CliContext } from "../../common/context.js";
import { isRunnerKitError } from "../../common/errors.js";
import type { SmokeJob } from "../../smoke/job/parse.js";
import type { RunnerDefaults } from "../../smoke/job/runner-config.js";
import { runSmokeJob } from "../../smoke/run.js";
import type { ArtifactStore } from "./artifacts.js";
import { statusAfterRun, type PipelineGraph } from "./graph.js";
import type { PipelineJob, PipelineModel } from "./model.js";
import type { JobRecord } from "./report.js";
import { jobVariables, type Vars } from "./variables.js";

/** A pipeline file read and checked, with the smoke job of every job that may run. */
export interface Prepared {
  model: PipelineModel;
  graph: PipelineGraph;
  jobs: Map<string, SmokeJob>;
}

/** What every job of one `ci --run` shares, child pipelines included. */
export interface RunShared {
  ctx: CliContext;
  /** The engine the jobs run on (the thin client): containers, and the artifacts in and out of them. */
  engine: EngineApi;
  limit: number;
  /** This run's temporary folder. */
  tmp: string;
  runId: string;
  pipelineId: number;
  predefined: Vars;
  cicd: Vars;
  resolveAuth: ResolveAuth;
  runnerDefaults?: RunnerDefaults;
  /** --emulate-privileged: what privileged containers get instead on this host. */
  emulatePrivileged?: { missingCapabilities: string[] };
  /** Jobs started so far (job ids, and one reaper pass per run). */
  started: number;
  /**
   * The removals of the jobs' containers, networks and volumes still going on: a job's slot
   * is free once its result and artifacts are known; the run awaits these before it ends.
   */
  removals: Promise<void>[];
}

/** The job's name as reported: a child pipeline's jobs carry their trigger's ("build-images > build:a"). */
export function shownName(prefix: string, job: Pick<PipelineJob, "name">): string {
  return `${prefix}${job.name}`;
}

export async function runJob(s: RunShared, p: Prepared, store: ArtifactStore, prefix: string, job: PipelineJob): Promise<JobRecord> {
  const { ctx } = s;
  s.started += 1;
  const name = shownName(prefix, job);
  const jobId = String(s.pipelineId * 1000 + s.started);
  const from = p.graph.artifactsFrom.get(job.name) ?? [];
  const dotenv = await store.dotenv(p.model.jobs, from);
  const smokeJob = p.jobs.get(job.name)!;
  const variables = jobVariables({ predefined: s.predefined, file: smokeJob.variables, dotenv: dotenv.variables, cicd: s.cicd });
  const out = (text: string) => ctx.stderr.write(ctx.secrets.redact(`[${name}] ${text}`));
  say(ctx, `runner-kit: job ${name} (stage ${job.stage}, CI_JOB_ID ${jobId}) starting`);
  try {
    const result = await runSmokeJob(
      {
        job: { ...smokeJob, variables, warnings: [...smokeJob.warnings, ...dotenv.warnings] },
        runId: s.runId, projectDir: ctx.cwd, env: ctx.env, color: useColor(ctx), jobId,
        // One reaper pass per run is enough.
        reap: s.started === 1,
        ...(s.runnerDefaults ? { runnerDefaults: s.runnerDefaults } : {}),
        ...(s.emulatePrivileged ? { emulatePrivileged: s.emulatePrivileged } : {}),
      },
      {
        docker: s.engine, out, signal: ctx.signal, resolveAuth: s.resolveAuth,
        jobFiles: { download: (c) => store.restore(c, from), upload: (c, status) => store.collect(c, job, status) },
        cleanupLater: (removal) => {
          s.removals.push(removal);
          // Marked handled now (the run settles it at its end): a failed removal is never an unhandled rejection meanwhile.
          removal.catch(() => undefined);
        },
      },
    );
    const status = statusAfterRun(job, { passed: result.result === "passed", ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}) });
    say(ctx, `runner-kit: job ${name}: ${status}${result.reason ? ` (${result.reason})` : ""}`);
    return {
      name, stage: job.stage, status, durationMs: result.durationMs, log: result.log,
      ...(result.reason ? { reason: result.reason } : {}), ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
    };
  } catch (error) {
    const reason = jobFailure(s, error);
    out(`ERROR: Job failed: ${reason}\n`);
    return { name, stage: job.stage, status: statusAfterRun(job, { passed: false }), reason };
  }
}

/** The reason a job failed when its run threw; rethrows what ends the pipeline (Ctrl-C, anything unexpected). */
export function jobFailure(s: Pick<RunShared, "ctx">, error: unknown): string {
  if (s.ctx.signal.aborted || !isRunnerKitError(error) || error.kind === "interrupted") throw error;
  return error.toParagraph();
}
