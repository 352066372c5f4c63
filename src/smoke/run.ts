/**
 * runSmokeJob: one .gitlab-ci.yml job run the way GitLab Runner's Docker executor runs it.
 * The phases, in order:
 *   1. plan       — image, variables, services and their host names, time limits (pure: executor/plan.ts)
 *   2. provision  — images pulled, job network, services started, job container made and
 *                   filled with the project (executor/provision.ts)
 *   3. run stages — step_script after the services wait, then after_script, in the same
 *                   container (executor/stages.ts, readiness in executor/readiness.ts)
 *   4. judge      — passed or failed and why (executor/outcome.ts)
 *   5. clean up   — everything the run made removed, whatever happened (executor/cleanup.ts);
 *                   awaited here, or handed to `cleanupLater` (a pipeline run awaits it later)
 */
import { randomBytes } from "node:crypto";
import { isAbsolute, relative, sep } from "node:path";
import type { ResolveAuth } from "../auth/lazy-resolver.js";
import type { EngineApi } from "../engine/engine-api.js";
import type { PullPolicy, SmokeJob } from "./job/parse.js";
import type { RunnerDefaults } from "./job/runner-config.js";
import { followSignal, throwIfAborted } from "./executor/abort.js";
import { cleanUp } from "./executor/cleanup.js";
import { JobLog } from "./executor/job-log.js";
import { afterScriptWarning, judgeStepScript, type Judgement } from "./executor/outcome.js";
import { readGitHead } from "./executor/git-head.js";
import { planJob, type JobPlan } from "./executor/plan.js";
import { projectPath } from "./executor/project.js";
import { provision, type Provisioned } from "./executor/provision.js";
import { resourceName } from "./executor/resources.js";
import { privilegedRefused } from "./executor/privileged.js";
import { emulatePrivileged } from "./executor/emulate-privileged.js";
import { ReadinessWatch } from "./executor/readiness.js";
import type { ServiceResult, SmokeResult } from "./executor/result.js";
import { printServiceLogs } from "./executor/services.js";
import type { RunSession } from "./executor/session.js";
import { StageRunner } from "./executor/stages.js";
import { RunStart } from "./executor/start.js";
import { noTrace, type Trace } from "../common/trace.js";

export type { ServiceResult, SmokeResult } from "./executor/result.js";

export interface SmokeOptions {
  job: SmokeJob;
  /** --image: replaces the job image's name (entrypoint and pull_policy are kept). */
  image?: string;
  /** The image's platform ("linux/arm64"): pulled and run as that platform (GitLab's image:docker:platform). */
  platform?: string;
  runnerDefaults?: RunnerDefaults;
  /** Copied to /builds/<namespace>/<project>. */
  projectDir: string;
  runId: string;
  /** Seconds; default 30; negative → no readiness check. */
  servicesTimeoutSeconds?: number;
  strictServices?: boolean;
  /** Seconds; default: the job's timeout:, else 3600. */
  timeoutSeconds?: number;
  /** Seconds; default 300. */
  afterScriptTimeoutSeconds?: number;
  /** Default pull policy when the job sets none; default ["if-not-present"]. */
  pullPolicy?: PullPolicy[];
  /** CI/CD variables (--env-file, --variable): above the job file's variables. */
  cicdVariables?: Record<string, string>;
  /** Environment of runner-kit itself (CI_PROJECT_PATH, nothing else is read). */
  env?: NodeJS.ProcessEnv;
  /** Colour the `$ command` lines. */
  color?: boolean;
  /** Reap abandoned smoke resources first (default true). */
  reap?: boolean;
  /** CI_JOB_ID (default: a random number); a pipeline run gives each job its own. */
  jobId?: string;
  /** --emulate-privileged: privileged containers get every capability but these (the host lacks them) instead. */
  emulatePrivileged?: { missingCapabilities: string[] };
}

/** The job container as the job-files hooks see it: its id, the project's place in it, the job log. */
export interface JobFilesContext {
  containerId: string;
  /** /builds/<namespace>/<project> */
  buildDir: string;
  log: (line: string) => void;
}

/**
 * GitLab Runner's artifact stages around the job's scripts (a pipeline run passes them):
 * `download` after the project is copied in and before any script, `upload` after
 * after_script and before the container is removed, with the job's status.
 */
export interface JobFilesHooks {
  download?(job: JobFilesContext): Promise<void>;
  upload?(job: JobFilesContext, status: "success" | "failed"): Promise<void>;
}

