import type Docker from "dockerode";
import { MANAGED_LABEL, RUN_LABEL } from "../../src/engine/labels.js";
import { isGone } from "../../src/engine/engine-http.js";

export interface ManagedResources {
  containers: { id: string; name: string; runId: string | undefined; state: string }[];
  networks: { id: string; name: string; runId: string | undefined }[];
  volumes: { name: string; runId: string | undefined }[];
}

function labelFilter(runId?: string): string[] {
  return runId ? [`${MANAGED_LABEL}=true`, `${RUN_LABEL}=${runId}`] : [`${MANAGED_LABEL}=true`];
}

/** Every Docker resource labelled as runner-kit's (optionally of one run). */
export async function listManagedResources(docker: Docker, runId?: string): Promise<ManagedResources> {
  const filters = { label: labelFilter(runId) };
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return {
    containers: containers.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? "").replace(/^\//, ""),
      runId: c.Labels[RUN_LABEL],
      state: c.State,
    })),
    networks: networks.map((n) => ({ id: n.Id, name: n.Name, runId: n.Labels?.[RUN_LABEL] })),
    volumes: (volumes.Volumes ?? []).map((v) => ({ name: v.Name, runId: v.Labels?.[RUN_LABEL] })),
  };
}

export function countResources(r: ManagedResources): number {
  return r.containers.length + r.networks.length + r.volumes.length;
}

/**
 * Remove labelled resources: containers first (forced, with their anonymous volumes), then
 * networks and volumes. Safe to call twice; a resource already gone is not an error.
 */
export async function removeManagedResources(docker: Docker, runId?: string): Promise<number> {
  const found = await listManagedResources(docker, runId);
  await Promise.all(
    found.containers.map((c) =>
      docker.getContainer(c.id).remove({ force: true, v: true }).catch((e: unknown) => {
        if (!isGone(e)) throw e;
      }),
    ),
  );
  await Promise.all([
    ...found.networks.map((n) =>
      docker.getNetwork(n.id).remove().catch((e: unknown) => {
        if (!isGone(e)) throw e;
      }),
    ),
    ...found.volumes.map((v) =>
      docker.getVolume(v.name).remove().catch((e: unknown) => {
        if (!isGone(e)) throw e;
      }),
    ),
  ]);
  return countResources(found);
}
