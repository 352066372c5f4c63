/**
 * The typed model of a gitlab-runner `[runners.docker]` table: the keys smoke applies to the
 * job and service containers, checked for type as gitlab-runner's TOML decoder checks them.
 * Keys smoke reads elsewhere (image, services, wait_for_services_timeout) are left to
 * runner-config.ts; every other key smoke cannot honour becomes one warning, never silence.
 */
import { configError } from "../../common/errors.js";
import type { PullPolicy } from "./types.js";

export interface RunnerDocker {
  privileged?: boolean;
  /** Overrides `privileged` for services when set. */
  servicesPrivileged?: boolean;
  /** Glob patterns (empty: any image may be privileged). */
  allowedPrivilegedImages: string[];
  allowedPrivilegedServices: string[];
  /** As written: "/path", "name:/path[:mode]", "/host:/path[:mode]". */
  volumes: string[];
  disableCache?: boolean;
  extraHosts: string[];
  dns: string[];
  dnsSearch: string[];
  capAdd: string[];
  capDrop: string[];
  securityOpt: string[];
  servicesSecurityOpt: string[];
  user?: string;
  allowedUsers: string[];
  /** Bytes. */
  shmSize?: number;
  tmpfs: Record<string, string>;
  servicesTmpfs: Record<string, string>;
  /** Docker sizes as written ("512m"); cpus as written ("1.5"). */
  memory?: string;
  memorySwap?: string;
  memoryReservation?: string;
  cpus?: string;
  serviceMemory?: string;
  serviceMemorySwap?: string;
  serviceMemoryReservation?: string;
  serviceCpus?: string;
  pullPolicy?: PullPolicy[];
  allowedPullPolicies?: PullPolicy[];
  allowedImages: string[];
  allowedServices: string[];
  /** Negative or absent: no limit. */
  servicesLimit?: number;
  /** The job container's kernel and cgroup settings, as written ("PathOnHost[:PathInContainer[:perms]]" for devices). */
  devices: string[];
  /** Service image glob → devices, for the services whose image matches. */
  servicesDevices: Record<string, string[]>;
  deviceCgroupRules: string[];
  sysctls: Record<string, string>;
  /** Name → "soft[:hard]". */
  ulimit: Record<string, string>;
  groupAdd: string[];
  runtime?: string;
  pidMode?: string;
  /** The runner's key is `ipcmode`. */
  ipcMode?: string;
  usernsMode?: string;
  isolation?: string;
  oomKillDisable?: boolean;
  oomScoreAdjust?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  cpuShares?: number;
  serviceCpusetCpus?: string;
  serviceCpuShares?: number;
}

/** Keys read by runner-config.ts (image and services) or here. */
const READ_ELSEWHERE = ["image", "services", "wait_for_services_timeout", "network_mode"];

/** Keys whose only effect is outside the job's containers (the runner host's connection, its helper). */
const NO_EFFECT_HERE = ["tls_verify", "tls_cert_path"];

const POLICIES: PullPolicy[] = ["always", "if-not-present", "never"];

/** Why a key is not applied, where it is worth saying (appended to its warning). */
const NOT_APPLIED_WHY: Record<string, string> = {
  ipc_mode: " (gitlab-runner's key is ipcmode, without the underscore)",
  gpus: " (GPU requests need a GPU and its container runtime on the daemon; smoke does not request them)",
  service_gpus: " (GPU requests need a GPU and its container runtime on the daemon; smoke does not request them)",
  helper_image: " (smoke has no helper container: it copies the project in itself)",
  helper_image_flavor: " (smoke has no helper container: it copies the project in itself)",
};

type Table = Record<string, unknown>;

class Reader {
  readonly read = new Set<string>();
  constructor(private readonly table: Table, private readonly where: string) {}

  private take(key: string): unknown {
    this.read.add(key);
    return this.table[key];
  }

  private bad(key: string, what: string): never {
    throw configError(`[runners.docker] ${key} must be ${what}`, { where: this.where, hint: "write it as gitlab-runner's config.toml reference describes" });
  }

  bool(key: string): boolean | undefined {
    const v = this.take(key);
    if (v === undefined || typeof v === "boolean") return v;
    return this.bad(key, "true or false");
  }

  text(key: string): string | undefined {
    const v = this.take(key);
    if (v === undefined || typeof v === "string") return v === "" ? undefined : v;
    return this.bad(key, "a string");
  }