export interface SmokeDeps {
  /** A dockerode `Docker` or the thin client (connectEngine): anything with the EngineApi operations. */
  docker: EngineApi;
  /** Receives the job log, line by line (each ends with "\n"). */
  out: (text: string) => void;
  signal?: AbortSignal;
  resolveAuth?: ResolveAuth;
  now?: () => number;
  /** Phase marks for performance work (RUNNER_KIT_TRACE). */
  trace?: Trace;
  /** Artifacts in and out of the job container (a pipeline run). */
  jobFiles?: JobFilesHooks;
  /**
   * Takes the removal of the run's resources instead of awaiting it: the result comes back
   * as soon as it is known and the removal goes on (a pipeline run frees the job's slot).
   * Whoever passes this must await the promise before the process ends.
   */
  cleanupLater?: (removal: Promise<void>) => void;
}

/** Run the job; resolves to the result (failed jobs too); throws on config errors and on abort. */
export async function runSmokeJob(options: SmokeOptions, deps: SmokeDeps, start?: RunStart): Promise<SmokeResult> {
  const s = openSession(options, deps, start);
  const { job } = options;
  s.log.line(`Running with runner-kit smoke (run ${options.runId}) on ${s.run.host}`);
  for (const w of job.warnings) s.log.warn(w);
  for (const w of options.runnerDefaults?.warnings ?? []) s.log.warn(w);

  // 1. plan
  const head = await readGitHead(options.projectDir);
  const plan = planJob({
    ...(head ? { head } : {}), startedAt: new Date(s.startedAt), configPath: configPath(options.projectDir, job.file),
    job, projectPath: projectPath(options.projectDir, options.env ?? {}), networkName: s.run.networkName,
    jobId: options.jobId ?? String(parseInt(randomBytes(3).toString("hex"), 16)), hostname: `runner-kit-${options.runId}`.slice(0, 63),
    image: options.image, ...(options.platform ? { platform: options.platform } : {}), runnerDefaults: options.runnerDefaults, timeoutSeconds: options.timeoutSeconds, pullPolicy: options.pullPolicy,
    afterScriptTimeoutSeconds: options.afterScriptTimeoutSeconds, servicesTimeoutSeconds: options.servicesTimeoutSeconds,
    ...(options.cicdVariables ? { cicdVariables: options.cicdVariables } : {}),
    nameVolume: (target) => resourceName(options.runId, `vol${target}`),
  });
  for (const w of plan.aliasWarnings) s.log.warn(w);
  if (options.emulatePrivileged) emulateOnPlan(s, plan, options.emulatePrivileged.missingCapabilities);
  const results: ServiceResult[] = plan.services.map((p) => ({ name: p.spec.name, aliases: p.aliases, started: false, ready: false }));
  const stop = followSignal(deps.signal);
  let provisioned: Provisioned | undefined;
  try {
    // 2. provision
    const env = await provision(s, plan, { projectDir: options.projectDir, results, stageStop: stop.controller });
    provisioned = env;
    const files: JobFilesContext = { containerId: env.container.id, buildDir: plan.buildDir, log: s.log.line };
    await deps.jobFiles?.download?.(files);
    throwIfAborted(s.signal);
    // 3. run stages
    const readiness = ReadinessWatch.announce(
      { log: s.log, now: s.now, runStartedAt: s.startedAt, imageRef: plan.imageRef, results, startTimes: env.startTimes, started: env.started },
      env.launches,
      plan.servicesWaitSeconds,
    );
    const stages = stageRunner(s, plan, env, readiness, { color: options.color === true, signal: stop.controller.signal });
    const main = await stepScript(s, job, plan, env, stages, readiness, options.strictServices === true);
    stop.detach();
    // 4. judge
    const verdict = judgeStepScript(main, {
      image: plan.imageRef, timeoutSeconds: plan.timeoutSeconds, strictStop: readiness.strictStop, notReady: readiness.notReady,
      entrypoint: plan.image.entrypoint, imageEntrypoint: env.image.config.Entrypoint ?? undefined,
    });
    if (job.afterScript.length > 0 && verdict.jobRan) await afterScript(s, job, plan, stages, verdict);
    await deps.jobFiles?.upload?.(files, verdict.reason === undefined ? "success" : "failed");
    throwIfAborted(s.signal);
    await reportVerdict(s, verdict, readiness, env);
    return {
      runId: options.runId, job: job.name, file: job.file, image: plan.imageRef, imageDigest: env.image.digest, services: results,
      durationMs: s.now() - s.startedAt, result: verdict.reason === undefined ? "passed" : "failed", warnings: s.log.warnings, log: s.log.text,
      ...(verdict.exitCode !== undefined ? { exitCode: verdict.exitCode } : {}),
      ...(verdict.reason !== undefined ? { reason: verdict.reason } : {}),
    };
  } finally {
    // 5. clean up (an attach no stage used is closed: the job never ran)
    stop.detach();
    void provisioned?.attached.then((stream) => (stream as unknown as { destroy?: () => void }).destroy?.(), () => undefined);
    const removal = cleanUp(s, options.reap !== false);
    if (deps.cleanupLater) deps.cleanupLater(removal);
    else await removal;
  }
}

