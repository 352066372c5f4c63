import { readFileSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import { configError } from "../common/errors.js";
import { daemonAddressFromEnv, type DaemonAddress, type TlsFiles } from "./address.js";
import type { EngineApi } from "./engine-api.js";
import { EngineHttpClient } from "./engine-http.js";
import { isTlsFailure } from "./tls-failure.js";

export interface DockerConnection {
  docker: Docker;
  address: DaemonAddress;
}

function readCert(dir: string, file: string, address: DaemonAddress): Buffer {
  const path = join(dir, file);
  try {
    return readFileSync(path);
  } catch {
    throw configError(`cannot read the TLS file ${path} for the Docker daemon at ${address.display}`, {
      hint: "set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem, or unset DOCKER_TLS_VERIFY",
    });
  }
}

/** The TLS files DOCKER_CERT_PATH holds: the CA only when the daemon is verified (DOCKER_TLS_VERIFY). */
function tlsFiles(tls: TlsFiles, address: DaemonAddress): { ca?: Buffer; cert: Buffer; key: Buffer } {
  return {
    ...(tls.verify ? { ca: readCert(tls.certPath, "ca.pem", address) } : {}),
    cert: readCert(tls.certPath, "cert.pem", address),
    key: readCert(tls.certPath, "key.pem", address),
  };
}

/** A dockerode client for the daemon the environment names. dockerode is loaded here, lazily. */
export async function connectDocker(env: NodeJS.ProcessEnv): Promise<DockerConnection> {
  const { default: DockerCtor } = await import("dockerode");
  const address = daemonAddressFromEnv(env);
  let docker: Docker;
  switch (address.kind) {
    case "unix":
      docker = new DockerCtor({ socketPath: address.socketPath });
      break;
    case "tcp":
      if (address.tls) {
        docker = new DockerCtor({ protocol: "https", host: address.host, port: address.port, ...tlsFiles(address.tls, address) });
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
export async function connectEngine(env: NodeJS.ProcessEnv): Promise<EngineConnection> {
  const address = daemonAddressFromEnv(env);
  switch (address.kind) {
    case "unix":
      return { engine: new EngineHttpClient({ socketPath: address.socketPath }), address };
    case "tcp": {
      if (!address.tls) return { engine: new EngineHttpClient({ host: address.host, port: address.port }), address };
      return { engine: new EngineHttpClient({ host: address.host, port: address.port, tls: tlsFiles(address.tls, address) }), address };
    }
    case "ssh":
      return { engine: (await connectDocker(env)).docker, address };
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
    throw configError(`no Docker daemon answers at ${address.display} (${reason})`, {
      hint: "start one (for example `dockerd &`, or `systemctl start docker`), or point DOCKER_HOST at a running daemon",
    });
  }
}
