/**
 * Reaping what killed runs left behind. A smoke resource is abandoned when
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

/** Networks: retried while endpoints of containers being removed elsewhere still hang on. */
async function removeNetwork(docker: EngineApi, id: string): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    try {
      await docker.getNetwork(id).remove();
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      if (attempt >= 3 && statusOf(error) !== 409 && statusOf(error) !== 403) throw error;
    }
    await sleep(100);
  }
  return false;
}

export async function reapAbandoned(docker: EngineApi, policy: ReapPolicy): Promise<ReapResult> {
  const filters = { label: [`${MANAGED_LABEL}=true`, `${COMPONENT_LABEL}=${COMPONENT}`] };
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  const deadContainers = containers.filter((c) => isAbandoned(c.Labels, c.Created * 1000, policy));
  const deadNetworks = networks.filter((n) => isAbandoned(n.Labels ?? {}, Date.parse(n.Created ?? "") || policy.now, policy));
  await Promise.all(deadContainers.map((c) => removeContainer(docker, c.Id)));
  const removed = await Promise.all(deadNetworks.map((n) => removeNetwork(docker, n.Id)));
  const runs = new Set([...deadContainers.map((c) => c.Labels[RUN_LABEL] ?? "?"), ...deadNetworks.map((n) => n.Labels?.[RUN_LABEL] ?? "?")]);
  return { containers: deadContainers.length, networks: removed.filter(Boolean).length, runs: [...runs] };
}
