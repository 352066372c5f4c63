/**
 * The Docker Engine operations `runner-kit smoke` needs, as an interface: a dockerode
 * `Docker` satisfies it structurally (what `build --smoke` and the library pass), and so does
 * the thin HTTP client (engine-http.ts) the smoke command uses to skip loading dockerode.
 * Methods are declared in method syntax on purpose: parameters are then compared
 * bivariantly, which lets dockerode's richer option types fit.
 */

export type LabelFilters = { label: string[] };

export interface ContainerSpec {
  name?: string;
  /** os/arch[/variant], sent as the create request's `platform` query parameter. */
  platform?: string;
  Image: string;
  Cmd?: string[];
  Entrypoint?: string[];
  Env?: string[];
  WorkingDir?: string;
  Hostname?: string;
  User?: string;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  Labels?: Record<string, string>;
  HostConfig?: HostConfig;
  NetworkingConfig?: { EndpointsConfig: Record<string, { Aliases?: string[] }> };
}

/** The host settings smoke sends (the Engine API's HostConfig, the fields runner configs set). */
export interface HostConfig {
  NetworkMode?: string;
  RestartPolicy?: { Name: string };
  Privileged?: boolean;
  CapAdd?: string[];
  CapDrop?: string[];
  SecurityOpt?: string[];
  Dns?: string[];
  DnsSearch?: string[];
  ExtraHosts?: string[];
  Binds?: string[];
  ShmSize?: number;
  Tmpfs?: Record<string, string>;
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  NanoCpus?: number;
  /** [] unmasks /proc paths (what the CLI's --security-opt systempaths=unconfined sends). */
  MaskedPaths?: string[];
  ReadonlyPaths?: string[];
  Devices?: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[];
  DeviceCgroupRules?: string[];
  Sysctls?: Record<string, string>;
  Ulimits?: { Name: string; Soft: number; Hard: number }[];
  GroupAdd?: string[];
  Runtime?: string;
  PidMode?: string;
  IpcMode?: string;
  UsernsMode?: string;
  Isolation?: string;
  OomKillDisable?: boolean;
  OomScoreAdj?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  CpuShares?: number;
}

export interface VolumeSpec {
  Name: string;
  Labels?: Record<string, string>;
}

export interface VolumeSummary {
  Name: string;
  Labels?: Record<string, string> | null;
  /** RFC 3339 (the reaper's age rule). */
  CreatedAt?: string;
}

/** What smoke reads of a container's inspect document: its addresses. */
export interface ContainerInspect {
  Id: string;
  NetworkSettings?: {
    IPAddress?: string;
    GlobalIPv6Address?: string;
    Networks?: Record<string, { IPAddress?: string; GlobalIPv6Address?: string }>;
  };
}

export interface NetworkSpec {
  Name: string;
  Driver?: string;
  CheckDuplicate?: boolean;
  Labels?: Record<string, string>;
}

/** The engine's registry auth (sent as X-Registry-Auth). */
export type EngineAuthConfig = Record<string, string>;

export interface ImageInspect {
  Id: string;
  Os?: string;
  Architecture?: string;
  Variant?: string;
  RepoDigests?: string[];
  Config?: object;
}

/** One image of `GET /images/json`. */
export interface ImageSummary {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Labels?: Record<string, string> | null;
}

export interface ContainerSummary {
  Id: string;
  Labels: Record<string, string>;
  /** Seconds since the epoch. */
  Created: number;
}

/** What smoke reads of a network's inspect document: the addresses of the containers on it. */
export interface NetworkInspect {
  Containers?: Record<string, { IPv4Address?: string; IPv6Address?: string }> | null;
}

/** Filters of `GET /events` (e.g. `{ type: ["network"], event: ["connect"] }`). */
export interface EventFilters {
  type?: ("container" | "image" | "volume" | "network" | "daemon")[];
  event?: string[];
  network?: string[];
}

export interface NetworkSummary {
  Id: string;
  Labels?: Record<string, string>;
  Created?: string;
}

export interface EngineContainer {
  readonly id: string;
  start(): Promise<unknown>;
  stop(options: { t: number }): Promise<unknown>;
  kill(): Promise<unknown>;
  /** Resolves when the container is not running, with its exit code. */
  wait(): Promise<{ StatusCode: number }>;
  remove(options: { force: boolean; v: boolean }): Promise<unknown>;
  /** A hijacked connection: write stdin (end() closes it), read the multiplexed output. */
  attach(options: { stream: true; stdin: true; stdout: true; stderr: true; hijack: true }): Promise<NodeJS.ReadWriteStream>;
  putArchive(tar: NodeJS.ReadableStream, options: { path: string }): Promise<unknown>;
  /** A tar of the file or folder at `path` (a 404 error when there is none). */
  getArchive(options: { path: string }): Promise<NodeJS.ReadableStream>;
  /** The multiplexed log (non-TTY containers), not followed. */
  logs(options: { stdout: true; stderr: true; follow: false; tail: number }): Promise<Buffer>;
  inspect(): Promise<ContainerInspect>;
}

export interface EngineApi {
  ping(): Promise<unknown>;
  createNetwork(spec: NetworkSpec): Promise<{ id: string }>;
  getNetwork(id: string): { remove(): Promise<unknown>; inspect(): Promise<NetworkInspect> };
  /**
   * `GET /events`, resolving once the daemon has subscribed (the response headers): a stream
   * of newline-delimited JSON events. Optional: without it smoke reads addresses after starts.
   */
  getEvents?(options: { filters: EventFilters }): Promise<NodeJS.ReadableStream>;
  createContainer(spec: ContainerSpec): Promise<EngineContainer>;
  getContainer(id: string): EngineContainer;
  getImage(ref: string): { inspect(): Promise<ImageInspect> };
  /** Resolves to the progress stream (newline-delimited JSON). */
  pull(ref: string, options: { authconfig?: EngineAuthConfig; platform?: string }): Promise<NodeJS.ReadableStream>;
  listContainers(options: { all: true; filters: LabelFilters }): Promise<ContainerSummary[]>;
  listNetworks(options: { filters: LabelFilters }): Promise<NetworkSummary[]>;
  createVolume(spec: VolumeSpec): Promise<unknown>;
  getVolume(name: string): { remove(): Promise<unknown> };
  listVolumes(options: { filters: LabelFilters }): Promise<{ Volumes?: VolumeSummary[] | null }>;
}
