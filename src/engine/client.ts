import { readFileSync } from "node:fs";
import { Agent as HttpsAgent } from "node:https";
import { createRequire } from "node:module";
import { join } from "node:path";
import type Docker from "dockerode";
import { configError } from "../common/errors.js";
import { discoverDaemon, type DaemonAddress, type TlsFiles } from "./address.js";
import type { DiscoveryFs } from "./docker-context.js";
import type { EngineApi } from "./engine-api.js";
import { EngineHttpClient } from "./engine-http.js";
import { isTlsFailure } from "./tls-failure.js";

export interface DockerConnection {
  docker: Docker;
  address: DaemonAddress;
}

function readCert(dir: string, file: string, address: DaemonAddress, optional = false): Buffer | undefined {
  const path = join(dir, file);
  try {
    return readFileSync(path);
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw configError(`cannot read the TLS file ${path} for the Docker daemon at ${address.display}`, {
      hint: "set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem, or unset DOCKER_TLS_VERIFY",
    });
  }
}

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** false for a context with SkipTLSVerify. */
  rejectUnauthorized?: boolean;
}

/**
 * The TLS files: DOCKER_CERT_PATH's (the CA only when the daemon is verified, DOCKER_TLS_VERIFY),
 * or a context's TLS folder (whichever files it has; SkipTLSVerify turns verification off).
 */
function tlsFiles(tls: TlsFiles, address: DaemonAddress): TlsMaterial {
  const optional = tls.source === "context";
  const files: TlsMaterial = {};
  const ca = tls.verify || optional ? readCert(tls.certPath, "ca.pem", address, optional) : undefined;
  const cert = readCert(tls.certPath, "cert.pem", address, optional);
  const key = readCert(tls.certPath, "key.pem", address, optional);
  if (ca) files.ca = ca;
  if (cert && key) Object.assign(files, { cert, key });
  if (optional && !tls.verify) files.rejectUnauthorized = false;
  return files;
}

/** dockerode options for TLS: docker-modem takes ca/cert/key, and an agent for SkipTLSVerify. */
function dockerodeTls(files: TlsMaterial): Partial<Docker.DockerOptions> {
  if (files.rejectUnauthorized !== false) return { ...files };
  return { agent: new HttpsAgent({ ...files }) } as Partial<Docker.DockerOptions>;
}

/** A dockerode client for one daemon address. */
function dockerodeFor(DockerCtor: typeof Docker, address: DaemonAddress): Docker {
  switch (address.kind) {
    case "unix":
      return new DockerCtor({ socketPath: address.socketPath });
    case "tcp":
      if (address.tls) return new DockerCtor({ protocol: "https", host: address.host, port: address.port, ...dockerodeTls(tlsFiles(address.tls, address)) });
      return new DockerCtor({ protocol: "http", host: address.host, port: address.port });
    case "ssh":
      return new DockerCtor({ protocol: "ssh", host: address.host, port: address.port, username: address.username } as Docker.DockerOptions);
  }
}

/** A dockerode client for the daemon discoverDaemon finds. dockerode is loaded here, lazily. */
export async function connectDocker(env: NodeJS.ProcessEnv, fs?: DiscoveryFs): Promise<DockerConnection> {
  const { default: DockerCtor } = await import("dockerode");
  const address = discoverDaemon(env, fs);
  return { docker: dockerodeFor(DockerCtor, address), address };
}

/**
 * A dockerode client that loads dockerode (with ssh2, gRPC and protobufjs: 0.1–0.3 s of
 * start-up) on its first use, not before: a build that finds every image up to date never
 * touches it. A stand-in until then; `then` reads as undefined so awaiting it loads nothing.
 */
export function lazyDockerode(address: DaemonAddress): Docker {
  let real: Docker | undefined;
  const open = (): Docker => (real ??= dockerodeFor(createRequire(import.meta.url)("dockerode") as typeof Docker, address));
  return new Proxy({} as Docker, {
    get(_target, key) {
      if (key === "then") return undefined;
      const docker = open();
      const value: unknown = Reflect.get(docker, key, docker);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(docker) : value;
    },
    has: (_target, key) => Reflect.has(open(), key),
  });
}

export interface EngineConnection {
  engine: EngineApi;
  address: DaemonAddress;
}

/** The thin HTTP client for a unix or tcp address (with the same TLS files as connectDocker); undefined for ssh://. */
export function engineHttpFor(address: DaemonAddress): EngineHttpClient | undefined {
  switch (address.kind) {
    case "unix":
      return new EngineHttpClient({ socketPath: address.socketPath });
    case "tcp":
      if (!address.tls) return new EngineHttpClient({ host: address.host, port: address.port });
      return new EngineHttpClient({ host: address.host, port: address.port, tls: tlsFiles(address.tls, address) });
    case "ssh":
      return undefined;
  }
}

/**
 * The client smoke uses: the thin HTTP client (nothing heavy to load) for unix sockets and
 * tcp (with the same TLS files as connectDocker), dockerode for ssh:// (its ssh transport).
 */
export async function connectEngine(env: NodeJS.ProcessEnv, fs?: DiscoveryFs): Promise<EngineConnection> {
  const address = discoverDaemon(env, fs);
  return { engine: engineHttpFor(address) ?? (await connectDocker(env, fs)).docker, address };
}

/** Check the daemon answers; one clear error naming the address otherwise. */
export async function pingDocker({ docker, address }: { docker: Pick<EngineApi, "ping">; address: DaemonAddress }, timeoutMs = 5000): Promise<void> {
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (address.kind === "tcp" && address.tls && isTlsFailure(error)) {
      throw configError(`the Docker daemon at ${address.display} and runner-kit could not agree on TLS (${reason})`, {
        hint:
          `the files in ${address.tls.certPath} (DOCKER_CERT_PATH: ca.pem, cert.pem, key.pem) must come from the CA the daemon trusts, and ca.pem must have issued the daemon's certificate for this host name; ` +
          "with docker:dind in GitLab CI set DOCKER_TLS_CERTDIR: /certs on the service and DOCKER_CERT_PATH: /certs/client in the job",
      });
    }
    throw configError(`no Docker daemon answers at ${address.display} (${reason}); tried, in order: ${address.tried.join("; ")}`, {
      hint: "start one (for example `dockerd &`, or `systemctl start docker`), or point DOCKER_HOST at a running daemon (or DOCKER_CONTEXT at a context for one)",
    });
  }
}
