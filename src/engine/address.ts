import { statSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dockerConfigDir, homeDir } from "../auth/config-dir.js";
import { configError } from "../common/errors.js";
import { currentContextName, readContextEndpoint, type DiscoveryFs } from "./docker-context.js";

/** One daemon endpoint: a Unix socket, TCP (optionally TLS) or SSH. */
export type DaemonPlace = (
  | { kind: "unix"; socketPath: string }
  | { kind: "tcp"; host: string; port: number; tls: TlsFiles | undefined }
  | { kind: "ssh"; host: string; port: number; username: string | undefined }
) & { display: string };

/** Where the Docker daemon is, found the way the Docker CLI finds it (see discoverDaemon). */
export type DaemonAddress = DaemonPlace & {
  /** Every place looked at, in order, the chosen one last: what a "no daemon" error lists. */
  tried: string[];
};

export interface TlsFiles {
  /** Directory of ca.pem, cert.pem and key.pem. */
  certPath: string;
  /** Check the daemon's certificate against ca.pem. */
  verify: boolean;
  /**
   * "env": DOCKER_CERT_PATH rules (cert.pem and key.pem required, ca.pem when verifying);
   * "context": a Docker context's TLS folder, where each file is optional.
   */
  source: "env" | "context";
}

export const DEFAULT_SOCKET = "/var/run/docker.sock";

export const nodeDiscoveryFs: DiscoveryFs = {
  readText(path) {
    try {
      return readFileSync(path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw configError(`cannot read ${path} (${code ?? String(error)})`, { hint: "make it readable by this user, or remove it" });
    }
  },
  isSocket(path) {
    try {
      return statSync(path).isSocket();
    } catch {
      return false;
    }
  },
};

type Place = DaemonPlace;

function unixPlace(socketPath: string): Place {
  return { kind: "unix", socketPath, display: `unix://${socketPath}` };
}

/** A daemon host string (DOCKER_HOST or a context's endpoint) → where to connect. */
function parseHost(raw: string, origin: string, tlsFor: (scheme: string) => TlsFiles | undefined): Place {
  if (raw.startsWith("unix://")) return unixPlace(raw.slice("unix://".length) || DEFAULT_SOCKET);
  if (raw.startsWith("/")) return unixPlace(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw configError(`${origin} "${raw}" is not a daemon address`, {
      hint: "use unix:///var/run/docker.sock, tcp://HOST:2376 or ssh://USER@HOST",
    });
  }
  if (url.protocol === "tcp:" || url.protocol === "http:" || url.protocol === "https:") {
    const tls = tlsFor(url.protocol);
    const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
    return { kind: "tcp", host: url.hostname, port, tls, display: `tcp://${url.hostname}:${port}` };
  }
  if (url.protocol === "ssh:") {
    const port = url.port ? Number(url.port) : 22;
    const username = url.username || undefined;
    return { kind: "ssh", host: url.hostname, port, username, display: `ssh://${username ? `${username}@` : ""}${url.hostname}:${port}` };
  }
  throw configError(`${origin} "${raw}" uses the unsupported scheme ${url.protocol}`, { hint: "use unix://, tcp:// or ssh://" });
}

/** DOCKER_HOST with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH (default: the Docker config dir). */
function fromDockerHost(raw: string, env: NodeJS.ProcessEnv): Place {
  const verify = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== "" && env.DOCKER_TLS_VERIFY !== "0";
  return parseHost(raw, "DOCKER_HOST", (scheme) =>
    verify || scheme === "https:" ? { certPath: env.DOCKER_CERT_PATH || dockerConfigDir(env), verify, source: "env" } : undefined,
  );
}

function fromContext(name: string, chosenBy: string, env: NodeJS.ProcessEnv, fs: DiscoveryFs): { place: Place; note: string } {
  const endpoint = readContextEndpoint(name, dockerConfigDir(env), fs, chosenBy);
  const hasTls = ["ca.pem", "cert.pem", "key.pem"].some((file) => fs.readText(join(endpoint.tlsDir, file)) !== undefined);
  const place = parseHost(endpoint.host, `the Docker context "${name}"`, () =>
    hasTls || endpoint.skipTlsVerify ? { certPath: endpoint.tlsDir, verify: !endpoint.skipTlsVerify, source: "context" } : undefined,
  );
  return { place, note: `${chosenBy}: context "${name}" → ${place.display} (${endpoint.metaFile})` };
}

/** The sockets tried when nothing names a daemon: the default, then rootless, Docker Desktop, colima, Rancher Desktop. */
export function wellKnownSockets(env: NodeJS.ProcessEnv): { path: string; what: string }[] {
  const home = homeDir(env);
  return [
    { path: DEFAULT_SOCKET, what: "the default socket" },
    ...(env.XDG_RUNTIME_DIR ? [{ path: join(env.XDG_RUNTIME_DIR, "docker.sock"), what: "rootless Docker" }] : []),
    { path: join(home, ".docker", "run", "docker.sock"), what: "Docker Desktop" },
    { path: join(home, ".colima", "default", "docker.sock"), what: "colima" },
    { path: join(home, ".rd", "docker.sock"), what: "Rancher Desktop" },
  ];
}

/**
 * The Docker CLI's order: `DOCKER_HOST`; else the context `DOCKER_CONTEXT` names; else
 * `currentContext` of `$DOCKER_CONFIG/config.json` (the context "default" means neither);
 * else the first of the well-known sockets that exists (the default socket when none does).
 * Pure but for the files `fs` reads.
 */
export function discoverDaemon(env: NodeJS.ProcessEnv, fs: DiscoveryFs = nodeDiscoveryFs): DaemonAddress {
  const tried: string[] = [];
  const host = env.DOCKER_HOST?.trim();
  if (host) {
    const place = fromDockerHost(host, env);
    return { ...place, tried: [`DOCKER_HOST=${host}`] };
  }
  tried.push("DOCKER_HOST (not set)");

  const configFile = join(dockerConfigDir(env), "config.json");
  const fromEnv = env.DOCKER_CONTEXT?.trim();
  const current = fromEnv ? undefined : currentContextName(dockerConfigDir(env), fs);
  const contextName = fromEnv || current;
  const chosenBy = fromEnv ? "DOCKER_CONTEXT" : `currentContext in ${configFile}`;
  if (contextName && contextName !== "default") {
    const { place, note } = fromContext(contextName, chosenBy, env, fs);
    return { ...place, tried: [...tried, note] };
  }
  tried.push(fromEnv ? `DOCKER_CONTEXT=default` : `DOCKER_CONTEXT (not set)`);
  if (!fromEnv) tried.push(`currentContext in ${configFile} (${current ?? "not set"})`);

  for (const socket of wellKnownSockets(env)) {
    const note = `unix://${socket.path} (${socket.what})`;
    if (fs.isSocket(socket.path)) return { ...unixPlace(socket.path), tried: [...tried, note] };
    tried.push(`${note}: no socket there`);
  }
  return { ...unixPlace(DEFAULT_SOCKET), tried };
}
