/**
 * The runner config's part of a job's plan: what it refuses (runner-policy.ts), the pull
 * policies it leaves, the job's user, the volumes and the container settings of the job
 * and of each service (container-options.ts). Without a runner config smoke keeps its own
 * defaults: nothing refused, `--pull-policy` (default if-not-present) where the job sets none.
 */
import type { HostConfig } from "../../engine/engine-api.js";
import type { PullPolicy } from "../job/types.js";
import type { RunnerDefaults } from "../job/runner-config.js";
import type { RunnerDocker } from "../job/runner-docker.js";
import { jobHostConfig, serviceHostConfig } from "./container-options.js";
import { checkAllowedImage, checkServicesLimit, effectivePullPolicies, jobUser } from "./runner-policy.js";
import { planVolumes } from "./volumes.js";

export interface RunnerSettingsInput {
  runner?: RunnerDefaults;
  /** The runner config, for messages. */
  where: string;
  /** What the job runs in (after --image), expanded. */
  imageRef: string;
  /** The job's own image name, expanded (undefined: the job names none): what allowed_images judges. */
  jobImage?: string;
  imageUser?: string;
  imagePolicy?: PullPolicy[];
  /** Every service, the runner's first, names expanded; `fromJob` marks the job's own. */
  services: { name: string; pullPolicy?: PullPolicy[]; fromJob: boolean }[];
  /** --pull-policy, when given. */
  cliPolicy?: PullPolicy[];
  /** The image under test (--image, or what build --smoke just built): used from the daemon when there, as it may not be pushed yet. */
  underTest: boolean;
  nameVolume: (target: string) => string;
}

export interface RunnerSettings {
  pullPolicy: PullPolicy[];
  servicePolicies: PullPolicy[][];
  user?: string;
  jobHostConfig: HostConfig;
  serviceHostConfigs: HostConfig[];
  /** Volumes the run creates before the containers. */
  volumes: { name: string; target: string }[];
}

const SMOKE_DEFAULT_POLICY: PullPolicy[] = ["if-not-present"];

export function planRunnerSettings(input: RunnerSettingsInput): RunnerSettings {
  const { runner, where } = input;
  if (!runner) {
    const fallback = input.cliPolicy ?? SMOKE_DEFAULT_POLICY;
    return {
      pullPolicy: input.imagePolicy ?? fallback,
      servicePolicies: input.services.map((s) => s.pullPolicy ?? fallback),
      ...(input.imageUser ? { user: input.imageUser } : {}),
      jobHostConfig: {},
      serviceHostConfigs: input.services.map(() => ({})),
      volumes: [],
    };
  }
  const d = runner.docker;
  if (input.jobImage !== undefined) checkAllowedImage(input.jobImage, "images", d.allowedImages, runner.image ? [runner.image.name] : [], where);
  const internalServices = input.services.filter((s) => !s.fromJob).map((s) => s.name);
  for (const s of input.services) if (s.fromJob) checkAllowedImage(s.name, "services", d.allowedServices, internalServices, where);
  checkServicesLimit(input.services.length, d, where);
  const policyFor = (image: string, own: PullPolicy[] | undefined) => pullPolicies(image, own, input.cliPolicy, d, where);
  let pullPolicy = policyFor(input.imageRef, input.imagePolicy);
  if (input.underTest) pullPolicy = [...new Set(pullPolicy.map((p): PullPolicy => (p === "always" ? "if-not-present" : p)))];
  const user = jobUser(input.imageUser, d, where);
  const volumes = planVolumes(d.volumes, input.nameVolume, where);
  return {
    pullPolicy,
    servicePolicies: input.services.map((s) => policyFor(s.name, s.pullPolicy)),
    ...(user ? { user } : {}),
    jobHostConfig: jobHostConfig(d, volumes.binds, input.imageRef, where),
    serviceHostConfigs: input.services.map((s) => serviceHostConfig(d, volumes.binds, s.name, where)),
    volumes: volumes.create,
  };
}

/**
 * The job's (or service's) own policy, else --pull-policy, else the config's pull_policy,
 * else the runner's default ["always"], each limited to what the runner allows. Only when
 * neither the job, the flag nor the config asks for any does smoke keep its own default
 * (if-not-present, so local images stay usable), as nothing is there to refuse.
 */
function pullPolicies(image: string, own: PullPolicy[] | undefined, cli: PullPolicy[] | undefined, d: RunnerDocker, where: string): PullPolicy[] {
  if (own) return effectivePullPolicies(image, { policies: own, source: "GitLab pipeline config" }, d, where);
  if (cli) return effectivePullPolicies(image, { policies: cli, source: "--pull-policy" }, d, where);
  if (d.pullPolicy) return effectivePullPolicies(image, { policies: d.pullPolicy, source: "Runner config" }, d, where);
  if (d.allowedPullPolicies) return effectivePullPolicies(image, { policies: ["always"], source: "Runner config (default)" }, d, where);
  return SMOKE_DEFAULT_POLICY;
}
