/**
 * The runner config's kernel, cgroup and runtime keys as container create options, where
 * GitLab Runner's Docker executor puts them (executors/docker/docker.go createHostConfig,
 * createHostConfigForService):
 *   - the job container: devices, device_cgroup_rules, sysctls, ulimit, group_add, runtime,
 *     pid_mode, ipcmode, userns_mode, isolation, oom_kill_disable, oom_score_adjust,
 *     cpuset_cpus, cpuset_mems, cpu_shares;
 *   - each service: the devices of every services_devices entry whose image glob matches its
 *     image, service_cpuset_cpus, service_cpu_shares, and the shared runtime, userns_mode and
 *     isolation — never sysctls, ulimits, group_add, the pid or IPC mode, or the OOM settings.
 * Values are passed on as written, as the runner does; the daemon judges them (a refusal
 * names the runner config). Pure.
 */
import { configError } from "../../common/errors.js";
import type { HostConfig } from "../../engine/engine-api.js";
import type { RunnerDocker } from "../job/runner-docker.js";
import { splitNameAndVersion } from "./aliases.js";
import { globMatch } from "./runner-policy.js";

type Device = NonNullable<HostConfig["Devices"]>[number];

/** "PathOnHost[:PathInContainer[:CgroupPermissions]]", the container path defaulting to the host's and the permissions to rwm (as `docker run --device`). */
export function parseDevice(text: string, key: string, where?: string): Device {
  const parts = text.split(":");
  if (parts.length > 3) {
    throw configError(`[runners.docker] ${key}: failed to parse device string "${text}": too many colons`, { where, hint: 'write "/dev/host[:/dev/container[:rwm]]"' });
  }
  const [host = "", inContainer, perms] = parts;
  return { PathOnHost: host, PathInContainer: inContainer ?? host, CgroupPermissions: perms ?? "rwm" };
}

/** `ulimit` entries ("soft[:hard]", hard defaulting to soft), in the table's order. */
export function parseUlimits(table: Record<string, string>, where?: string): NonNullable<HostConfig["Ulimits"]> {
  return Object.entries(table).map(([name, text]) => {
    const [soft = "", hard] = text.split(/:(.*)/s);
    const number = (value: string) => {
      if (!/^[+-]?\d+$/.test(value.trim())) throw configError(`[runners.docker] ulimit ${name} = "${text}": invalid soft limit value`, { where, hint: 'write "soft" or "soft:hard" as whole numbers, e.g. nofile = "1024:2048"' });
      return Number(value.trim());
    };
    const s = number(soft);
    return { Name: name, Soft: s, Hard: hard === undefined ? s : number(hard) };
  });
}

const ISOLATIONS = ["", "default", "process", "hyperv"];

function isolation(d: RunnerDocker, where: string | undefined): HostConfig {
  if (d.isolation === undefined) return {};
  if (!ISOLATIONS.includes(d.isolation.toLowerCase())) {
    throw configError(`[runners.docker] the isolation value "${d.isolation}" is not valid. the valid values are: 'process', 'hyperv', 'default' and an empty string`, { where });
  }
  return { Isolation: d.isolation };
}

const text = <K extends keyof HostConfig>(key: K, value: string | undefined) => (value === undefined ? {} : ({ [key]: value } as Pick<HostConfig, K>));
const number = <K extends keyof HostConfig>(key: K, value: number | undefined) => (value === undefined || value === 0 ? {} : ({ [key]: value } as Pick<HostConfig, K>));
const list = <K extends keyof HostConfig>(key: K, values: unknown[]) => (values.length > 0 ? ({ [key]: values } as Pick<HostConfig, K>) : {});

/** What the job container and the services share: the runtime, the user namespace mode and the isolation. */
function shared(d: RunnerDocker, where: string | undefined): HostConfig {
  return { ...text("Runtime", d.runtime), ...text("UsernsMode", d.usernsMode), ...isolation(d, where) };
}

/** `where`: the runner config, for messages. */
export function jobKernelOptions(d: RunnerDocker, where?: string): HostConfig {
  return {
    ...shared(d, where),
    ...list("Devices", d.devices.map((t) => parseDevice(t, "devices", where))),
    ...list("DeviceCgroupRules", d.deviceCgroupRules),
    ...(Object.keys(d.sysctls).length > 0 ? { Sysctls: d.sysctls } : {}),
    ...list("Ulimits", parseUlimits(d.ulimit, where)),
    ...list("GroupAdd", d.groupAdd),
    ...text("PidMode", d.pidMode),
    ...text("IpcMode", d.ipcMode),
    ...(d.oomKillDisable ? { OomKillDisable: true } : {}),
    ...number("OomScoreAdj", d.oomScoreAdjust),
    ...text("CpusetCpus", d.cpusetCpus),
    ...text("CpusetMems", d.cpusetMems),
    ...number("CpuShares", d.cpuShares),
  };
}

/** `name`: the service's image as the job wrote it; services_devices globs match its pull name (":latest" added when it has no tag). */
export function serviceKernelOptions(d: RunnerDocker, name: string, where?: string): HostConfig {
  const image = splitNameAndVersion(name).imageName;
  const devices = Object.entries(d.servicesDevices)
    .filter(([glob]) => globMatch(glob, image))
    .flatMap(([, entries]) => entries.map((t) => parseDevice(t, "services_devices", where)));
  return {
    ...shared(d, where),
    ...list("Devices", devices),
    ...text("CpusetCpus", d.serviceCpusetCpus),
    ...number("CpuShares", d.serviceCpuShares),
  };
}
