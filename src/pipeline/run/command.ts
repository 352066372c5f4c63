/**
 * `runner-kit ci --run [FILE]`: a .gitlab-ci.yml run on the local Docker Engine, each job
 * through smoke's executor (runSmokeJob) exactly as GitLab Runner's Docker executor runs
 * it, in stage and needs: order, artifacts handed on, a summary and a JUnit report.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { isAbsolute, join, relative } from "node:path";
import { randomInt } from "node:crypto";
import type Docker from "dockerode";
import { print, say, useColor, type CliContext } from "../../common/context.js";
import { configError, failure, isRunnerKitError, usageError } from "../../common/errors.js";
import { writeFileAtomic } from "../../common/atomic-write.js";
import { git } from "../../bake/vcs.js";
import { connectDocker, pingDocker } from "../../engine/client.js";
import { newRunId } from "../../engine/labels.js";
import type { ResolveAuth } from "../../auth/lazy-resolver.js";
import { runnerDefaultsFrom } from "../../smoke/command.js";
import { parseJob, type SmokeJob } from "../../smoke/job/parse.js";
import type { RunnerDefaults } from "../../smoke/job/runner-config.js";
import { runSmokeJob } from "../../smoke/run.js";
import { registryAuthResolver } from "../../smoke/setup.js";
import { ArtifactStore } from "./artifacts.js";
import { pipelineGraph, statusAfterRun, type PipelineGraph } from "./graph.js";
import { readPipeline, type PipelineJob, type PipelineModel } from "./model.js";
import { countLine, pipelineJunit, summaryTable, type JobRecord } from "./report.js";
import { runGraph } from "./schedule.js";
import { cicdVariables, jobVariables, pipelinePredefined, registerSecrets, type Vars } from "./variables.js";

export interface PipelineRunOptions {
  /** The pipeline file (relative to the working directory). */
  file: string;
  /** --jobs: jobs at once (default: the number of CPU cores). */
  jobs?: string;
  junit?: string;
  variable?: string[];
  runnerConfig?: string;
  artifactsDir?: string;
}

export interface PipelineRunResult {
  records: JobRecord[];
}

/** Keys the pipeline run honours: smoke's "has no effect" warnings about them are left out. */
const HONOURED = /^job "[^"]*": "(needs|dependencies|artifacts|allow_failure|when|rules)" \(/;

interface Prepared {
  model: PipelineModel;
  graph: PipelineGraph;
  /** The smoke job of every job that may run, read before anything starts (a bad job is exit 2). */
  jobs: Map<string, SmokeJob>;
}

async function prepare(ctx: CliContext, file: string): Promise<Prepared> {
  const path = isAbsolute(file) ? file : join(ctx.cwd, file);
  const shown = relative(ctx.cwd, path).startsWith("..") ? path : relative(ctx.cwd, path);
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw configError(error.code === "ENOENT" ? "the pipeline file does not exist" : `cannot read the pipeline file (${error.code})`, {
      where: shown, hint: "run `runner-kit ci --run` to generate and run the project's pipeline, or name a .gitlab-ci.yml",
    });
  });
  const model = readPipeline(text, shown);
  const graph = pipelineGraph(model);
  const jobs = new Map<string, SmokeJob>();
  for (const job of graph.jobs) {
    if (job.trigger || job.when === "manual") continue;
    const parsed = parseJob(text, { file: shown, job: job.name });
    jobs.set(job.name, { ...parsed, warnings: [...parsed.warnings.filter((w) => !HONOURED.test(w)), ...job.notes] });
  }
  return { model, graph, jobs };
}

function jobLimit(value: string | undefined): number {
  if (value === undefined) return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usageError(`--jobs ${value} is not a positive whole number`, { hint: "give how many jobs may run at once, e.g. --jobs 2" });
  return n;
}

