import { readFileSync } from "node:fs";
import { Agent as HttpsAgent } from "node:https";
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

/** A dockerode client for the daemon discoverDaemon finds. dockerode is loaded here, lazily. */
export async function connectDocker(env: NodeJS.ProcessEnv, fs?: DiscoveryFs): Promise<DockerConnection> {
  const { default: DockerCtor } = await import("dockerode");
  const address = discoverDaemon(env, fs);
  let docker: Docker;
  switch (address.kind) {
    case "unix":
      docker = new DockerCtor({ socketPath: address.socketPath });
      break;
    case "tcp":
      if (address.tls) {
        docker = new DockerCtor({ protocol: "https", host: address.host, port: address.port, ...dockerodeTls(tlsFiles(address.tls, address)) });
      } else {
        docker = new DockerCtor({ protocol: "http", host: address.host, port: address.port });
      }
      break;
    case "ssh":
      docker = new DockerCtor({
        protocol: "ssh",
        host: address.host,
        port: address.port,
        username: address.username,
      } as Docker.DockerOptions);
      break;
  }
  return { docker, address };
}

export interface EngineConnection {
  engine: EngineApi;
  address: DaemonAddress;
}

/**
 * The client smoke uses: the thin HTTP client (nothing heavy to load) for unix sockets and
 * tcp (with the same TLS files as connectDocker), dockerode for ssh:// (its ssh transport).
 */
export async function connectEngine(env: NodeJS.ProcessEnv, fs?: DiscoveryFs): Promise<EngineConnection> {
  const address = discoverDaemon(env, fs);
  switch (address.kind) {
    case "unix":
      return { engine: new EngineHttpClient({ socketPath: address.socketPath }), address };
    case "tcp": {
      if (!address.tls) return { engine: new EngineHttpClient({ host: address.host, port: address.port }), address };
      return { engine: new EngineHttpClient({ host: address.host, port: address.port, tls: tlsFiles(address.tls, address) }), address };
    }
    case "ssh":
      return { engine: (await connectDocker(env, fs)).docker, address };
  }
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
