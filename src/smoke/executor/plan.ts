/**
 * The job's plan, before anything touches Docker: which image it runs in, with which
 * variables, which services under which host names, and its time limits. Pure: job and
 * options in, plain data out; the only error is a job without an image.
 */
import { configError } from "../../common/errors.js";
import { parsePlatform, type Platform } from "../../reference/platform.js";
import type { ImageSpec, PullPolicy, ServiceSpec, SmokeJob } from "../job/parse.js";
import type { RunnerDefaults } from "../job/runner-config.js";
import { expandValue, resolveVariables, type VariableMap } from "../job/variables.js";
import type { HostConfig } from "../../engine/engine-api.js";
import { assignAliases } from "./aliases.js";
import { chooseJobNetwork, featureFlagOn, NETWORK_PER_BUILD, type JobNetwork } from "./network-mode.js";
import type { GitHead } from "./git-head.js";
import { planRunnerSettings } from "./plan-runner.js";
import { predefinedVariables } from "./predefined.js";
import { BUILDS_DIR, type ProjectModes } from "./project.js";

const DEFAULT_TIMEOUT = 3600;
const DEFAULT_AFTER_SCRIPT_TIMEOUT = 300;
const DEFAULT_SERVICES_TIMEOUT = 30;

export interface PlanInput {
  job: SmokeJob;
  /** --image: replaces the job image's name (entrypoint and pull_policy are kept). */
  image?: string;
  /** --platform: replaces the job image's docker: platform. */
  platform?: string;
  runnerDefaults?: RunnerDefaults;
  /** Seconds; default: the job's timeout:, else 3600. */
  timeoutSeconds?: number;
  /** Seconds; default 300. */
  afterScriptTimeoutSeconds?: number;
  /** Seconds; default: the runner config's, else 30; 0 → 30; negative → no readiness check. */
  servicesTimeoutSeconds?: number;
  /** When the job sets none; default ["if-not-present"]. */
  pullPolicy?: PullPolicy[];
  /**
   * CI/CD variables given to the run (--env-file, then --variable): above the
   * `.gitlab-ci.yml` variables, as project settings are in GitLab.
   */
  cicdVariables?: VariableMap;
  /** "<namespace>/<project>" (see projectPath). */
  projectPath: string;
  /** The name a per-build network gets (FF_NETWORK_PER_BUILD). */
  networkName: string;
  /** CI_JOB_ID. */
  jobId: string;
  /** The job container's host name. */
  hostname: string;
  /** The project's checked-out commit (git-head.ts), for the CI_COMMIT_* variables. */
  head?: GitHead;
  /** When the job started. */
  startedAt?: Date;
  /** The job file relative to the project (CI_CONFIG_PATH). */
  configPath?: string;
  /** Names a volume this run creates for a runner config's "/path" volume. */
  nameVolume?: (target: string) => string;
}

export interface PlannedService {
  /** Position among the job's services (runner defaults first), as in the result. */
  index: number;
  /** Name and alias expanded against the job's variables. */
  spec: ServiceSpec;
  /** Host names on the job network; empty → the service is not started. */
  aliases: string[];
  pullPolicy: PullPolicy[];
  /** The runner config's settings for this service's container. */
  hostConfig: HostConfig;
}

export interface JobPlan {
  /** The job image after runner defaults, with --image as its name (not expanded). */
  image: ImageSpec;
  /** The image name expanded against the job's variables: what is pulled and run. */
  imageRef: string;
  /** `image: docker: platform`, expanded and parsed: what the job image is pulled and run for. */
  platform?: Platform;
  pullPolicy: PullPolicy[];
  /** The job's variables after expansion, predefined CI_* ones included. */
  variables: VariableMap;
  services: PlannedService[];
  /** What GitLab Runner warns about the services' host names. */
  aliasWarnings: string[];
  /** /builds/<namespace>/<project>: the project's copy and the working directory. */
  buildDir: string;
  hostname: string;
  /** Where job and services meet: the default bridge, a per-build network or network_mode. */
  network: JobNetwork;
  timeoutSeconds: number;
  afterScriptTimeoutSeconds: number;
  /** How long the job shell waits for each service; undefined → services are not checked. */
  servicesWaitSeconds?: number;
  /** The project's file modes under /builds (FF_DISABLE_UMASK_FOR_DOCKER_EXECUTOR keeps the disk's). */
  projectModes: ProjectModes;
  /** The job container's user: the runner's `user`, else the image's `docker: user`. */
  user?: string;
  /** The runner config's settings for the job container. */
  jobHostConfig: HostConfig;
  /** Where the runner settings came from (for messages), when there are any. */
  runnerSource?: string;
  /** Volumes the run creates (and removes) for the runner config's "/path" volumes. */
  volumes: { name: string; target: string }[];
}