/** The job file as GitLab's CI_CONFIG_PATH names it: relative to the project when inside it. */
function configPath(projectDir: string, file: string): string {
  if (!isAbsolute(file)) return file.split(sep).join("/"); // as read, relative to the working directory
  const rel = relative(projectDir, file);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : file;
}

/** --emulate-privileged: the privileged containers' settings replaced, and the log says so. */
function emulateOnPlan(s: RunSession, plan: JobPlan, missing: string[]): void {
  const privileged = [plan.jobHostConfig, ...plan.services.map((p) => p.hostConfig)].some((h) => h.Privileged);
  if (!privileged) return;
  plan.jobHostConfig = emulatePrivileged(plan.jobHostConfig, missing);
  for (const svc of plan.services) svc.hostConfig = emulatePrivileged(svc.hostConfig, missing);
  s.log.warn(
    `--emulate-privileged: privileged containers get every capability this host has instead (cap_add ALL${missing.length ? `, cap_drop ${missing.join(", ")}` : ""}; ` +
      "seccomp and AppArmor unconfined; /proc unmasked; /sys/fs/cgroup writable), not Privileged as on the fleet",
  );
}

function openSession(options: SmokeOptions, deps: SmokeDeps, start: RunStart | undefined): RunSession {
  const now = deps.now ?? Date.now;
  const trace = deps.trace ?? noTrace;
  trace("runSmokeJob start");
  return {
    docker: deps.docker,
    // The command may have begun the run (and its network) while it read the job.
    run: start ?? new RunStart(deps.docker, options.runId, deps.signal),
    log: new JobLog(deps.out),
    trace,
    now,
    startedAt: now(),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.resolveAuth ? { resolveAuth: deps.resolveAuth } : {}),
  };
}

function stageRunner(s: RunSession, plan: JobPlan, env: Provisioned, readiness: ReadinessWatch, o: { color: boolean; signal: AbortSignal }): StageRunner {
  // The shell is the container's main process (its exit code is the container's) when no
  // ENTRYPOINT wraps it: the job clears it (entrypoint: [""]) or the image has none.
  const entrypoint = plan.image.entrypoint && plan.image.entrypoint.length > 0 ? plan.image.entrypoint : (env.image.config.Entrypoint ?? []);
  return new StageRunner({
    container: env.container, buildDir: plan.buildDir, color: o.color, shellIsMain: entrypoint.every((part) => part === ""),
    signal: o.signal, log: s.log.line, trace: s.trace, onWaitEvent: readiness.handle, attached: env.attached,
    ...(plan.jobHostConfig.Privileged ? { startRefused: (error: unknown) => privilegedRefused(error, "the job container", "privileged", plan.runnerSource) } : {}),
  });
}

/** before_script + script, after the job shell's wait for the services. */
async function stepScript(s: RunSession, job: SmokeJob, plan: JobPlan, env: Provisioned, stages: StageRunner, readiness: ReadinessWatch, strict: boolean) {
  const targets = readiness.checked.map((l) => ({ index: l.index, host: l.aliases[0] as string, ports: l.ports }));
  const preamble = stages.waitPreamble(targets, readiness.waitSeconds, strict);
  // The job container starts once its services have (GitLab Runner's order too): the
  // daemon does container starts one after the other on small hosts anyway, and a service
  // boots while the job container starts, so the job shell's wait is usually already over.
  const serviceFailure = await env.servicesStarting;
  throwIfAborted(s.signal);
  if (serviceFailure !== undefined) throw serviceFailure;
  const main = await stages.run({
    label: "step_script", commands: [...job.beforeScript, ...job.script], timeoutSeconds: plan.timeoutSeconds,
    last: job.afterScript.length === 0, ...(preamble ? { preamble } : {}),
  });
  throwIfAborted(s.signal);
  return main;
}

/** after_script, with CI_JOB_STATUS; its failure is a warning, never the job's result. */
async function afterScript(s: RunSession, job: SmokeJob, plan: JobPlan, stages: StageRunner, verdict: Judgement): Promise<void> {
  s.log.line("Running after_script");
  const after = await stages.run({
    label: "after_script", commands: job.afterScript, timeoutSeconds: plan.afterScriptTimeoutSeconds, last: true,
    exports: { CI_JOB_STATUS: verdict.reason === undefined ? "success" : "failed" },
  });
  throwIfAborted(s.signal);
  const warning = afterScriptWarning(after.stage, plan.afterScriptTimeoutSeconds);
  if (warning) s.log.warn(warning);
}

async function reportVerdict(s: RunSession, verdict: Judgement, readiness: ReadinessWatch, env: Provisioned): Promise<void> {
  if (verdict.reason === undefined) return s.log.line("Job succeeded");
  s.log.line(`ERROR: Job failed: ${verdict.reason}`);
  if (!readiness.strictStop) await printServiceLogs(env.started, s.log.line);
}