  int(key: string): number | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (typeof v === "number" && Number.isInteger(v)) return v;
    if (typeof v === "bigint") return Number(v);
    return this.bad(key, "a whole number");
  }

  list(key: string): string[] {
    const v = this.take(key);
    if (v === undefined) return [];
    if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v as string[];
    return this.bad(key, "an array of strings");
  }

  /** A table of string arrays (services_devices: image glob → devices). */
  listMap(key: string): Record<string, string[]> {
    const v = this.take(key);
    if (v === undefined) return {};
    const ok = typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((l) => Array.isArray(l) && l.every((s) => typeof s === "string"));
    if (ok) return v as Record<string, string[]>;
    return this.bad(key, 'a table of string arrays (e.g. { "my/service*" = ["/dev/fuse"] })');
  }

  map(key: string): Record<string, string> {
    const v = this.take(key);
    if (v === undefined) return {};
    if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((s) => typeof s === "string")) return v as Record<string, string>;
    return this.bad(key, 'a table of strings (e.g. { "/var/lib/mysql" = "rw,noexec" })');
  }

  policies(key: string, stringOrArray: boolean): PullPolicy[] | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    const list = typeof v === "string" && stringOrArray ? [v] : v;
    if (!Array.isArray(list) || list.length === 0) return this.bad(key, `${stringOrArray ? "a pull policy or " : ""}a non-empty array of pull policies`);
    for (const p of list) {
      // gitlab-runner's own words for a policy it does not know.
      if (!POLICIES.includes(p as PullPolicy)) throw configError(`unsupported ${key} config: "${String(p)}"`, { where: this.where, hint: `use ${POLICIES.join(", ")}` });
    }
    return list as PullPolicy[];
  }
}

export function parseRunnerDocker(table: Table, where: string): { docker: RunnerDocker; warnings: string[] } {
  const r = new Reader(table, where);
  const opt = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as { [P in K]: V }));
  const docker: RunnerDocker = {
    ...opt("privileged", r.bool("privileged")),
    ...opt("servicesPrivileged", r.bool("services_privileged")),
    allowedPrivilegedImages: r.list("allowed_privileged_images"),
    allowedPrivilegedServices: r.list("allowed_privileged_services"),
    volumes: r.list("volumes"),
    ...opt("disableCache", r.bool("disable_cache")),
    extraHosts: r.list("extra_hosts"),
    dns: r.list("dns"),
    dnsSearch: r.list("dns_search"),
    capAdd: r.list("cap_add"),
    capDrop: r.list("cap_drop"),
    securityOpt: r.list("security_opt"),
    servicesSecurityOpt: r.list("services_security_opt"),
    ...opt("user", r.text("user")),
    allowedUsers: r.list("allowed_users"),
    ...opt("shmSize", r.int("shm_size")),
    tmpfs: r.map("tmpfs"),
    servicesTmpfs: r.map("services_tmpfs"),
    ...opt("memory", r.text("memory")),
    ...opt("memorySwap", r.text("memory_swap")),
    ...opt("memoryReservation", r.text("memory_reservation")),
    ...opt("cpus", r.text("cpus")),
    ...opt("serviceMemory", r.text("service_memory")),
    ...opt("serviceMemorySwap", r.text("service_memory_swap")),
    ...opt("serviceMemoryReservation", r.text("service_memory_reservation")),
    ...opt("serviceCpus", r.text("service_cpus")),
    ...opt("pullPolicy", r.policies("pull_policy", true)),
    ...opt("allowedPullPolicies", r.policies("allowed_pull_policies", false)),
    allowedImages: r.list("allowed_images"),
    allowedServices: r.list("allowed_services"),
    ...opt("servicesLimit", r.int("services_limit")),
    devices: r.list("devices"),
    servicesDevices: r.listMap("services_devices"),
    deviceCgroupRules: r.list("device_cgroup_rules"),
    sysctls: r.map("sysctls"),
    ulimit: r.map("ulimit"),
    groupAdd: r.list("group_add"),
    ...opt("runtime", r.text("runtime")),
    ...opt("pidMode", r.text("pid_mode")),
    ...opt("ipcMode", r.text("ipcmode")),
    ...opt("usernsMode", r.text("userns_mode")),
    ...opt("isolation", r.text("isolation")),
    ...opt("oomKillDisable", r.bool("oom_kill_disable")),
    ...opt("oomScoreAdjust", r.int("oom_score_adjust")),
    ...opt("cpusetCpus", r.text("cpuset_cpus")),
    ...opt("cpusetMems", r.text("cpuset_mems")),
    ...opt("cpuShares", r.int("cpu_shares")),
    ...opt("serviceCpusetCpus", r.text("service_cpuset_cpus")),
    ...opt("serviceCpuShares", r.int("service_cpu_shares")),
  };
  const ignored = Object.keys(table).filter((k) => !r.read.has(k) && !READ_ELSEWHERE.includes(k) && !NO_EFFECT_HERE.includes(k));
  const warnings = ignored.map((k) => `${where}: [runners.docker] ${k} is not applied by smoke; the job runs as if it were not set${NOT_APPLIED_WHY[k] ?? ""}`);
  return { docker, warnings };
}
