/** `runner-kit smoke`: options → job → runSmokeJob → log on stderr, summary/JSON on stdout. */
import { formatPlatform, parsePlatform } from "../reference/platform.js";
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, isAbsolute, join, relative } from "node:path";
import { print, printJson, say, useColor, type CliContext } from "../common/context.js";
import { connectEngine, pingDocker } from "../engine/client.js";
import { newRunId } from "../engine/labels.js";
import { configError, failure, usageError } from "../common/errors.js";
import { parseDuration } from "./job/duration.js";
import type { PullPolicy } from "./job/parse.js";
import { junitReport, jsonDocument, summaryLines } from "./report.js";
import type { RunnerDefaults } from "./job/runner-config.js";
import type { SmokeOptions, SmokeResult } from "./run.js";
import { RunStart } from "./executor/start.js";
import { loadCicdVariables, loadJob, smokeDeps } from "./setup.js";
import { splitJobRef } from "./job/job-ref.js";
import type { projectVariant } from "./job/load.js";

type ProjectVariant = NonNullable<Awaited<ReturnType<typeof projectVariant>>>;
import { tracedCommand, type Trace } from "../common/trace.js";

export interface SmokeCliOptions {
  image?: string;
  job?: string;
  runnerConfig?: string;
  /** --runner: the [[runners]] entry of --runner-config to apply. */
  runner?: string;
  emulatePrivileged?: boolean;
  servicesTimeout?: string;
  strictServices?: boolean;
  timeout?: string;
  pullPolicy?: string;
  platform?: string;
  projectDir?: string;
  junit?: string;
  /** --variable KEY[=VALUE], repeatable. */
  variable?: string[];
  envFile?: string;
  reap?: boolean;
  json?: boolean;
  /** --progress: auto (default), tty, plain or gitlab; the job log's colour follows it. */
  progress?: "auto" | "tty" | "plain" | "gitlab";
  /** The global -c/--config project file. */
  config?: string;
}

/**
 * Whether the job log is coloured (GitLab Runner's green command lines). Smoke's output is
 * the job log, so of `--progress` only colour applies: tty and gitlab (GitLab renders the
 * colour codes) colour it, plain does not; auto colours it under GITLAB_CI, as the runner's
 * own log is, and elsewhere on a terminal. NO_COLOR always wins.
 */
export function jobLogColor(ctx: Pick<CliContext, "env" | "stderr">, progress: SmokeCliOptions["progress"]): boolean {
  if (ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== "") return false;
  if (progress === "tty" || progress === "gitlab") return true;
  if (progress === "plain") return false;
  return Boolean(ctx.env.GITLAB_CI) || useColor(ctx);
}

function seconds(flag: string, value: string | undefined, allowNegative = false): number | undefined {
  if (value === undefined) return undefined;
  if (allowNegative && /^-\d+$/.test(value.trim())) return Number(value);
  const s = parseDuration(value);
  if (s === undefined) throw usageError(`${flag} ${value} is not a duration`, { hint: `write seconds (30) or a duration (90s, 10m, 1h)` });
  return s;
}

export async function smoke(ctx: CliContext, opts: SmokeCliOptions, timing: { actionAt?: number } = {}): Promise<void> {
  await tracedCommand("smoke", ctx, (trace) => smokeTraced(ctx, opts, trace, timing.actionAt));
}

