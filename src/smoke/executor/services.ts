/**
 * Service containers: started concurrently on the job's network (network-mode.ts) with GitLab
 * Runner's aliases where that network has DNS, their own variables, entrypoint and command;
 * where it has none, inspected for the addresses the job container's link entries need.
 */
import { demuxBuffer } from "../../engine/demux.js";
import type { ContainerSpec, EngineApi, EngineContainer, HostConfig } from "../../engine/engine-api.js";
import type { ServiceSpec } from "../job/parse.js";
import { resourceName, type RunResources } from "./resources.js";
import { expandValue, type VariableMap } from "../job/variables.js";
import { isUserDefined, networkModeOf, type JobNetwork } from "./network-mode.js";
import type { JoinWatch } from "./join-watch.js";

export interface StartedService {
  index: number;
  spec: ServiceSpec;
  aliases: string[];
  container: EngineContainer;
  containerName: string;
  /** When the start request was sent (readiness time counts from here). */
  startedAt: number;
  /** Its addresses, read where the job reaches it through link entries (else empty). */
  ips: string[];
}

/** GitLab Runner's port choice, from the service container's env and exposed ports. */
export function healthCheckPorts(env: string[], exposed: Record<string, unknown> | undefined): number[] {
  for (const kv of env) {
    const eq = kv.indexOf("=");
    if (eq > 0 && kv.slice(0, eq).toUpperCase() === "HEALTHCHECK_TCP_PORT") {
      const port = Number(kv.slice(eq + 1));
      return Number.isInteger(port) && port > 0 && port < 65536 ? [port] : [];
    }
  }
  return Object.keys(exposed ?? {})
    .filter((k) => k.endsWith("/tcp") || !k.includes("/"))
    .map((k) => Number(k.split("/")[0]))
    .filter((p) => Number.isInteger(p) && p > 0)
    .sort((a, b) => a - b)
    .slice(0, 20);
}

/** Job variables plus the service's own, expanded against the job's. */
export function serviceEnv(jobVars: VariableMap, own: VariableMap): string[] {
  const merged: VariableMap = { ...jobVars };
  for (const [k, v] of Object.entries(own)) merged[k] = expandValue(v, (name) => jobVars[name]);
  return Object.entries(merged).map(([k, v]) => `${k}=${v}`);
}

export interface StartServiceOptions {
  docker: EngineApi;
  resources: RunResources;
  runId: string;
  labels: (role: string) => Record<string, string>;
  network: JobNetwork;
  image: string;
  spec: ServiceSpec;
  index: number;
  aliases: string[];
  env: string[];
  now: () => number;
  /** Called with the time the start request is sent. */
  onStart?: (time: number) => void;
  /** Resolves once the job network exists: the container is created before, started after. */
  networkReady: Promise<unknown>;
  /** The runner config's settings for services (privileged, volumes, limits…). */
  hostConfig?: HostConfig;
  /** Where the job reaches services through link entries: tells the addresses as soon as the service has joined its network. */
  joins?: JoinWatch;
  /** Called once with the addresses (where the job reaches it through link entries), before the start returns when they are known then. */
  onAddresses?: (containerId: string, ips: string[]) => void;
}

/** HostConfig.NetworkMode and, on a user-defined network, the container's aliases there. */
export function networkFields(network: JobNetwork, aliases: string[]): Pick<ContainerSpec, "HostConfig" | "NetworkingConfig"> {
  const mode = networkModeOf(network);
  return {
    HostConfig: { ...(mode !== undefined ? { NetworkMode: mode } : {}), RestartPolicy: { Name: "no" } },
    ...(mode !== undefined && isUserDefined(network) ? { NetworkingConfig: { EndpointsConfig: { [mode]: { Aliases: aliases } } } } : {}),
  };
}

/** Every address the container has, on every network it is on (GitLab Runner links each). */
export async function containerIps(container: EngineContainer): Promise<string[]> {
  const settings = (await container.inspect()).NetworkSettings ?? {};
  const ips = [settings.IPAddress, settings.GlobalIPv6Address];
  for (const n of Object.values(settings.Networks ?? {})) ips.push(n.IPAddress, n.GlobalIPv6Address);
  return [...new Set(ips.filter((ip): ip is string => typeof ip === "string" && ip !== ""))];
}

/**
 * Create a container while its network may still be in the making: Docker 20.10 resolves
 * the network only at start; a daemon that checks it at create gets a second try once the
 * network exists.
 */
export async function createBeforeNetwork(docker: EngineApi, spec: ContainerSpec, networkReady: Promise<unknown>): Promise<EngineContainer> {
  try {
    return await docker.createContainer(spec);
  } catch (error) {
    const e = error as { statusCode?: number; message?: string };
    if (e.statusCode !== 404 || !/network/i.test(e.message ?? "")) throw error;
    await networkReady;
    return docker.createContainer(spec);
  }
}

export async function startService(o: StartServiceOptions): Promise<StartedService> {
  const name = resourceName(o.runId, `svc${o.index}-${o.spec.name.split(/[:@]/)[0]?.split("/").pop() ?? "service"}`);
  const net = networkFields(o.network, o.aliases);
  const container = await o.resources.container(
    createBeforeNetwork(o.docker, {
      name,
      Image: o.image,
      Env: o.env,
      Labels: o.labels("service"),
      ...(o.spec.command ? { Cmd: o.spec.command } : {}),
      ...(o.spec.entrypoint ? { Entrypoint: o.spec.entrypoint } : {}),
      ...net,
      HostConfig: { ...o.hostConfig, ...net.HostConfig },
    }, o.networkReady),
  );
  await o.networkReady;
  const linked = !isUserDefined(o.network);
  let ips: string[] | undefined;
  const tell = (found: string[]) => {
    if (ips !== undefined) return;
    ips = found;
    o.onAddresses?.(container.id, found);
  };
  // Asked before the start: the join comes early in it.
  if (linked) void o.joins?.addresses(container.id).then((found) => found && tell(found));
  const startedAt = o.now();
  o.onStart?.(startedAt);
  await container.start();
  if (linked && ips === undefined) tell(await containerIps(container));
  return { index: o.index, spec: o.spec, aliases: o.aliases, container, containerName: name, startedAt, ips: ips ?? [] };
}

/** The service's own output, at most 64 KiB, as the runner shows it. */
export async function serviceLogs(container: EngineContainer): Promise<string> {
  try {
    const buf = await container.logs({ stdout: true, stderr: true, follow: false, tail: 200 });
    const text = demuxBuffer(buf);
    return text.length > 65_536 ? text.slice(-65_536) : text;
  } catch (error) {
    return `(cannot read the service log: ${error instanceof Error ? error.message : String(error)})`;
  }
}

/** On a failed job, every started service's log, as GitLab Runner prints them. */
export async function printServiceLogs(services: StartedService[], log: (line: string) => void): Promise<void> {
  for (const svc of services) {
    const text = await serviceLogs(svc.container);
    log(`--- service ${svc.spec.name} (${svc.aliases.join(", ")}) log ---`);
    for (const line of text.replace(/\n$/, "").split("\n")) log(line);
  }
}
