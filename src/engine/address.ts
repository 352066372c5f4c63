import { homedir } from "node:os";
import { join } from "node:path";
import { configError } from "../common/errors.js";

/** Where the Docker daemon is, read from the environment the way the Docker CLI reads it. */
export type DaemonAddress =
  | { kind: "unix"; socketPath: string; display: string }
  | { kind: "tcp"; host: string; port: number; tls: TlsFiles | undefined; display: string }
  | { kind: "ssh"; host: string; port: number; username: string | undefined; display: string };

export interface TlsFiles {
  certPath: string;
  verify: boolean;
}

const DEFAULT_SOCKET = "/var/run/docker.sock";

/** Pure: DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH → an address. */
export function daemonAddressFromEnv(env: NodeJS.ProcessEnv): DaemonAddress {
  const raw = env.DOCKER_HOST?.trim();
  if (!raw) return { kind: "unix", socketPath: DEFAULT_SOCKET, display: `unix://${DEFAULT_SOCKET}` };

  if (raw.startsWith("unix://")) {
    const socketPath = raw.slice("unix://".length) || DEFAULT_SOCKET;
    return { kind: "unix", socketPath, display: `unix://${socketPath}` };
  }
  if (raw.startsWith("/")) return { kind: "unix", socketPath: raw, display: `unix://${raw}` };

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw configError(`DOCKER_HOST=${raw} is not a daemon address`, {
      hint: "use unix:///var/run/docker.sock, tcp://HOST:2376 or ssh://USER@HOST",
    });
  }
  const tlsVerify = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== "" && env.DOCKER_TLS_VERIFY !== "0";
  if (url.protocol === "tcp:" || url.protocol === "http:" || url.protocol === "https:") {
    const tls = tlsVerify || url.protocol === "https:"
      ? { certPath: env.DOCKER_CERT_PATH || join(homedir(), ".docker"), verify: tlsVerify }
      : undefined;
    const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
    return { kind: "tcp", host: url.hostname, port, tls, display: `tcp://${url.hostname}:${port}` };
  }
  if (url.protocol === "ssh:") {
    const port = url.port ? Number(url.port) : 22;
    return {
      kind: "ssh",
      host: url.hostname,
      port,
      username: url.username || undefined,
      display: `ssh://${url.username ? `${url.username}@` : ""}${url.hostname}:${port}`,
    };
  }
  throw configError(`DOCKER_HOST=${raw} uses the unsupported scheme ${url.protocol}`, {
    hint: "use unix://, tcp:// or ssh://",
  });
}
