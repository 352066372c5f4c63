/**
 * `runner-kit ci --run [FILE]`: a .gitlab-ci.yml run on the local Docker Engine, each job
 * through smoke's executor (runSmokeJob) exactly as GitLab Runner's Docker executor runs
 * it, in stage and needs: order, artifacts handed on, a summary and a JUnit report.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { isAbsolute, join, relative } from "node:path";
import { randomInt } from "node:crypto";
import { print, say, type CliContext } from "../../common/context.js";
import { configError, failure, usageError } from "../../common/errors.js";
import { writeFileAtomic } from "../../common/atomic-write.js";
import { connectEngine, pingDocker } from "../../engine/client.js";
import { newRunId } from "../../engine/labels.js";
import { hostMissingCapabilities, runnerDefaultsFrom } from "../../smoke/command.js";
import { parseJob, type SmokeJob } from "../../smoke/job/parse.js";
import { registryAuthResolver } from "../../smoke/setup.js";
import { ArtifactStore, jobSlug } from "./artifacts.js";
import { pipelineGraph, statusAfterRun } from "./graph.js";
import { jobFailure, runJob, shownName, type Prepared, type RunShared } from "./job-runner.js";
import { readPipeline, type PipelineJob } from "./model.js";
import { countLine, pipelineJunit, summaryTable, type JobRecord } from "./report.js";
import { runGraph } from "./schedule.js";
import { cicdVariables, pipelinePredefined, registerSecrets } from "./variables.js";

export interface PipelineRunOptions {
  /** The pipeline file (relative to the working directory). */
  file: string;
  /** --jobs: jobs at once (default: twice the number of CPU cores). */
  jobs?: string;
  junit?: string;
  variable?: string[];
  runnerConfig?: string;
  /** --runner: the [[runners]] entry of --runner-config. */
  runner?: string;
  /** --emulate-privileged, as for smoke. */
  emulatePrivileged?: boolean;
  artifactsDir?: string;
}

export interface PipelineRunResult {
  records: JobRecord[];
}

/** Keys the pipeline run honours: smoke's "has no effect" warnings about them are left out. */
const HONOURED = /^job "[^"]*": "(needs|dependencies|artifacts|allow_failure|when|rules)" \(/;

/** Read and check the pipeline, and the smoke job of every job that may run, before anything starts (a bad job is exit 2). */
async function prepare(ctx: CliContext, file: string, name?: string): Promise<Prepared> {
  const path = isAbsolute(file) ? file : join(ctx.cwd, file);
  const shown = name ?? (relative(ctx.cwd, path).startsWith("..") ? path : relative(ctx.cwd, path));
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw configError(error.code === "ENOENT" ? "the pipeline file does not exist" : `cannot read the pipeline file (${error.code})`, {
      where: shown, hint: "run `runner-kit ci --run` to generate and run the project's pipeline, or name a .gitlab-ci.yml",
    });
  });
  const model = readPipeline(text, shown);
  const graph = pipelineGraph(model);
  const jobs = new Map<string, SmokeJob>();
  for (const job of graph.jobs) {
    if (job.trigger !== undefined || job.when === "manual") continue;
    const parsed = parseJob(text, { file: shown, job: job.name });
    jobs.set(job.name, { ...parsed, warnings: [...parsed.warnings.filter((w) => !HONOURED.test(w)), ...job.notes] });
  }
  return { model, graph, jobs };
}

function jobLimit(value: string | undefined): number {
  // A job mostly waits on its containers (dind start-up, pushes, clean-up), so twice the
  // cores keeps them busy: bench/README.md, Pipeline.
  if (value === undefined) return 2 * availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usageError(`--jobs ${value} is not a positive whole number`, { hint: "give how many jobs may run at once, e.g. --jobs 2" });
  return n;
}