export function planJob(input: PlanInput): JobPlan {
  const { job } = input;
  const image: ImageSpec = {
    ...(input.runnerDefaults?.image ?? {}),
    ...(job.image ?? {}),
    name: input.image ?? job.image?.name ?? input.runnerDefaults?.image?.name ?? "",
    ...(input.platform ? { platform: input.platform } : {}),
  };
  if (image.name === "") {
    throw configError(`job "${job.name}" has no image`, { where: job.file, hint: "pass --image REF, or set image: in the job or default:" });
  }
  const timeoutSeconds = input.timeoutSeconds ?? job.timeoutSeconds ?? DEFAULT_TIMEOUT;
  const buildDir = `${BUILDS_DIR}/${input.projectPath}`;
  const predefined = predefinedVariables({
    job, image: image.name, projectPath: input.projectPath, projectDir: buildDir, timeoutSeconds,
    jobId: input.jobId, hostname: input.hostname,
    ...(input.head ? { head: input.head } : {}),
    ...(input.startedAt ? { startedAt: input.startedAt } : {}),
    ...(input.configPath !== undefined ? { configPath: input.configPath } : {}),
  });
  // GitLab Runner's order, later wins: runner environment, predefined, the job's, CI/CD variables.
  const raw = { ...input.runnerDefaults?.environment, ...predefined, ...job.variables, ...input.cicdVariables };
  const variables = resolveVariables(raw, new Set(job.noExpand.filter((n) => !(n in (input.cicdVariables ?? {})))));
  const runnerFlags = input.runnerDefaults?.featureFlags;
  const network = chooseJobNetwork({
    networkMode: input.runnerDefaults?.networkMode,
    perBuild: featureFlagOn(NETWORK_PER_BUILD, variables, runnerFlags),
    perBuildName: input.networkName,
  });
  // Set after the job's variables, so none can override it; only a per-build network has it.
  if (network.kind === "per-build") variables.CI_BUILD_NETWORK_NAME = network.name;
  const expand = (text: string) => expandValue(text, (n) => variables[n]);
  const imageRef = expand(image.name);
  variables.CI_JOB_IMAGE = imageRef;
  const platformText = image.platform !== undefined ? expand(image.platform) : "";
  const platform = platformText !== "" ? parsePlatform(platformText, { where: job.file }) : undefined;
  const tagged = [...(input.runnerDefaults?.services ?? []).map((spec) => ({ spec, fromJob: false })), ...job.services.map((spec) => ({ spec, fromJob: true }))]
    .map(({ spec: s, fromJob }) => ({ fromJob, spec: { ...s, name: expand(s.name), ...(s.alias !== undefined ? { alias: expand(s.alias) } : {}) } }))
    // GitLab Runner starts no service whose name expands to nothing (name: $UNDEFINED).
    .filter(({ spec }) => spec.name !== "");
  const specs = tagged.map((t) => t.spec);
  const { aliases, warnings } = assignAliases(specs);
  const jobImage = job.image?.name ?? input.runnerDefaults?.image?.name;
  const settings = planRunnerSettings({
    ...(input.runnerDefaults ? { runner: input.runnerDefaults } : {}),
    where: input.runnerDefaults?.source ?? "",
    imageRef,
    ...(jobImage !== undefined ? { jobImage: expand(jobImage) } : {}),
    ...(image.user !== undefined ? { imageUser: image.user } : {}),
    ...(image.pullPolicy ? { imagePolicy: image.pullPolicy } : {}),
    services: tagged.map(({ spec: s, fromJob }) => ({ name: s.name, ...(s.pullPolicy ? { pullPolicy: s.pullPolicy } : {}), fromJob })),
    ...(input.pullPolicy ? { cliPolicy: input.pullPolicy } : {}),
    underTest: input.image !== undefined,
    nameVolume: input.nameVolume ?? ((target) => `rk-smoke-${input.jobId}${target.replace(/[^a-zA-Z0-9_.-]+/g, "-")}`),
  });
  const servicesTimeout = input.servicesTimeoutSeconds ?? input.runnerDefaults?.waitForServicesTimeout ?? DEFAULT_SERVICES_TIMEOUT;
  return {
    image,
    imageRef,
    ...(platform ? { platform } : {}),
    pullPolicy: settings.pullPolicy,
    variables,
    services: specs.map((spec, index) => ({
      index, spec, aliases: aliases[index] ?? [], pullPolicy: settings.servicePolicies[index] ?? [], hostConfig: settings.serviceHostConfigs[index] ?? {},
    })),
    aliasWarnings: warnings,
    buildDir,
    hostname: input.hostname,
    network,
    timeoutSeconds,
    afterScriptTimeoutSeconds: input.afterScriptTimeoutSeconds ?? DEFAULT_AFTER_SCRIPT_TIMEOUT,
    projectModes: featureFlagOn("FF_DISABLE_UMASK_FOR_DOCKER_EXECUTOR", variables, runnerFlags) ? "as-on-disk" : "umask-0000",
    ...(settings.user ? { user: settings.user } : {}),
    jobHostConfig: settings.jobHostConfig,
    volumes: settings.volumes,
    ...(input.runnerDefaults ? { runnerSource: input.runnerDefaults.source } : {}),
    ...(servicesTimeout >= 0 ? { servicesWaitSeconds: servicesTimeout === 0 ? DEFAULT_SERVICES_TIMEOUT : servicesTimeout } : {}),
  };
}
