/**
 * A thin Docker Engine API client on node:http — only what smoke needs (EngineApi) and what
 * a build that finds everything up to date needs (version, info, the image list, tag). It
 * exists because loading dockerode (docker-modem, ssh2, grpc, protobufjs) costs 0.1–0.3 s of
 * start-up on every `runner-kit smoke` and no-op `runner-kit build`; this file loads nothing
 * but Node's own modules. Errors carry
 * `statusCode` and dockerode's message shape, "(HTTP code 404) no such container - … ".
 */
import { Agent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type RequestOptions } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Duplex } from "node:stream";
import { traceMark } from "../common/trace.js";
import { encodeAuthHeader } from "../auth/auth-header.js";
import { splitReference } from "../reference/parse.js";
import type {
  ContainerInspect, ContainerSpec, ContainerSummary, EngineApi, EngineAuthConfig, EngineContainer, EventFilters, ImageInspect, ImageSummary, LabelFilters, NetworkInspect, NetworkSpec, NetworkSummary,
  VolumeSpec, VolumeSummary,
} from "./engine-api.js";

/** The fields of `GET /version` runner-kit reads. */
export interface DaemonVersionInfo {
  ApiVersion?: string;
  Os?: string;
  Version?: string;
}

/** Where the daemon listens: a unix socket, or host:port over HTTP or HTTPS (client certificates). */
export type HttpEndpoint =
  | { socketPath: string }
  | { host: string; port: number; tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean } };

export interface EngineHttpError extends Error {
  statusCode: number;
  json?: unknown;
}

/**
 * A removal that needs no more work: the daemon no longer has the resource (404) or is
 * already removing it (409). dockerode's errors and this client's carry the same statusCode.
 */
export function isGone(error: unknown): boolean {
  const status = (error as { statusCode?: number } | null)?.statusCode;
  return status === 404 || status === 409;
}

const REASONS: Record<number, string> = {
  304: "not modified", 400: "bad parameter", 403: "forbidden", 404: "not found", 409: "conflict", 500: "server error", 503: "unavailable",
};

interface Call {
  method: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** A stream sent as the body (putArchive). */
  upload?: NodeJS.ReadableStream;
  headers?: OutgoingHttpHeaders;
}

function readAll(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => resolve(Buffer.concat(chunks)));
    res.on("error", reject);
  });
}

async function engineError(res: IncomingMessage): Promise<EngineHttpError> {
  const text = (await readAll(res)).toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const status = res.statusCode ?? 0;
  const cause = (json as { message?: string } | undefined)?.message ?? text.trim();
  const error = new Error(`(HTTP code ${status}) ${REASONS[status] ?? "unexpected"} - ${cause} `) as EngineHttpError;
  error.statusCode = status;
  error.json = json;
  return error;
}

function queryString(query: Call["query"]): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** X-Registry-Auth as the engine (and docker-modem) encode it: URL-safe base64 of the JSON. */
export function registryAuthHeader(auth: EngineAuthConfig): string {
  return encodeAuthHeader(auth);
}

/**
 * The /images/create query for a pull, as dockerode's pull sends it: the repository and
 * the tag, or with a digest the repository as written before "@" and the digest as `tag`;
 * no tag → latest.
 */
export function fromImageAndTag(ref: string): { fromImage: string; tag: string } {
  const { name, tag, digest } = splitReference(ref);
  if (digest !== undefined) return { fromImage: tag === undefined ? name : `${name}:${tag}`, tag: digest };
  return { fromImage: name, tag: tag ?? "latest" };
}

export class EngineHttpClient implements EngineApi {
  private readonly agent: Agent;

  constructor(private readonly endpoint: HttpEndpoint) {
    // Keep-alive: one connection serves the run's sequential calls; idle sockets don't hold the process.
    this.agent = "tls" in endpoint && endpoint.tls
      ? new HttpsAgent({ keepAlive: true, ...endpoint.tls })
      : new Agent({ keepAlive: true });
  }

