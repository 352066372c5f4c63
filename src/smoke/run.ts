/**
 * runSmokeJob: one .gitlab-ci.yml job run the way GitLab Runner's Docker executor runs it —
 * per-job bridge network, services with derived aliases, readiness wait, the job container
 * with the shell-detect Cmd and the script on stdin, after_script in the same container —
 * and everything removed afterwards, whatever happens.
 */
import { randomBytes } from "node:crypto";
import type { EngineApi, EngineContainer } from "../engine/engine-api.js";
import { configError, failure, interrupted } from "../common/errors.js";
import { assignAliases } from "./aliases.js";
import type { ImageSpec, PullPolicy, ServiceSpec, SmokeJob } from "./job.js";
import { gitFiles, projectArchive, projectPath, BUILDS_DIR } from "./project.js";
import { ensureImage, type ImageInfo, type ResolveAuth } from "./pull.js";
import { DEFAULT_REAP_AGE_MS, processIsAlive, reapAbandoned } from "./reap.js";
import { resourceName } from "./resources.js";
import { RunStart } from "./start.js";
import type { RunnerDefaults } from "./runner-config.js";
import { detectShellCommand, stageScript, waitPreamble } from "./script.js";
import { createBeforeNetwork, serviceEnv, serviceLogs, startService, type StartedService } from "./services.js";
import { runStage } from "./stage.js";
import { resolveVariables, expandValue } from "./variables.js";
import { parseWaitLine, servicePorts, type WaitEvent } from "./wait.js";
import { errorMessage, isNoExecutable, judgeStepScript } from "./outcome.js";
import { predefinedVariables } from "./predefined.js";
import { noTrace, type Trace } from "./trace.js";

export interface SmokeOptions {
  job: SmokeJob;
  /** --image: replaces the job image's name (entrypoint and pull_policy are kept). */
  image?: string;
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
  /** Environment of runner-kit itself (CI_PROJECT_PATH, nothing else is read). */
  env?: NodeJS.ProcessEnv;
  /** Colour the `$ command` lines. */
  color?: boolean;
  /** Reap abandoned smoke resources first (default true). */
  reap?: boolean;
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
}

export interface ServiceResult {
  name: string;
  aliases: string[];
  started: boolean;
  ready: boolean;
  readyMs?: number;
  port?: number;
  error?: string;
}

export interface SmokeResult {
  runId: string;
  job: string;
  file: string;
  image: string;
  imageDigest: string;
  services: ServiceResult[];
  durationMs: number;
  result: "passed" | "failed";
  /** The job script's own exit code (undefined when it did not run to an exit). */
  exitCode?: number;
  /** Why it failed, one sentence. */
  reason?: string;
  warnings: string[];
  /** The whole job log (for JUnit). */
  log: string;
}

const DEFAULT_TIMEOUT = 3600;
const DEFAULT_AFTER_SCRIPT_TIMEOUT = 300;
const LOG_LIMIT = 4 * 1024 * 1024;