export async function runPipeline(ctx: CliContext, options: PipelineRunOptions): Promise<PipelineRunResult> {
  const limit = jobLimit(options.jobs);
  const cicd = cicdVariables(options.variable ?? [], ctx.env);
  const prepared = await prepare(ctx, options.file);
  if (options.runner !== undefined && options.runnerConfig === undefined) throw usageError("--runner picks an entry of --runner-config", { hint: "add --runner-config FILE, or drop --runner" });
  const runnerDefaults = await runnerDefaultsFrom(ctx, options.runnerConfig, options.runner);
  const emulatePrivileged = options.emulatePrivileged ? { missingCapabilities: await hostMissingCapabilities() } : undefined;
  const pipelineId = randomInt(100_000, 1_000_000);
  const predefined = pipelinePredefined({ pipelineId, env: ctx.env });
  registerSecrets({ ...predefined, ...cicd }, ctx.secrets);

  const { engine, address } = await connectEngine(ctx.env);
  await pingDocker({ docker: engine, address });
  const tmp = await mkdtemp(join(tmpdir(), "rk-pipeline-"));
  say(ctx, `runner-kit: pipeline ${pipelineId} from ${prepared.model.file}: ${prepared.graph.jobs.length} job(s), up to ${limit} at once`);
  let records: JobRecord[];
  const removals: Promise<void>[] = [];
  let removed: PromiseSettledResult<void>[];
  try {
    const shared: RunShared = {
      ctx, engine, limit, tmp, runId: newRunId(ctx.env), pipelineId, predefined, cicd, started: 0, removals,
      resolveAuth: registryAuthResolver(ctx.env, ctx.secrets, (m) => say(ctx, `WARNING: ${m}`), ctx.signal),
      ...(runnerDefaults ? { runnerDefaults } : {}),
      ...(emulatePrivileged ? { emulatePrivileged } : {}),
    };
    const artifactsDir = options.artifactsDir && (isAbsolute(options.artifactsDir) ? options.artifactsDir : join(ctx.cwd, options.artifactsDir));
    records = await runPrepared(shared, prepared, "", artifactsDir || undefined);
  } finally {
    // Every job's containers, networks and volumes are gone before the run ends, whatever happened.
    removed = await Promise.allSettled(removals);
    await rm(tmp, { recursive: true, force: true });
  }
  const notRemoved = removed.find((r) => r.status === "rejected");
  if (notRemoved) throw notRemoved.reason;
  await report(ctx, options, prepared.model.file, records);
  return { records };
}

/**
 * One pipeline — the file given, or a child pipeline a trigger starts — to its end: the
 * records of its jobs in stage then file order, each trigger followed by its child's jobs.
 */
async function runPrepared(s: RunShared, p: Prepared, prefix: string, artifactsDir: string | undefined): Promise<JobRecord[]> {
  const store = new ArtifactStore(s.engine, await mkdtemp(join(s.tmp, "pipeline-")));
  const records = new Map<string, JobRecord[]>();
  await runGraph(p.graph, s.limit, {
    run: async (job) => {
      const done = job.trigger ? await runTrigger(s, store, prefix, job, artifactsDir) : [await runJob(s, p, store, prefix, job)];
      records.set(job.name, done);
      return done[0]!.status;
    },
    notRun: (job, status, reason) => {
      records.set(job.name, [{ name: shownName(prefix, job), stage: job.stage, status, reason }]);
      say(s.ctx, `runner-kit: job ${shownName(prefix, job)}: ${status} (${reason})`);
    },
  });
  if (artifactsDir) {
    const kept = await store.exportTo(artifactsDir, p.graph.jobs.map((j) => j.name));
    if (kept.length > 0) say(s.ctx, `runner-kit: artifacts of ${kept.map((k) => `${prefix}${k}`).join(", ")} are in ${artifactsDir}`);
  }
  return p.graph.jobs.flatMap((j) => records.get(j.name) ?? []);
}

/**
 * A trigger job: its child pipeline (include: local: or an earlier job's artifact) run like
 * the parent, its jobs reported as "<trigger> > <job>". With strategy: depend the trigger
 * fails when the child fails; without, it passes once the child was started. A child that
 * cannot be read fails the trigger.
 */
async function runTrigger(s: RunShared, store: ArtifactStore, prefix: string, job: PipelineJob, artifactsDir: string | undefined): Promise<JobRecord[]> {
  const name = shownName(prefix, job);
  const include = job.trigger!.file!;
  const failed = (reason: string): JobRecord[] => {
    say(s.ctx, `runner-kit: job ${name}: ${statusAfterRun(job, { passed: false })} (${reason})`);
    return [{ name, stage: job.stage, status: statusAfterRun(job, { passed: false }), reason }];
  };
  const file = "local" in include ? include.local : store.file(include.job, include.artifact);
  const shown = "local" in include ? include.local : `${include.job}: ${include.artifact}`;
  if (file === undefined) return failed(`the child pipeline ${shown} is not an artifact of that job`);
  let child: Prepared;
  try {
    child = await prepare(s.ctx, file, shown);
  } catch (error) {
    return failed(jobFailure(s, error));
  }
  say(s.ctx, `runner-kit: job ${name} starts the child pipeline ${shown}: ${child.graph.jobs.length} job(s)`);
  const startedAt = Date.now();
  const jobs = await runPrepared(s, child, `${name} > `, artifactsDir && join(artifactsDir, jobSlug(job.name)));
  const childFailed = jobs.some((r) => r.status === "failed");
  const status = job.trigger!.depend && childFailed ? statusAfterRun(job, { passed: false }) : "passed";
  const reason = childFailed ? `the child pipeline failed${job.trigger!.depend ? "" : " (no strategy: depend)"}` : undefined;
  say(s.ctx, `runner-kit: job ${name}: ${status}${reason ? ` (${reason})` : ""}`);
  return [{ name, stage: job.stage, status, durationMs: Date.now() - startedAt, ...(reason ? { reason } : {}) }, ...jobs];
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
