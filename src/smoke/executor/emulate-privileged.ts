/**
 * `--emulate-privileged`: for hosts that refuse privileged containers (a daemon whose
 * capability bounding set lacks some capability, as in some VMs), every container the runner
 * config makes privileged gets the nearest thing the host allows instead: every capability
 * the host has (cap_add ALL, cap_drop what it lacks), seccomp and AppArmor off, /proc unmasked
 * (the CLI's systempaths=unconfined), and the cgroup tree writable. Enough for docker:dind; not what the fleet sends,
 * so the job log says so. Pure: the missing capabilities are read by the caller.
 */
import type { HostConfig } from "../../engine/engine-api.js";

const CAPABILITIES = [
  "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE",
  "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT",
  "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE",
  "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
  "PERFMON", "BPF", "CHECKPOINT_RESTORE",
];

/** The capabilities the kernel knows (cap_last_cap) that a process's bounding set (/proc/self/status CapBnd) lacks. */
export function missingCapabilities(procStatus: string, lastCap: number): string[] {
  const hex = /^CapBnd:\s*([0-9a-f]+)$/im.exec(procStatus)?.[1];
  if (hex === undefined) return [];
  const bounding = BigInt(`0x${hex}`);
  return CAPABILITIES.slice(0, Math.min(lastCap, CAPABILITIES.length - 1) + 1).filter((_, bit) => (bounding & (1n << BigInt(bit))) === 0n);
}

const UNCONFINED = ["seccomp=unconfined", "apparmor=unconfined"];
const CGROUPS = "/sys/fs/cgroup:/sys/fs/cgroup:rw";

/** A privileged container's settings made unprivileged-but-equivalent; any other container's unchanged. */
export function emulatePrivileged(host: HostConfig, missing: string[]): HostConfig {
  if (!host.Privileged) return host;
  const { Privileged: _privileged, ...rest } = host;
  const binds = host.Binds ?? [];
  return {
    ...rest,
    CapAdd: ["ALL"],
    ...(missing.length > 0 ? { CapDrop: missing } : {}),
    SecurityOpt: [...new Set([...(host.SecurityOpt ?? []), ...UNCONFINED])],
    // The Docker CLI's systempaths=unconfined: nothing masked or read-only under /proc.
    MaskedPaths: [],
    ReadonlyPaths: [],
    Binds: binds.some((b) => b.split(":")[1] === "/sys/fs/cgroup") ? binds : [...binds, CGROUPS],
  };
}