/** Run the job; resolves to the result (failed jobs too); throws on config errors and on abort. */
export async function runSmokeJob(options: SmokeOptions, deps: SmokeDeps, start?: RunStart): Promise<SmokeResult> {
  const now = deps.now ?? Date.now;
  const trace = deps.trace ?? noTrace;
  trace("runSmokeJob start");
  const started = now();
  const { job, runId } = options;
  // The command may have begun the run (and its network) while it read the job.
  const run = start ?? new RunStart(deps.docker, runId, deps.signal);
  const { host, instance, resources } = run;
  const labels = (role: string) => run.labels(role);
  const warnings: string[] = [...job.warnings];
  let logText = "";
  const log = (line: string) => {
    const text = `${line}\n`;
    if (logText.length < LOG_LIMIT) logText += text;
    deps.out(text);
  };
  const warn = (message: string) => {
    warnings.push(message);
    log(`WARNING: ${message}`);
  };
  const checkAbort = () => {
    if (deps.signal?.aborted) throw interrupted(String((deps.signal.reason as Error | undefined)?.message ?? "a signal"));
  };

  log(`Running with runner-kit smoke (run ${runId}) on ${host}`);
  for (const w of job.warnings) log(`WARNING: ${w}`);

  const jobImage: ImageSpec = {
    ...(options.runnerDefaults?.image ?? {}),
    ...(job.image ?? {}),
    name: options.image ?? job.image?.name ?? options.runnerDefaults?.image?.name ?? "",
  };
  if (jobImage.name === "") {
    throw configError(`job "${job.name}" has no image`, { where: job.file, hint: "pass --image REF, or set image: in the job or default:" });
  }
  const timeoutSeconds = options.timeoutSeconds ?? job.timeoutSeconds ?? DEFAULT_TIMEOUT;
  const path = projectPath(options.projectDir, options.env ?? {});
  const buildDir = `${BUILDS_DIR}/${path}`;
  const network = run.networkName;
  const containerName = resourceName(runId, "build");
  const jobHostname = `runner-kit-${runId}`.slice(0, 63);
  const variables = resolveVariables(
    {
      ...predefinedVariables({
        job, image: jobImage.name, projectPath: path, projectDir: buildDir, timeoutSeconds, network,
        jobId: String(parseInt(randomBytes(3).toString("hex"), 16)), hostname: jobHostname,
      }),
      ...job.variables,
    },
    new Set(job.noExpand),
  );
  const expand = (text: string) => expandValue(text, (n) => variables[n]);
  const imageRef = expand(jobImage.name);
  variables.CI_JOB_IMAGE = imageRef;
  const serviceSpecs: ServiceSpec[] = [...(options.runnerDefaults?.services ?? []), ...job.services].map((s) => ({
    ...s,
    name: expand(s.name),
    ...(s.alias !== undefined ? { alias: expand(s.alias) } : {}),
  }));
  const { aliases, warnings: aliasWarnings } = assignAliases(serviceSpecs);
  for (const w of aliasWarnings) warn(w);
  const defaultPolicy = options.pullPolicy ?? ["if-not-present"];
  const serviceResults: ServiceResult[] = serviceSpecs.map((s, i) => ({ name: s.name, aliases: aliases[i] ?? [], started: false, ready: false }));

  const result = (status: "passed" | "failed", extra: Partial<SmokeResult>, image?: ImageInfo): SmokeResult => ({
    runId,
    job: job.name,
    file: job.file,
    image: imageRef,
    imageDigest: image?.digest ?? "",
    services: serviceResults,
    durationMs: now() - started,
    result: status,
    warnings,
    log: logText,
    ...extra,
  });

  // Reaping runs at the end, beside this run's own cleanup, where it costs no waiting.
  async function reap(): Promise<void> {
    const reaped = await reapAbandoned(deps.docker, { host, keepInstances: [instance], maxAgeMs: DEFAULT_REAP_AGE_MS, now: now(), isAlive: processIsAlive }).catch(
      (error: unknown) => {
        warn(`could not look for resources left by earlier runs: ${errorMessage(error)}`);
        return undefined;
      },
    );
    if (reaped && reaped.containers + reaped.networks > 0) {
      log(`Removed ${reaped.containers} container(s) and ${reaped.networks} network(s) left by killed run(s) ${reaped.runs.join(", ")}`);
    }
  }

  // The project's file list is read while the daemon works.
  const projectFiles = gitFiles(options.projectDir);
  let jobContainer: EngineContainer | undefined;
  const services: StartedService[] = [];
  try {
    log(`Using Docker executor with image ${imageRef} ...`);
    const pullDeps = { docker: deps.docker, resolveAuth: deps.resolveAuth, log };
    // Images and the job network at the same time.
    const creatingNetwork = run.network();
    const [image, ...serviceImages] = await untilAborted(
      Promise.all([
        ensureImage(pullDeps, imageRef, jobImage.pullPolicy ?? defaultPolicy),
        ...serviceSpecs.map((s, i) => ((aliases[i] ?? []).length === 0 ? Promise.resolve(undefined) : ensureImage(pullDeps, s.name, s.pullPolicy ?? defaultPolicy))),
      ]),
      deps.signal,
    );
    // Containers are created while the network is made; they start once it exists.
    const networkReady = creatingNetwork.then(() => undefined);
    networkReady.catch(() => undefined);
    checkAbort();
    trace("images inspected");
    log(`Using docker image ${image.id} for ${imageRef} ...`);

    // What each service gets and is checked on, known before it starts.
    const plans = serviceSpecs.flatMap((spec, index) => {
      const img = serviceImages[index];
      const kept = aliases[index] ?? [];
      if (!img || kept.length === 0) return [];
      const env = serviceEnv(variables, spec.variables);
      return [{ spec, index, img, aliases: kept, env, ports: servicePorts(img, env) }];
    });

    // Services start while the job container is created and filled; the job shell itself
    // waits for them to be ready (inside the job network) before running the script.
    let serviceFailure: unknown;
    // Stops the job stage on Ctrl-C, and when a service cannot be started.
    const stageStop = new AbortController();
    const forwardAbort = () => stageStop.abort();
    if (deps.signal?.aborted) stageStop.abort();
    deps.signal?.addEventListener("abort", forwardAbort, { once: true });
    const startTimes = new Map<number, number>();
    const starting = Promise.all(
      plans.map(async (plan) => {
        log(`Starting service ${plan.spec.name} ...`);
        try {
          const svc = await startService({
            docker: deps.docker, resources, runId, labels, network, image: plan.img.ref, spec: plan.spec, index: plan.index,
            aliases: plan.aliases, env: plan.env, now, onStart: (t) => startTimes.set(plan.index, t), networkReady,
          });
          trace(`service ${plan.index} started`);
          services.push(svc);
          (serviceResults[plan.index] as ServiceResult).started = true;
        } catch (error) {
          serviceFailure ??= failure(`the service ${plan.spec.name} could not be started: ${errorMessage(error).trim()}`, {
            where: plan.spec.name,
            hint: "check its entrypoint and command",
          });
          // The job cannot run as GitLab Runner would run it: stop (or never start) the job.
          stageStop.abort();
        }
      }),
    );
    const env = Object.entries(variables).map(([k, v]) => `${k}=${v}`);
    jobContainer = await resources.container(
      createBeforeNetwork(deps.docker, {
        name: containerName,
        Image: image.ref,
        Cmd: detectShellCommand(),
        ...(jobImage.entrypoint && jobImage.entrypoint.length > 0 ? { Entrypoint: jobImage.entrypoint } : {}),
        Env: env,
        WorkingDir: buildDir,
        Hostname: jobHostname,
        OpenStdin: true,
        StdinOnce: true,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        Labels: labels("build"),
        HostConfig: { NetworkMode: network, RestartPolicy: { Name: "no" } },
        NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: ["build", containerName] } } },
      }, networkReady),
    );
    trace("job container created");
    await jobContainer.putArchive(await projectArchive(options.projectDir, buildDir, projectFiles), { path: "/" });
    trace("project copied in");
    await creatingNetwork;
    checkAbort();

    const servicesTimeout = options.servicesTimeoutSeconds ?? options.runnerDefaults?.waitForServicesTimeout ?? 30;
    const waitSeconds = servicesTimeout === 0 ? 30 : servicesTimeout;
    const checked = servicesTimeout >= 0 ? plans.filter((p) => p.ports.length > 0) : [];
    for (const p of plans) {
      if (servicesTimeout >= 0 && p.ports.length === 0) {
        (serviceResults[p.index] as ServiceResult).error = `service "${p.spec.name}" has no exposed ports`;
        warn(`service "${p.spec.name}" has no exposed ports`);
      }
    }
    if (checked.length > 0) log(`Waiting for services to be up and running (timeout ${waitSeconds} seconds)...`);

    const nonce = randomBytes(6).toString("hex");
    const startMarker = `rk-script-start-${nonce}`;
    const beginMarker = `rk-script-begin-${nonce}`;
    const noGrepMarker = `rk-no-grep-${nonce}`;
    const waitMarker = `rk-wait-${nonce}`;
    const exitMarker = `rk-exit-${nonce}`;
    // The shell is the container's main process (its exit code is the container's) when no
    // ENTRYPOINT wraps it: the job clears it (entrypoint: [""]) or the image has none.
    const entrypoint = jobImage.entrypoint && jobImage.entrypoint.length > 0 ? jobImage.entrypoint : (image.config.Entrypoint ?? []);
    const shellIsMain = entrypoint.every((part) => part === "");
    const notReady: string[] = [];
    let strictStop = false;

    const onWaitEvent = async (event: WaitEvent) => {
      if (event.kind === "strict") return void (strictStop = true);
      if (event.kind === "none") {
        for (const p of checked) (serviceResults[p.index] as ServiceResult).error = "not checked: the job image has neither bash nor nc";
        warn(`cannot check whether services are ready: the image ${imageRef} has neither bash nor nc to probe TCP ports`);
        return;
      }
      const plan = checked.find((p) => p.index === event.index);
      if (!plan) return;
      const sr = serviceResults[plan.index] as ServiceResult;
      if (event.kind === "ready") {
        const readyMs = Math.max(0, now() - (startTimes.get(plan.index) ?? started));
        Object.assign(sr, { ready: true, readyMs, port: event.port });
        log(`Service ${plan.spec.name} is ready on port ${event.port} after ${(readyMs / 1000).toFixed(2)} s`);
        return;
      }
      const error = `service "${plan.spec.name}" did not accept a TCP connection on port ${plan.ports.join(", ")} within ${waitSeconds} s`;
      sr.error = error;
      notReady.push(plan.spec.name);
      warnings.push(`Service ${plan.spec.name} probably didn't start properly.`);
      const svc = services.find((s) => s.index === plan.index);
      const logs = svc ? await serviceLogs(svc.container) : "(the service container did not start)";
      for (const line of ["", `*** WARNING: Service ${plan.spec.name} probably didn't start properly.`, "", "Health check error:", error, "", "Service container logs:"]) log(line);
      for (const line of logs.replace(/\n$/, "").split("\n")) log(line);
      for (const line of ["", "*********", ""]) log(line);
    };

    /** `last`: nothing runs in the container after this stage (it may end at the script's exit marker). */
    const runScriptStage = async (label: string, commands: string[], timeoutS: number, last: boolean, extra: { exports?: Record<string, string>; preamble?: string } = {}) => {
      const early = last && shellIsMain;
      let sawStart = false;
      let sawBegin = false;
      let sawNoGrep = false;
      let sawNoShell = false;
      let chain = Promise.resolve();
      const header = () => {
        if (!sawBegin) log(`Executing "${label}" stage of the job script`);
        sawBegin = true;
      };
      const handle = async (line: string) => {
        if (line === startMarker) return trace(`${label}: shell started`), void (sawStart = true);
        if (line === beginMarker) return trace(`${label}: services ready, script begins`), header();
        if (line === noGrepMarker) return void (sawNoGrep = true);
        const event = parseWaitLine(line, waitMarker);
        if (event) return onWaitEvent(event);
        if (line === "shell not found") sawNoShell = true;
        // Output before the begin marker is the entrypoint's or the shell's own.
        log(line);
      };
      if (!extra.preamble) header();
      const stage = await runStage(jobContainer as EngineContainer, {
        script: stageScript({
          commands, startMarker, noGrepMarker, workdir: buildDir, color: options.color === true,
          ...(extra.exports ? { exports: extra.exports } : {}),
          ...(extra.preamble ? { preamble: extra.preamble, beginMarker } : {}),
          ...(early ? { exitMarker } : {}),
        }),
        ...(early ? { exitMarker } : {}),
        timeoutMs: timeoutS * 1000,
        trace: (phase) => trace(`${label}: job container ${phase}`),
        signal: stageStop.signal,
        // Lines are handled in order; a not-ready warning fetches the service log first.
        onLine: (line) => void (chain = chain.then(() => handle(line))),
      }).catch((error: unknown) => {
        const message = errorMessage(error);
        if (isNoExecutable(message)) return { noExecutable: message };
        throw error;
      });
      await chain;
      trace(`${label}: container exited`);
      return { stage, sawStart, sawBegin, sawNoGrep, sawNoShell };
    };

    const preamble = waitPreamble(
      checked.map((p) => ({ index: p.index, host: p.aliases[0] as string, ports: p.ports })),
      waitMarker,
      waitSeconds,
      options.strictServices === true,
    );
    // The job container starts once its services have (GitLab Runner's order too): the
    // daemon does container starts one after the other on small hosts anyway, and a service
    // boots while the job container starts, so the job shell's wait is usually already over.
    await starting;
    checkAbort();
    if (serviceFailure !== undefined) throw serviceFailure;
    const main = await runScriptStage("step_script", [...job.beforeScript, ...job.script], timeoutSeconds, job.afterScript.length === 0, preamble ? { preamble } : {});
    checkAbort();
    deps.signal?.removeEventListener("abort", forwardAbort);

    const { reason, exitCode, jobRan } = judgeStepScript(main, {
      image: imageRef, timeoutSeconds, strictStop, notReady,
      entrypoint: jobImage.entrypoint, imageEntrypoint: image.config.Entrypoint ?? undefined,
    });
    const status: "passed" | "failed" = reason === undefined ? "passed" : "failed";

    if (job.afterScript.length > 0 && jobRan) {
      log("Running after_script");
      const afterTimeout = options.afterScriptTimeoutSeconds ?? DEFAULT_AFTER_SCRIPT_TIMEOUT;
      const after = await runScriptStage("after_script", job.afterScript, afterTimeout, true, { exports: { CI_JOB_STATUS: status === "passed" ? "success" : "failed" } });
      checkAbort();
      if ("noExecutable" in after.stage) warn(`after_script failed, but job will continue unaffected: ${after.stage.noExecutable}`);
      else if (after.stage.timedOut) warn(`after_script failed, but job will continue unaffected: execution took longer than ${afterTimeout} seconds`);
      else if (after.stage.exitCode !== 0) warn(`after_script failed, but job will continue unaffected: exit code ${after.stage.exitCode}`);
    }

    if (status === "failed") {
      log(`ERROR: Job failed: ${reason}`);
      if (!strictStop) await printServiceLogs(services, log);
    } else {
      log("Job succeeded");
    }
    return result(status, { exitCode, ...(reason !== undefined ? { reason } : {}) }, image);
  } finally {
    trace("cleanup start");
    await Promise.all([resources.removeAll().then(() => trace("resources removed")), options.reap === false ? undefined : reap().then(() => trace("reap done"))]);
  }
}

async function printServiceLogs(services: StartedService[], log: (line: string) => void): Promise<void> {
  for (const svc of services) {
    const text = await serviceLogs(svc.container);
    log(`--- service ${svc.spec.name} (${svc.aliases.join(", ")}) log ---`);
    for (const line of text.replace(/\n$/, "").split("\n")) log(line);
  }
}

/** Reject with the abort reason as soon as `signal` aborts (the work itself runs on; cleanup removes its results). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(interrupted(String((signal.reason as Error | undefined)?.message ?? "a signal")));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