export async function runPipeline(ctx: CliContext, options: PipelineRunOptions): Promise<PipelineRunResult> {
  const limit = jobLimit(options.jobs);
  const cicd = cicdVariables(options.variable ?? [], ctx.env);
  const prepared = await prepare(ctx, options.file);
  const runnerDefaults = await runnerDefaultsFrom(ctx, options.runnerConfig);
  const [sha, branch] = await Promise.all([git(ctx.cwd, ["rev-parse", "HEAD"]), git(ctx.cwd, ["symbolic-ref", "--short", "-q", "HEAD"])]);
  const pipelineId = randomInt(100_000, 1_000_000);
  const predefined = pipelinePredefined({ pipelineId, git: { ...(sha ? { sha } : {}), ...(branch ? { branch } : {}) }, env: ctx.env });
  registerSecrets({ ...predefined, ...cicd }, ctx.secrets);

  const { docker, address } = await connectDocker(ctx.env);
  await pingDocker({ docker, address });
  const tmp = await mkdtemp(join(tmpdir(), "rk-pipeline-"));
  const store = new ArtifactStore(docker, tmp);
  const records = new Map<string, JobRecord>();
  say(ctx, `runner-kit: pipeline ${pipelineId} from ${prepared.model.file}: ${prepared.graph.jobs.length} job(s), up to ${limit} at once`);
  try {
    const runner = new JobRunner(ctx, prepared, store, docker, {
      runId: newRunId(ctx.env), pipelineId, predefined, cicd,
      resolveAuth: registryAuthResolver(ctx.env, ctx.secrets, (m) => say(ctx, `WARNING: ${m}`), ctx.signal),
      ...(runnerDefaults ? { runnerDefaults } : {}),
    });
    await runGraph(prepared.graph, limit, {
      run: async (job) => {
        const record = await runner.run(job);
        records.set(job.name, record);
        return record.status;
      },
      notRun: (job, status, reason) => {
        records.set(job.name, { name: job.name, stage: job.stage, status, reason });
        say(ctx, `runner-kit: job ${job.name}: ${status} (${reason})`);
      },
    });
    if (options.artifactsDir) {
      const dir = isAbsolute(options.artifactsDir) ? options.artifactsDir : join(ctx.cwd, options.artifactsDir);
      const kept = await store.exportTo(dir, prepared.graph.jobs.map((j) => j.name));
      if (kept.length > 0) say(ctx, `runner-kit: artifacts of ${kept.join(", ")} are in ${dir}`);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const ordered = prepared.graph.jobs.flatMap((j) => records.get(j.name) ?? []);
  await report(ctx, options, prepared.model.file, ordered);
  return { records: ordered };
}

async function report(ctx: CliContext, options: PipelineRunOptions, file: string, records: JobRecord[]): Promise<void> {
  if (options.junit) {
    await writeFileAtomic(isAbsolute(options.junit) ? options.junit : join(ctx.cwd, options.junit), pipelineJunit(file, records, (t) => ctx.secrets.redact(t)));
  }
  print(ctx, [...summaryTable(records), "", countLine(records)].join("\n"));
  const failed = records.filter((r) => r.status === "failed");
  if (failed.length > 0) {
    throw failure(`the pipeline failed: ${failed.map((r) => r.name).join(", ")} failed`, {
      where: file,
      hint: "the job logs above show what went wrong",
    });
  }
}

interface RunnerSetup {
  runId: string;
  pipelineId: number;
  predefined: Vars;
  cicd: Vars;
  resolveAuth: ResolveAuth;
  runnerDefaults?: RunnerDefaults;
}

/** One job at a time through runSmokeJob, its artifacts in and out, its log prefixed with its name. */
class JobRunner {
  private started = 0;

  constructor(
    private readonly ctx: CliContext,
    private readonly p: Prepared,
    private readonly store: ArtifactStore,
    private readonly docker: Docker,
    private readonly setup: RunnerSetup,
  ) {}

  async run(job: PipelineJob): Promise<JobRecord> {
    const { ctx, setup } = this;
    this.started += 1;
    const jobId = String(setup.pipelineId * 1000 + this.started);
    const from = this.p.graph.artifactsFrom.get(job.name) ?? [];
    const dotenv = await this.store.dotenv(this.p.model.jobs, from);
    const smokeJob = this.p.jobs.get(job.name)!;
    const variables = jobVariables({ predefined: setup.predefined, file: smokeJob.variables, dotenv: dotenv.variables, cicd: setup.cicd });
    const out = (text: string) => ctx.stderr.write(ctx.secrets.redact(`[${job.name}] ${text}`));
    say(ctx, `runner-kit: job ${job.name} (stage ${job.stage}, CI_JOB_ID ${jobId}) starting`);
    try {
      const result = await runSmokeJob(
        {
          job: { ...smokeJob, variables, warnings: [...smokeJob.warnings, ...dotenv.warnings] },
          runId: setup.runId, projectDir: ctx.cwd, env: ctx.env, color: useColor(ctx), jobId,
          // One reaper pass per pipeline is enough.
          reap: this.started === 1,
          ...(setup.runnerDefaults ? { runnerDefaults: setup.runnerDefaults } : {}),
        },
        {
          docker: this.docker, out, signal: ctx.signal, resolveAuth: setup.resolveAuth,
          jobFiles: { download: (c) => this.store.restore(c, from), upload: (c, status) => this.store.collect(c, job, status) },
        },
      );
      const status = statusAfterRun(job, { passed: result.result === "passed", ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}) });
      say(ctx, `runner-kit: job ${job.name}: ${status}${result.reason ? ` (${result.reason})` : ""}`);
      return {
        name: job.name, stage: job.stage, status, durationMs: result.durationMs, log: result.log,
        ...(result.reason ? { reason: result.reason } : {}), ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
      };
    } catch (error) {
      // Ctrl-C, and anything that is not about this one job, ends the pipeline.
      if (ctx.signal.aborted || !isRunnerKitError(error) || error.kind === "interrupted") throw error;
      const reason = error.toParagraph();
      out(`ERROR: Job failed: ${reason}\n`);
      return { name: job.name, stage: job.stage, status: statusAfterRun(job, { passed: false }), reason };
    }
  }
}