/** The flags that shape the run (usage errors before anything else happens). */
function runFlags(opts: SmokeCliOptions): Pick<SmokeOptions, "servicesTimeoutSeconds" | "timeoutSeconds" | "pullPolicy" | "platform"> {
  const servicesTimeoutSeconds = seconds("--services-timeout", opts.servicesTimeout, true);
  const timeoutSeconds = seconds("--timeout", opts.timeout);
  if (timeoutSeconds === 0) throw usageError("--timeout must be more than 0");
  if (opts.runner !== undefined && !opts.runnerConfig) throw usageError("--runner picks an entry of --runner-config, which is not given", { hint: "pass --runner-config FILE too" });
  let pullPolicy: PullPolicy[] | undefined;
  if (opts.pullPolicy !== undefined) {
    if (!["always", "never", "if-not-present"].includes(opts.pullPolicy)) {
      throw usageError(`--pull-policy ${opts.pullPolicy} is not a pull policy`, { hint: "use always, never or if-not-present" });
    }
    pullPolicy = [opts.pullPolicy as PullPolicy];
  }
  return {
    ...(servicesTimeoutSeconds !== undefined ? { servicesTimeoutSeconds } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    ...(pullPolicy ? { pullPolicy } : {}),
    ...(opts.platform !== undefined ? { platform: formatPlatform(parsePlatform(opts.platform, { where: "--platform" })) } : {}),
  };
}

/** `--reap`: remove what killed runs left behind, and nothing else. */
async function reapOnly(ctx: CliContext, json: boolean | undefined): Promise<void> {
  const { DEFAULT_REAP_AGE_MS, processIsAlive, reapAbandoned, reapedCounts } = await import("./executor/reap.js");
  const conn = await connectEngine(ctx.env);
  await pingDocker({ docker: conn.engine, address: conn.address });
  const reaped = await reapAbandoned(conn.engine, { host: hostname(), keepInstances: [], maxAgeMs: DEFAULT_REAP_AGE_MS, now: Date.now(), isAlive: processIsAlive });
  if (json) printJson(ctx, reaped);
  else print(ctx, `removed ${reapedCounts(reaped)} left by ${reaped.runs.length} killed run(s)${reaped.runs.length ? `: ${reaped.runs.join(", ")}` : ""}`);
}

/** `--runner-config` (its `--runner` entry), else the project's runner section for the image's variant, else none. */
async function runnerDefaultsFor(ctx: CliContext, opts: SmokeCliOptions, project: ProjectVariant | undefined): Promise<RunnerDefaults | undefined> {
  if (opts.runnerConfig) return runnerDefaultsFrom(ctx, opts.runnerConfig, opts.runner);
  if (!project) return undefined;
  const { projectRunnerDefaults } = await import("./project-runner.js");
  return projectRunnerDefaults(project.plan.runner, project.variant, relative(ctx.cwd, project.plan.projectFile) || basename(project.plan.projectFile));
}

/** `--runner-config FILE [--runner NAME]`: that config.toml's runner (also `ci --run --runner-config`). */
export async function runnerDefaultsFrom(ctx: CliContext, file: string | undefined, runner?: string): Promise<RunnerDefaults | undefined> {
  if (!file) return undefined;
  const path = isAbsolute(file) ? file : join(ctx.cwd, file);
  const text = await readFile(path, "utf8").catch(() => {
    throw configError("cannot read the runner config", { where: file, hint: "give the path of a gitlab-runner config.toml" });
  });
  const { parseRunnerConfig } = await import("./job/runner-config.js");
  return parseRunnerConfig(text, file, runner);
}

/** The capabilities this host's processes cannot have (the daemon is taken to run here, as with a local socket). */
export async function hostMissingCapabilities(): Promise<string[]> {
  const [{ missingCapabilities }, status, lastCap] = await Promise.all([
    import("./executor/emulate-privileged.js"),
    readFile("/proc/self/status", "utf8").catch(() => ""),
    readFile("/proc/sys/kernel/cap_last_cap", "utf8").catch(() => "40"),
  ]);
  return missingCapabilities(status, Number(lastCap.trim()));
}

/**
 * Whether FF_NETWORK_PER_BUILD is named at all — in the job file, the runner config or the
 * CI/CD variables — read as plain text before the job is parsed. Only a head start: the plan
 * decides; a network made for a job that turns out not to want it is removed with the run.
 */
async function mentionsPerBuild(cwd: string, files: (string | undefined)[], cicd: Record<string, string> | undefined): Promise<boolean> {
  if (cicd && "FF_NETWORK_PER_BUILD" in cicd) return true;
  const texts = await Promise.all(
    files.map((f) => (f === undefined ? "" : readFile(isAbsolute(f) ? f : join(cwd, f), "utf8").catch(() => ""))),
  );
  return texts.some((t) => t.includes("FF_NETWORK_PER_BUILD"));
}

async function smokeTraced(ctx: CliContext, opts: SmokeCliOptions, trace: Trace, actionAt: number | undefined): Promise<void> {
  if (actionAt !== undefined) trace(`cli parsed (at ${actionAt.toFixed(1)} ms), smoke modules loaded`);
  const flags = runFlags(opts);
  const runId = newRunId(ctx.env);
  if (opts.reap) return reapOnly(ctx, opts.json);
  // Read (and their masked values made secrets) before anything is printed or started.
  const cicdVariables = await loadCicdVariables({ envFile: opts.envFile, variables: opts.variable, cwd: ctx.cwd, env: ctx.env, secrets: ctx.secrets });

  // The ping that names the address on failure runs while the job (YAML parser and all) is
  // loaded and read. Whether the job gets a network of its own is known only once the job's
  // variables are (FF_NETWORK_PER_BUILD): the run makes it then.
  const conn = await connectEngine(ctx.env);
  trace("docker client ready");
  const pinging = pingDocker({ docker: conn.engine, address: conn.address }).then(() => trace("ping answered"));
  pinging.catch(() => undefined);
  const start = new RunStart(conn.engine, runId, ctx.signal);
  // A job that may want a network of its own gets it made while the job is loaded and parsed.
  const headStart = (file: string | undefined) =>
    void mentionsPerBuild(ctx.cwd, [file, opts.runnerConfig], cicdVariables).then((yes) => {
      if (yes) void start.network().then(() => trace("network created"), () => undefined);
    });
  // --job names the file at once: its head start comes before the job modules load.
  if (opts.job) headStart(splitJobRef(opts.job).file);
  let result: SmokeResult;
  try {
    const [{ projectVariant, variantSmokeRef }, { runSmokeJob }] = await Promise.all([import("./job/load.js"), import("./run.js")]);
    // The project (when there is one) gives the job and the runner settings unless both are given.
    const project = opts.job && opts.runnerConfig ? undefined : await projectVariant(ctx.cwd, opts.config ?? "runner-kit.yaml", opts.image);
    // --job, else the project's smoke: setting for this image, else the built-in runner job.
    const ref = opts.job ? splitJobRef(opts.job) : variantSmokeRef(project?.variant);
    if (!opts.job) headStart(ref?.file);
    const job = await loadJob(ref, ctx.cwd);
    trace("job read");
    const runnerDefaults = await runnerDefaultsFor(ctx, opts, project);
    const projectDir = opts.projectDir ? (isAbsolute(opts.projectDir) ? opts.projectDir : join(ctx.cwd, opts.projectDir)) : ctx.cwd;

    await pinging;
    result = await runSmokeJob(
      {
        job, runId, projectDir, env: ctx.env, color: jobLogColor(ctx, opts.progress), ...flags,
        ...(opts.image !== undefined ? { image: opts.image } : {}),
        ...(runnerDefaults ? { runnerDefaults } : {}),
        ...(cicdVariables ? { cicdVariables } : {}),
        ...(opts.emulatePrivileged ? { emulatePrivileged: { missingCapabilities: await hostMissingCapabilities() } } : {}),
        strictServices: opts.strictServices === true,
      },
      smokeDeps({
        docker: conn.engine,
        out: (text) => ctx.stderr.write(ctx.secrets.redact(text)),
        env: ctx.env,
        secrets: ctx.secrets,
        warn: (m) => say(ctx, `WARNING: ${m}`),
        signal: ctx.signal,
        trace,
      }),
      start,
    );
  } catch (error) {
    // A job that could not be read (or a run that stopped early) leaves no network behind.
    await start.resources.removeAll();
    throw error;
  }
  await report(ctx, opts, result);
}

/** The JUnit file, the summary (or JSON) on stdout, and exit 1 when the job failed. */
async function report(ctx: CliContext, opts: SmokeCliOptions, result: SmokeResult): Promise<void> {
  if (opts.junit) {
    const { writeFileAtomic } = await import("../common/atomic-write.js");
    await writeFileAtomic(isAbsolute(opts.junit) ? opts.junit : join(ctx.cwd, opts.junit), junitReport(result, (t) => ctx.secrets.redact(t)));
  }
  if (opts.json) printJson(ctx, jsonDocument(result));
  else print(ctx, summaryLines(result).join("\n"));
  if (result.result === "failed") {
    throw failure(`smoke job "${result.job}" failed with image ${result.image}: ${result.reason ?? "failed"}`, {
      details: { exitCode: result.exitCode },
      hint: "the job log above shows what went wrong",
    });
  }
}
