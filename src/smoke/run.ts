/**
 * runSmokeJob: one .gitlab-ci.yml job run the way GitLab Runner's Docker executor runs it —
 * per-job bridge network, services with derived aliases, readiness wait, the job container
 * with the shell-detect Cmd and the script on stdin, after_script in the same container —
 * and everything removed afterwards, whatever happens.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type Docker from "dockerode";
import { configError, interrupted } from "../errors.js";
import { assignAliases } from "./aliases.js";
import type { ImageSpec, PullPolicy, ServiceSpec, SmokeJob } from "./job.js";
import { projectArchive, projectPath, BUILDS_DIR } from "./project.js";
import { ensureImage, type ImageInfo, type ResolveAuth } from "./pull.js";
import { DEFAULT_REAP_AGE_MS, processIsAlive, reapAbandoned } from "./reap.js";
import { resourceName, RunResources, smokeLabels } from "./resources.js";
import type { RunnerDefaults } from "./runner-config.js";
import { detectShellCommand, stageScript } from "./script.js";
import { serviceLogs, startService, type StartedService } from "./services.js";
import { runStage } from "./stage.js";
import { resolveVariables, expandValue, type VariableMap } from "./variables.js";
import { ProbeStartError, waitForServices, type Readiness } from "./wait.js";

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
  docker: Docker;
  /** Receives the job log, line by line (each ends with "\n"). */
  out: (text: string) => void;
  signal?: AbortSignal;
  resolveAuth?: ResolveAuth;
  now?: () => number;
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

