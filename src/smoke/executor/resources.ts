/**
 * Naming, labelling, tracking and removal of the Docker resources of one smoke run.
 * Everything is labelled runLabels(runId) plus the smoke component and this host, so
 * cleanup (and a later run's reaper) finds it by label, never by name.
 */
import { randomBytes } from "node:crypto";
import type { EngineApi, EngineContainer } from "../../engine/engine-api.js";
import { MANAGED_LABEL, runLabels } from "../../engine/labels.js";
import { isGone } from "../../engine/engine-http.js";

export const COMPONENT_LABEL = "io.runner-kit.component";
export const HOST_LABEL = "io.runner-kit.host";
export const ROLE_LABEL = "io.runner-kit.smoke.role";
/** One smoke run (invocation): several may share a run id (build --smoke of many images). */
export const INSTANCE_LABEL = "io.runner-kit.smoke.instance";
export const COMPONENT = "smoke";

export function smokeLabels(runId: string, instance: string, host: string, role: string): Record<string, string> {
  return runLabels(runId, { [COMPONENT_LABEL]: COMPONENT, [HOST_LABEL]: host, [ROLE_LABEL]: role, [INSTANCE_LABEL]: instance });
}

/** Unique per call: concurrent runs, even with the same run id, never collide. */
export function resourceName(runId: string, role: string): string {
  const safeRole = role.replace(/[^a-zA-Z0-9_.-]+/g, "_").slice(0, 40);
  return `rk-smoke-${runId}-${randomBytes(4).toString("hex")}-${safeRole}`;
}

/**
 * The resources a run creates. `add` is called with the creation promise, before it
 * settles, so a cleanup racing a creation still waits for it and removes the result.
 */
/** A removal's error: already gone or not, cleanup goes on (best effort). */
const ignoreGone = (e: unknown): void => void (isGone(e) ? 0 : e);

export class RunResources {
  private readonly containers: Promise<EngineContainer | undefined>[] = [];
  private readonly networks: Promise<{ id: string } | undefined>[] = [];
  private readonly volumes: Promise<string | undefined>[] = [];

  constructor(
    private readonly docker: EngineApi,
    /** The INSTANCE_LABEL value: cleanup never touches another run that shares the run id. */
    private readonly instance: string,
  ) {}

  container(creating: Promise<EngineContainer>): Promise<EngineContainer> {
    this.containers.push(creating.catch(() => undefined));
    return creating;
  }

  network<N extends { id: string }>(creating: Promise<N>): Promise<N> {
    this.networks.push(creating.catch(() => undefined));
    return creating;
  }

  /** A volume (by name), created labelled; removed after the containers that mount it. */
  volume(name: string, labels: Record<string, string>): Promise<string> {
    const creating = this.docker.createVolume({ Name: name, Labels: labels }).then(() => name);
    this.volumes.push(creating.catch(() => undefined));
    return creating;
  }

  /** Remove everything (containers first, then networks and volumes). Safe to call twice. */
  async removeAll(): Promise<void> {
    // Anything labelled for this run that we lost track of is removed too (belt and braces),
    // found while the tracked resources are already being removed.
    const filters = { label: [`${MANAGED_LABEL}=true`, `${COMPONENT_LABEL}=${COMPONENT}`, `${INSTANCE_LABEL}=${this.instance}`] };
    const strayNetworks = this.docker.listNetworks({ filters }).catch(() => []);
    const removed = new Set<string>();
    const removeContainer = (id: string) => {
      if (removed.has(id)) return Promise.resolve();
      removed.add(id);
      return this.docker.getContainer(id).remove({ force: true, v: true }).then(
        () => undefined,
        ignoreGone,
      );
    };
    await Promise.all([
      ...this.containers.map(async (c) => {
        const container = await c;
        if (container) await removeContainer(container.id);
      }),
      this.docker
        .listContainers({ all: true, filters })
        .then((stray) => Promise.all(stray.map((c) => removeContainer(c.Id))))
        .catch(() => undefined),
    ]);
    const [networks, stray] = await Promise.all([Promise.all(this.networks), strayNetworks]);
    const ids = new Set([...networks.flatMap((n) => (n ? [n.id] : [])), ...stray.map((n) => n.Id)]);
    await Promise.all([
      ...[...ids].map((id) => this.docker.getNetwork(id).remove().catch(ignoreGone)),
      this.removeVolumes(filters).catch(ignoreGone),
    ]);
  }

  /** The tracked volumes and any labelled for this instance (none are listed when the run made none). */
  private async removeVolumes(filters: { label: string[] }): Promise<void> {
    if (this.volumes.length === 0) return;
    const [tracked, stray] = await Promise.all([Promise.all(this.volumes), this.docker.listVolumes({ filters }).catch(() => ({ Volumes: [] }))]);
    const names = new Set([...tracked.flatMap((n) => (n ? [n] : [])), ...(stray.Volumes ?? []).map((v) => v.Name)]);
    await Promise.all([...names].map((name) => this.docker.getVolume(name).remove().catch(ignoreGone)));
  }
}
