/**
 * Reaping what killed runs left behind — containers, networks and volumes labelled as
 * smoke's. A smoke resource is abandoned when
 *  - it was made on this host (host label) by a process that no longer exists (pid label), or
 *  - it is older than the age limit (default 24 h) — the only safe rule for resources that
 *    other hosts made on a shared or remote daemon.
 * The current run's resources are never reaped (its pid is alive; its instance is kept).
 */
import type { EngineApi } from "../../engine/engine-api.js";
import { MANAGED_LABEL, PID_LABEL, RUN_LABEL } from "../../engine/labels.js";
import { COMPONENT, COMPONENT_LABEL, HOST_LABEL, INSTANCE_LABEL } from "./resources.js";

export const DEFAULT_REAP_AGE_MS = 24 * 60 * 60 * 1000;

export interface ReapPolicy {
  host: string;
  /** Smoke instances never to touch (the current one). */
  keepInstances: string[];
  maxAgeMs: number;
  now: number;
  /** Does a process with this pid exist on this host? */
  isAlive: (pid: number) => boolean;
}

/** Pure decision: may a resource with these labels, created at `createdMs`, be removed? */
export function isAbandoned(labels: Record<string, string>, createdMs: number, policy: ReapPolicy): boolean {
  if (labels[COMPONENT_LABEL] !== COMPONENT) return false;
  const instance = labels[INSTANCE_LABEL];
  if (instance !== undefined && policy.keepInstances.includes(instance)) return false;
  if (policy.now - createdMs > policy.maxAgeMs) return true;
  if (labels[HOST_LABEL] !== policy.host) return false;
  const pid = Number(labels[PID_LABEL]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  return !policy.isAlive(pid);
}

export { processIsAlive } from "../../common/process-alive.js";

export interface ReapResult {
  containers: number;
  networks: number;
  volumes: number;
  runs: string[];
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Remove a container another reaper may be removing at the same moment (409 "removal in
 * progress"): then wait until it is gone, so "reaped" means gone when this resolves.
 */
async function removeContainer(docker: EngineApi, id: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      await docker.getContainer(id).remove({ force: true, v: true });
      return;
    } catch (error) {
      if (statusOf(error) === 404) return;
      if (attempt >= 3 && statusOf(error) !== 409) throw error;
    }
    await sleep(100);
  }
}

/**
 * Networks and volumes: retried while containers being removed elsewhere still hold them
 * (a network's endpoints: 403/409; a volume in use: 409). False when it was already gone.
 */
async function removeHeld(remove: () => Promise<unknown>): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    try {
      await remove();
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      if (attempt >= 3 && statusOf(error) !== 409 && statusOf(error) !== 403) throw error;
    }
    await sleep(100);
  }
  return false;
}

/** What a resource of a killed run is, for the reaper: its labels and when it was made. */
interface Found {
  labels: Record<string, string>;
  createdMs: number;
}

export async function reapAbandoned(docker: EngineApi, policy: ReapPolicy): Promise<ReapResult> {
  // runner-kit's own smoke label only: volumes of other tools (or runner-kit's other commands) are never looked at.
  const filters = { label: [`${MANAGED_LABEL}=true`, `${COMPONENT_LABEL}=${COMPONENT}`] };
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }).then((v) => v.Volumes ?? []),
  ]);
  const dead = <T>(items: T[], found: (item: T) => Found) => items.filter((item) => {
    const f = found(item);
    return isAbandoned(f.labels, f.createdMs, policy);
  });
  // A date the daemon does not give counts as now: only the pid rule can reap it.
  const createdMs = (text: string | undefined) => Date.parse(text ?? "") || policy.now;
  const deadContainers = dead(containers, (c) => ({ labels: c.Labels, createdMs: c.Created * 1000 }));
  const deadNetworks = dead(networks, (n) => ({ labels: n.Labels ?? {}, createdMs: createdMs(n.Created) }));
  const deadVolumes = dead(volumes, (v) => ({ labels: v.Labels ?? {}, createdMs: createdMs(v.CreatedAt) }));
  // Containers first: they hold the networks and volumes.
  await Promise.all(deadContainers.map((c) => removeContainer(docker, c.Id)));
  const [networksRemoved, volumesRemoved] = await Promise.all([
    Promise.all(deadNetworks.map((n) => removeHeld(() => docker.getNetwork(n.Id).remove()))),
    Promise.all(deadVolumes.map((v) => removeHeld(() => docker.getVolume(v.Name).remove()))),
  ]);
  const runs = new Set([
    ...deadContainers.map((c) => c.Labels[RUN_LABEL] ?? "?"),
    ...deadNetworks.map((n) => n.Labels?.[RUN_LABEL] ?? "?"),
    ...deadVolumes.map((v) => v.Labels?.[RUN_LABEL] ?? "?"),
  ]);
  return {
    containers: deadContainers.length,
    networks: networksRemoved.filter(Boolean).length,
    volumes: volumesRemoved.filter(Boolean).length,
    runs: [...runs],
  };
}

/** "2 container(s), 1 network(s) and 1 volume(s)": what a reap removed. */
export function reapedCounts(r: ReapResult): string {
  return `${r.containers} container(s), ${r.networks} network(s) and ${r.volumes} volume(s)`;
}