  private options(call: Call): RequestOptions {
    const headers: OutgoingHttpHeaders = { ...call.headers };
    if (call.body !== undefined) headers["Content-Type"] = "application/json";
    const base = "socketPath" in this.endpoint ? { socketPath: this.endpoint.socketPath } : { host: this.endpoint.host, port: this.endpoint.port };
    return { ...base, agent: this.agent, method: call.method, path: `${call.path}${queryString(call.query)}`, headers };
  }

  private send(call: Call, onRequest?: (req: ReturnType<typeof httpRequest>) => void): Promise<IncomingMessage> {
    const tls = "tls" in this.endpoint && this.endpoint.tls !== undefined;
    traceMark(`engine: ${call.method} ${call.path} sent`);
    return new Promise((resolve, reject) => {
      const req = (tls ? httpsRequest : httpRequest)(this.options(call), (res) => {
        traceMark(`engine: ${call.method} ${call.path} answered ${res.statusCode ?? 0}`);
        if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) resolve(res);
        else engineError(res).then(reject, reject);
      });
      req.on("error", reject);
      onRequest?.(req);
      if (call.upload) {
        call.upload.on("error", (error: Error) => req.destroy(error));
        call.upload.pipe(req);
      } else {
        req.end(call.body === undefined ? undefined : JSON.stringify(call.body));
      }
    });
  }

  /** A call whose answer is JSON (or empty). */
  async json<T>(call: Call): Promise<T> {
    const text = (await readAll(await this.send(call))).toString("utf8");
    return (text.trim() === "" ? undefined : JSON.parse(text)) as T;
  }

  /** The hijacked attach connection (HTTP upgrade to a raw stream). */
  hijack(call: Call): Promise<Duplex> {
    const tls = "tls" in this.endpoint && this.endpoint.tls !== undefined;
    return new Promise((resolve, reject) => {
      const options = this.options({ ...call, headers: { ...call.headers, Connection: "Upgrade", Upgrade: "tcp" } });
      // Its own connection (it leaves the pool once upgraded), with the client certificates.
      const certs = "tls" in this.endpoint && this.endpoint.tls ? this.endpoint.tls : {};
      const req = (tls ? httpsRequest : httpRequest)({ ...options, ...certs, agent: false });
      req.on("upgrade", (_res, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      req.on("response", (res) => void engineError(res).then(reject, reject));
      req.on("error", reject);
      req.end();
    });
  }

  ping(): Promise<unknown> {
    return this.send({ method: "GET", path: "/_ping" }).then(readAll);
  }

  async createNetwork(spec: NetworkSpec): Promise<{ id: string }> {
    const { Id } = await this.json<{ Id: string }>({ method: "POST", path: "/networks/create", body: spec });
    return { id: Id };
  }

  getNetwork(id: string): { remove(): Promise<unknown>; inspect(): Promise<NetworkInspect> } {
    const path = `/networks/${encodeURIComponent(id)}`;
    return { remove: () => this.json({ method: "DELETE", path }), inspect: () => this.json<NetworkInspect>({ method: "GET", path }) };
  }

  /** `GET /events`: resolves once the daemon has subscribed (it flushes the headers first). */
  getEvents(options: { filters: EventFilters }): Promise<NodeJS.ReadableStream> {
    return this.send({ method: "GET", path: "/events", query: { filters: JSON.stringify(options.filters) } });
  }

  async createContainer(spec: ContainerSpec): Promise<EngineContainer> {
    const { name, platform, ...body } = spec;
    const { Id } = await this.json<{ Id: string }>({ method: "POST", path: "/containers/create", query: { name, ...(platform ? { platform } : {}) }, body });
    return this.getContainer(Id);
  }

  getContainer(id: string): EngineContainer {
    const path = `/containers/${encodeURIComponent(id)}`;
    return {
      id,
      start: () => this.json({ method: "POST", path: `${path}/start` }),
      stop: ({ t }) => this.json({ method: "POST", path: `${path}/stop`, query: { t } }),
      kill: () => this.json({ method: "POST", path: `${path}/kill` }),
      wait: () => this.json<{ StatusCode: number }>({ method: "POST", path: `${path}/wait` }),
      remove: ({ force, v }) => this.json({ method: "DELETE", path, query: { force, v } }),
      attach: () => this.hijack({ method: "POST", path: `${path}/attach`, query: { stream: 1, stdin: 1, stdout: 1, stderr: 1 } }),
      putArchive: (tar, { path: dest }) =>
        this.send({ method: "PUT", path: `${path}/archive`, query: { path: dest }, upload: tar, headers: { "Content-Type": "application/x-tar" } }).then(readAll),
      getArchive: ({ path: source }) => this.send({ method: "GET", path: `${path}/archive`, query: { path: source } }),
      logs: ({ tail }) => this.send({ method: "GET", path: `${path}/logs`, query: { stdout: 1, stderr: 1, follow: 0, tail } }).then(readAll),
      inspect: () => this.json<ContainerInspect>({ method: "GET", path: `${path}/json` }),
    };
  }

  getImage(ref: string): { inspect(): Promise<ImageInspect>; tag(options: { repo: string; tag: string }): Promise<unknown> } {
    // As dockerode: the reference goes into the path as written (the engine routes /images/{name:.*}/json).
    return {
      inspect: () => this.json<ImageInspect>({ method: "GET", path: `/images/${ref}/json` }),
      tag: ({ repo, tag }) => this.json({ method: "POST", path: `/images/${ref}/tag`, query: { repo, tag } }),
    };
  }

  /** `GET /images/json`: the local images (tags, digests, labels) the filters select. */
  listImages(options: { filters: LabelFilters }): Promise<ImageSummary[]> {
    return this.json({ method: "GET", path: "/images/json", query: { filters: JSON.stringify(options.filters) } });
  }

  /** `GET /version`. */
  version(): Promise<DaemonVersionInfo> {
    return this.json({ method: "GET", path: "/version" });
  }

  /** `GET /info` (slow on some daemons: ask only when needed). */
  info(): Promise<Record<string, unknown>> {
    return this.json({ method: "GET", path: "/info" });
  }

  pull(ref: string, options: { authconfig?: EngineAuthConfig; platform?: string }): Promise<NodeJS.ReadableStream> {
    const headers: OutgoingHttpHeaders = options.authconfig ? { "X-Registry-Auth": registryAuthHeader(options.authconfig) } : {};
    const query = { ...fromImageAndTag(ref), ...(options.platform ? { platform: options.platform } : {}) };
    return this.send({ method: "POST", path: "/images/create", query, headers });
  }

  listContainers(options: { all: true; filters: LabelFilters }): Promise<ContainerSummary[]> {
    return this.json({ method: "GET", path: "/containers/json", query: { all: options.all, filters: JSON.stringify(options.filters) } });
  }

  listNetworks(options: { filters: LabelFilters }): Promise<NetworkSummary[]> {
    return this.json({ method: "GET", path: "/networks", query: { filters: JSON.stringify(options.filters) } });
  }

  createVolume(spec: VolumeSpec): Promise<unknown> {
    return this.json({ method: "POST", path: "/volumes/create", body: spec });
  }

  getVolume(name: string): { remove(): Promise<unknown> } {
    return { remove: () => this.json({ method: "DELETE", path: `/volumes/${encodeURIComponent(name)}` }) };
  }

  listVolumes(options: { filters: LabelFilters }): Promise<{ Volumes?: VolumeSummary[] | null }> {
    return this.json({ method: "GET", path: "/volumes", query: { filters: JSON.stringify(options.filters) } });
  }
}