function predefinedVariables(o: {
  job: SmokeJob;
  image: string;
  projectPath: string;
  projectDir: string;
  timeoutSeconds: number;
  network: string;
  jobId: string;
  hostname: string;
}): VariableMap {
  const [namespace, ...rest] = o.projectPath.split("/");
  const name = rest.pop() ?? "project";
  const ns = [namespace, ...rest].join("/");
  return {
    CI: "true",
    GITLAB_CI: "true",
    CI_SERVER: "yes",
    CI_JOB_ID: o.jobId,
    CI_JOB_NAME: o.job.name,
    CI_JOB_NAME_SLUG: o.job.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 63),
    CI_JOB_STAGE: o.job.stage,
    CI_JOB_IMAGE: o.image,
    CI_JOB_TIMEOUT: String(o.timeoutSeconds),
    CI_BUILDS_DIR: BUILDS_DIR,
    CI_PROJECT_DIR: o.projectDir,
    CI_PROJECT_PATH: o.projectPath,
    CI_PROJECT_NAMESPACE: ns,
    CI_PROJECT_NAME: name,
    CI_CONCURRENT_ID: "0",
    CI_BUILD_NETWORK_NAME: o.network,
    CI_RUNNER_DESCRIPTION: "runner-kit smoke",
    CI_RUNNER_EXECUTABLE_ARCH: `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}`,
    CI_PIPELINE_SOURCE: "push",
    CI_SERVER_NAME: "GitLab",
    HOSTNAME: o.hostname,
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isNoExecutable(message: string): boolean {
  return /executable file not found|no such file or directory|not found in \$PATH|exec format error/i.test(message);
}

/** Run the job; resolves to the result (failed jobs too); throws on config errors and on abort. */
export async function runSmokeJob(options: SmokeOptions, deps: SmokeDeps): Promise<SmokeResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const { job, runId } = options;
  const host = hostname();
  const labels = (role: string) => smokeLabels(runId, host, role);
  const resources = new RunResources(deps.docker, runId);
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

  if (options.reap !== false) {
    const reaped = await reapAbandoned(deps.docker, {
      host,
      keepRuns: [runId],
      maxAgeMs: DEFAULT_REAP_AGE_MS,
      now: now(),
      isAlive: processIsAlive,
    }).catch((error: unknown) => {
      warn(`could not look for resources left by earlier runs: ${errorMessage(error)}`);
      return undefined;
    });
    if (reaped && reaped.containers + reaped.networks > 0) {
      log(`Removed ${reaped.containers} container(s) and ${reaped.networks} network(s) left by killed run(s) ${reaped.runs.join(", ")}`);
    }
  }

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
  const network = resourceName(runId, "network");
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

  try {
    log(`Using Docker executor with image ${imageRef} ...`);
    const pullDeps = { docker: deps.docker, resolveAuth: deps.resolveAuth, log };
    const [image, ...serviceImages] = await Promise.all([
      ensureImage(pullDeps, imageRef, jobImage.pullPolicy ?? defaultPolicy),
      ...serviceSpecs.map((s, i) => ((aliases[i] ?? []).length === 0 ? Promise.resolve(undefined) : ensureImage(pullDeps, s.name, s.pullPolicy ?? defaultPolicy))),
    ]);
    checkAbort();
    log(`Using docker image ${image.id} for ${imageRef} ...`);

    await resources.network(
      deps.docker.createNetwork({ Name: network, Driver: "bridge", CheckDuplicate: true, Labels: labels("network") }),
    );
    checkAbort();

    // Services, and the job container with the project in it, at the same time.
    const starting = serviceSpecs.map(async (spec, index) => {
      const kept = aliases[index] ?? [];
      const img = serviceImages[index];
      if (kept.length === 0 || !img) return undefined;
      log(`Starting service ${spec.name} ...`);
      const svc = await startService({
        docker: deps.docker, resources, runId, labels, network, image: img.ref, spec, index, aliases: kept,
        jobVars: variables, now,
      });
      (serviceResults[index] as ServiceResult).started = true;
      return svc;
    });
    const creatingJob = (async () => {
      const env = Object.entries(variables).map(([k, v]) => `${k}=${v}`);
      const container = await resources.container(
        deps.docker.createContainer({
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
        }),
      );
      await container.putArchive(await projectArchive(options.projectDir, buildDir), { path: "/" });
      return container;
    })();
    const settled = await Promise.allSettled([creatingJob, ...starting]);
    checkAbort();
    const failedStart = settled.find((s) => s.status === "rejected");
    if (failedStart) throw failedStart.reason;
    const jobContainer = (settled[0] as PromiseFulfilledResult<Docker.Container>).value;
    const services = settled.slice(1).flatMap((s) => ((s as PromiseFulfilledResult<StartedService | undefined>).value ? [(s as PromiseFulfilledResult<StartedService>).value] : []));

    // Readiness.
    const servicesTimeout = options.servicesTimeoutSeconds ?? options.runnerDefaults?.waitForServicesTimeout ?? 30;
    if (services.length > 0 && servicesTimeout >= 0) {
      const timeoutS = servicesTimeout === 0 ? 30 : servicesTimeout;
      log(`Waiting for services to be up and running (timeout ${timeoutS} seconds)...`);
      let readiness: Map<number, Readiness>;
      try {
        readiness = await waitForServices({
          docker: deps.docker, resources, runId, labels, network, probeImage: image.ref, services,
          timeoutMs: timeoutS * 1000, signal: deps.signal, now,
        });
      } catch (error) {
        if (error instanceof ProbeStartError && isNoExecutable(error.message)) {
          const reason = noShellReason(imageRef, error.message);
          log(`ERROR: Job failed: ${reason}`);
          return result("failed", { reason }, image);
        }
        throw error;
      }
      checkAbort();
      const notReady: string[] = [];
      for (const svc of services) {
        const r = readiness.get(svc.index) ?? {};
        const sr = serviceResults[svc.index] as ServiceResult;
        if (r.readyMs !== undefined) {
          Object.assign(sr, { ready: true, readyMs: r.readyMs, port: r.port });
          log(`Service ${svc.spec.name} is ready on port ${r.port} after ${(r.readyMs / 1000).toFixed(2)} s`);
          continue;
        }
        sr.error = r.error;
        if (svc.ports.length === 0) {
          warn(r.error ?? `service "${svc.spec.name}" has no exposed ports`);
          continue;
        }
        notReady.push(svc.spec.name);
        warnings.push(`Service ${svc.spec.name} probably didn't start properly.`);
        const logs = await serviceLogs(svc.container);
        log("");
        log(`*** WARNING: Service ${svc.spec.name} probably didn't start properly.`);
        log("");
        log("Health check error:");
        log(r.error ?? "unknown");
        log("");
        log("Service container logs:");
        for (const line of logs.replace(/\n$/, "").split("\n")) log(line);
        log("");
        log("*********");
        log("");
      }
      if (notReady.length > 0 && options.strictServices) {
        const reason = `service(s) ${notReady.join(", ")} did not become ready and --strict-services is set`;
        log(`ERROR: Job failed: ${reason}`);
        return result("failed", { reason }, image);
      }
    }

    // before_script + script, then after_script, in the same container.
    const nonce = randomBytes(6).toString("hex");
    const startMarker = `rk-script-start-${nonce}`;
    const noGrepMarker = `rk-no-grep-${nonce}`;
    const runScriptStage = async (label: string, commands: string[], timeoutS: number, exports: Record<string, string> = {}) => {
      log(`Executing "${label}" stage of the job script`);
      let sawStart = false;
      let sawNoGrep = false;
      let sawNoShell = false;
      const stage = await runStage(jobContainer, {
        script: stageScript({ commands, startMarker, noGrepMarker, workdir: buildDir, exports, color: options.color === true }),
        timeoutMs: timeoutS * 1000,
        signal: deps.signal,
        onLine: (line) => {
          if (line === startMarker) return void (sawStart = true);
          if (line === noGrepMarker) return void (sawNoGrep = true);
          if (line === "shell not found") sawNoShell = true;
          log(line);
        },
      }).catch((error: unknown) => {
        const message = errorMessage(error);
        if (isNoExecutable(message)) return { noExecutable: message };
        throw error;
      });
      return { stage, sawStart, sawNoGrep, sawNoShell };
    };

    const main = await runScriptStage("step_script", [...job.beforeScript, ...job.script], timeoutSeconds);
    checkAbort();
    let status: "passed" | "failed" = "passed";
    let reason: string | undefined;
    let exitCode: number | undefined;
    if ("noExecutable" in main.stage) {
      reason = noShellReason(imageRef, main.stage.noExecutable);
    } else if (main.sawNoShell && !main.sawStart) {
      reason = noShellReason(imageRef, "shell not found");
    } else if (main.sawNoGrep) {
      reason = `the image ${imageRef} has no grep; GitLab Runner's job scripts need sh (or bash) and grep — install grep in the image`;
    } else if (main.stage.timedOut) {
      reason = `execution took longer than ${timeoutSeconds} seconds`;
    } else if (main.stage.exitCode !== 0) {
      exitCode = main.stage.exitCode;
      reason = `exit code ${exitCode}`;
      if (!main.sawStart) {
        const ep = image.config.Entrypoint;
        reason += jobImage.entrypoint
          ? `; the entrypoint ${JSON.stringify(jobImage.entrypoint)} did not run the job script (it must exec its arguments)`
          : ep && ep.length > 0
            ? `; the ENTRYPOINT ${JSON.stringify(ep)} of ${imageRef} did not run the job script — make it exec its arguments, or set image: { name: ${imageRef}, entrypoint: [""] }`
            : "";
      }
    } else if (!main.sawStart) {
      exitCode = 0;
      const ep = jobImage.entrypoint ?? image.config.Entrypoint ?? [];
      reason = `the job script never ran: the entrypoint ${JSON.stringify(ep)} of ${imageRef} exited 0 without starting the shell — make it exec its arguments, or set image: { name: ${imageRef}, entrypoint: [""] }`;
    } else {
      exitCode = 0;
    }
    if (reason !== undefined) status = "failed";

    if (job.afterScript.length > 0 && !("noExecutable" in main.stage) && !(main.sawNoShell && !main.sawStart)) {
      log("Running after_script");
      const afterTimeout = options.afterScriptTimeoutSeconds ?? DEFAULT_AFTER_SCRIPT_TIMEOUT;
      const after = await runScriptStage("after_script", job.afterScript, afterTimeout, { CI_JOB_STATUS: status === "passed" ? "success" : "failed" });
      checkAbort();
      if ("noExecutable" in after.stage) warn(`after_script failed, but job will continue unaffected: ${after.stage.noExecutable}`);
      else if (after.stage.timedOut) warn(`after_script failed, but job will continue unaffected: execution took longer than ${afterTimeout} seconds`);
      else if (after.stage.exitCode !== 0) warn(`after_script failed, but job will continue unaffected: exit code ${after.stage.exitCode}`);
    }

    if (status === "failed") {
      log(`ERROR: Job failed: ${reason}`);
      await printServiceLogs(services, log);
    } else {
      log("Job succeeded");
    }
    return result(status, { exitCode, ...(reason !== undefined ? { reason } : {}) }, image);
  } finally {
    await resources.removeAll();
  }
}

function noShellReason(image: string, detail: string): string {
  const exec = detail.match(/exec: ("[^"]*": [^:]+)/)?.[1];
  return `the image ${image} has no usable shell (${(exec ?? detail).trim()}); GitLab Runner's Docker executor needs sh or bash (and grep) in the job image`;
}

async function printServiceLogs(services: StartedService[], log: (line: string) => void): Promise<void> {
  for (const svc of services) {
    const text = await serviceLogs(svc.container);
    log(`--- service ${svc.spec.name} (${svc.aliases.join(", ")}) log ---`);
    for (const line of text.replace(/\n$/, "").split("\n")) log(line);
  }
}
