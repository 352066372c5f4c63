/**
 * The runner config's [runners.docker] settings as container create options, exactly where
 * GitLab Runner's Docker executor puts them (executors/docker/docker.go createHostConfig and
 * createHostConfigForService):
 *   - the job container: privileged (if the image is in allowed_privileged_images), cap_add,
 *     cap_drop, security_opt, dns, dns_search, extra_hosts, shm_size, tmpfs, memory,
 *     memory_swap, memory_reservation, cpus, the volumes, and the kernel and cgroup keys
 *     (kernel-options.ts);
 *   - each service: services_privileged (else privileged; if in allowed_privileged_services),
 *     services_security_opt, dns, dns_search, extra_hosts, shm_size, services_tmpfs,
 *     service_memory*, service_cpus, the same volumes and their own kernel keys — never
 *     cap_add or cap_drop.
 * Pure: runner settings in, create options out.
 */
import { configError } from "../../common/errors.js";
import type { HostConfig } from "../../engine/engine-api.js";
import type { RunnerDocker } from "../job/runner-docker.js";
import { jobKernelOptions, serviceKernelOptions } from "./kernel-options.js";
import { globMatch } from "./runner-policy.js";

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** Docker's RAMInBytes ("512m", "1g", "1.5GiB", "4194304"), as gitlab-runner reads memory sizes. */
export function sizeInBytes(text: string, key: string): number {
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i.exec(text.trim());
  if (!m) throw configError(`[runners.docker] ${key} = "${text}" is not a size`, { hint: "write a number of bytes with an optional unit: b, k, m or g (e.g. 512m)" });
  return Math.floor(Number(m[1]) * (UNITS[(m[2] ?? "").toLowerCase()] ?? 1));
}

/** cpus = "1.5" → 1.5e9 NanoCPUs, as `docker run --cpus`. */
export function nanoCpus(text: string, key: string): number {
  const n = Number(text.trim());
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(n)) throw configError(`[runners.docker] ${key} = "${text}" is not a number of CPUs`, { hint: 'write a decimal number, e.g. "1.5"' });
  return Math.round(n * 1e9);
}

interface Limits {
  memory?: string;
  memorySwap?: string;
  memoryReservation?: string;
  cpus?: string;
}

function limits(l: Limits, prefix: string): HostConfig {
  return {
    ...(l.memory ? { Memory: sizeInBytes(l.memory, `${prefix}memory`) } : {}),
    ...(l.memorySwap ? { MemorySwap: l.memorySwap.trim() === "-1" ? -1 : sizeInBytes(l.memorySwap, `${prefix}memory_swap`) } : {}),
    ...(l.memoryReservation ? { MemoryReservation: sizeInBytes(l.memoryReservation, `${prefix}memory_reservation`) } : {}),
    ...(l.cpus ? { NanoCpus: nanoCpus(l.cpus, `${prefix}cpus`) } : {}),
  };
}

const list = <K extends string>(key: K, values: string[]) => (values.length > 0 ? ({ [key]: values } as { [P in K]: string[] }) : {});
const table = <K extends string>(key: K, values: Record<string, string>) => (Object.keys(values).length > 0 ? ({ [key]: values } as { [P in K]: Record<string, string> }) : {});

/** What the job and every service share: DNS, extra hosts, shared memory and the volumes. */
function shared(d: RunnerDocker, binds: string[]): HostConfig {
  return {
    ...list("Dns", d.dns),
    ...list("DnsSearch", d.dnsSearch),
    ...list("ExtraHosts", d.extraHosts),
    ...(d.shmSize ? { ShmSize: d.shmSize } : {}),
    ...list("Binds", binds),
  };
}

/** The job container's host settings for the job image `image`. */
export function jobHostConfig(d: RunnerDocker, binds: string[], image: string, where?: string): HostConfig {
  const privileged = d.privileged === true && isAllowed(image, d.allowedPrivilegedImages);
  return {
    ...shared(d, binds),
    ...(privileged ? { Privileged: true } : {}),
    ...list("CapAdd", d.capAdd),
    ...list("CapDrop", d.capDrop),
    ...list("SecurityOpt", d.securityOpt),
    ...table("Tmpfs", d.tmpfs),
    ...limits({ memory: d.memory, memorySwap: d.memorySwap, memoryReservation: d.memoryReservation, cpus: d.cpus }, ""),
    ...jobKernelOptions(d, where),
  };
}

/** A service container's host settings; `name` is the service's image as the job wrote it. */
export function serviceHostConfig(d: RunnerDocker, binds: string[], name: string, where?: string): HostConfig {
  const privileged = (d.servicesPrivileged ?? d.privileged) === true && isAllowed(name, d.allowedPrivilegedServices);
  return {
    ...shared(d, binds),
    ...(privileged ? { Privileged: true } : {}),
    ...list("SecurityOpt", d.servicesSecurityOpt),
    ...table("Tmpfs", d.servicesTmpfs),
    ...limits({ memory: d.serviceMemory, memorySwap: d.serviceMemorySwap, memoryReservation: d.serviceMemoryReservation, cpus: d.serviceCpus }, "service_"),
    ...serviceKernelOptions(d, name, where),
  };
}

/** An empty allowlist allows every image. */
function isAllowed(image: string, patterns: string[]): boolean {
  return patterns.length === 0 || patterns.some((p) => globMatch(p, image));
}
