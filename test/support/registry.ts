import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { Agent, fetch as undiciFetch } from "undici";
import { freePort } from "./free-port.js";
import { packDirectory } from "./tar.js";
import { PID_LABEL, runLabels } from "../../src/engine/labels.js";
import { processIsAlive } from "../../src/smoke/executor/reap.js";
import { HOST_LABEL } from "../../src/smoke/executor/resources.js";

const ROLE_LABEL = "io.runner-kit.role";

/**
 * Remove test registries that a test run on this host left when it was killed (its
 * process is gone), so a crashed run never fails the next one's leak check.
 */
export async function reapDeadRegistries(docker: Docker): Promise<number> {
  const found = await docker.listContainers({ all: true, filters: { label: [`${ROLE_LABEL}=test-registry`, `${HOST_LABEL}=${hostname()}`] } });
  const dead = found.filter((c) => !processIsAlive(Number(c.Labels[PID_LABEL])));
  await Promise.all(dead.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
  return dead.length;
}

export interface TestRegistry {
  /** host:port as used in image references, e.g. 127.0.0.1:41234 */
  host: string;
  username: string;
  password: string;
  containerId: string;
  /** Set when it serves HTTPS (StartRegistryOptions.tlsDir). */
  tlsDir?: string;
}

/**
 * Start a real registry (distribution, htpasswd basic auth) on 127.0.0.1:<free port>.
 * The credentials are copied into the container before it starts, never put in its env.
 */
export interface StartRegistryOptions {
  /** A fixed host port (so a restarted registry answers at the same address); default: any free one. */
  hostPort?: number;
  /** A volume for the registry's storage (/var/lib/registry), so the data outlives the container. */
  volume?: string;
  /**
   * Serve HTTPS with the certificates makeTlsCerts wrote to this folder (server-cert.pem,
   * server-key.pem) and require a client certificate issued by its ca.pem.
   */
  tlsDir?: string;
  /**
   * One more host address the registry is published on, at the same port as 127.0.0.1
   * (e.g. the default bridge's gateway, which containers reach and the host also answers
   * on); TestRegistry.host stays the loopback one.
   */
  alsoOn?: string;
}

/** The server certificate, its key and the client CA go into /certs before the registry starts. */
async function copyTls(container: Docker.Container, tlsDir: string): Promise<void> {
  const staging = mkdtempSync(join(tmpdir(), "rk-registry-tls-"));
  try {
    mkdirSync(join(staging, "certs"));
    for (const file of ["server-cert.pem", "server-key.pem", "ca.pem"]) copyFileSync(join(tlsDir, file), join(staging, "certs", file));
    await container.putArchive(packDirectory(staging), { path: "/" });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

const TLS_ENV = [
  "REGISTRY_HTTP_TLS_CERTIFICATE=/certs/server-cert.pem",
  "REGISTRY_HTTP_TLS_KEY=/certs/server-key.pem",
  "REGISTRY_HTTP_TLS_CLIENTCAS=[/certs/ca.pem]",
];

/** The registry's entrypoint reads (and then deletes) /auth/credentials: copy them in before each start. */
async function copyCredentials(container: Docker.Container, username: string, password: string): Promise<void> {
  const staging = mkdtempSync(join(tmpdir(), "rk-registry-"));
  try {
    mkdirSync(join(staging, "auth"));
    writeFileSync(join(staging, "auth", "credentials"), `${username}\n${password}\n`, { mode: 0o600 });
    await container.putArchive(packDirectory(staging), { path: "/" });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export async function startRegistry(docker: Docker, image: string, runId: string, options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const username = `rk-${randomBytes(3).toString("hex")}`;
  const password = `pw-${randomBytes(12).toString("base64url")}`;
  // Both addresses need the same port: the image references differ only in the host part.
  const hostPort = options.hostPort ? String(options.hostPort) : options.alsoOn ? String(await freePort()) : "";
  const bindings = [{ HostIp: "127.0.0.1", HostPort: hostPort }, ...(options.alsoOn ? [{ HostIp: options.alsoOn, HostPort: hostPort }] : [])];
  const container = await docker.createContainer({
    Image: image,
    Labels: runLabels(runId, { [ROLE_LABEL]: "test-registry", [HOST_LABEL]: hostname() }),
    ExposedPorts: { "5000/tcp": {} },
    ...(options.tlsDir ? { Env: TLS_ENV } : {}),
    HostConfig: {
      PortBindings: { "5000/tcp": bindings },
      ...(options.volume ? { Binds: [`${options.volume}:/var/lib/registry`] } : {}),
    },
  });
  await copyCredentials(container, username, password);
  if (options.tlsDir) await copyTls(container, options.tlsDir);
  await container.start();
  const info = await container.inspect();
  const port = info.NetworkSettings.Ports["5000/tcp"]?.find((b) => b.HostIp === "127.0.0.1")?.HostPort;
  if (!port) throw new Error("the test registry container got no host port");
  const host = `127.0.0.1:${port}`;
  await waitForRegistry(host, container, options.tlsDir);
  return { host, username, password, containerId: container.id, ...(options.tlsDir ? { tlsDir: options.tlsDir } : {}) };
}

async function waitForRegistry(host: string, container: Docker.Container, tlsDir?: string): Promise<void> {
  // fetch()'s sockets do not keep Node's event loop alive: in vitest's global setup a
  // pending fetch with nothing else scheduled lets the process exit 0 before any test ran.
  // A ref'd timer keeps the loop alive for as long as we wait.
  const keepAlive = setInterval(() => {}, 1000);
  try {
    await pollRegistry(host, container, tlsDir);
  } finally {
    clearInterval(keepAlive);
  }
}

async function pollRegistry(host: string, container: Docker.Container, tlsDir?: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last = "";
  const read = (file: string) => readFileSync(join(tlsDir!, file), "utf8");
  const dispatcher = tlsDir ? new Agent({ connect: { ca: read("ca.pem"), cert: read("cert.pem"), key: read("key.pem") } }) : undefined;
  while (Date.now() < deadline) {
    try {
      const res = dispatcher
        ? await undiciFetch(`https://${host}/v2/`, { signal: AbortSignal.timeout(2000), dispatcher })
        : await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(2000) });
      // 401 means it is up and asking for the basic auth we configured.
      if (res.status === 401) {
        await dispatcher?.close();
        return;
      }
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await dispatcher?.close();
  const logs = (await container.logs({ stdout: true, stderr: true, tail: 30 })).toString("utf8");
  throw new Error(`The test registry at ${host} did not become ready (${last}). Its log:\n${logs}`);
}

/** Kill the registry abruptly (SIGKILL, as a crash or an OOM kill would); its container stays. */
export async function killRegistry(docker: Docker, registry: TestRegistry): Promise<void> {
  await docker.getContainer(registry.containerId).kill();
}

/** Start a killed registry's container again (same credentials, port bindings and storage) and wait until it answers. */
export async function restartRegistry(docker: Docker, registry: TestRegistry): Promise<void> {
  const container = docker.getContainer(registry.containerId);
  await copyCredentials(container, registry.username, registry.password);
  await container.start();
  await waitForRegistry(registry.host, container, registry.tlsDir);
}

export async function stopRegistry(docker: Docker, registry: TestRegistry): Promise<void> {
  await docker.getContainer(registry.containerId).remove({ force: true, v: true }).catch(() => {});
}

/** Basic-auth GET against the registry's v2 API (reads manifests back, etc.). */
export async function registryFetch(registry: TestRegistry, path: string, init: RequestInit = {}): Promise<Response> {
  const auth = Buffer.from(`${registry.username}:${registry.password}`).toString("base64");
  return fetch(`http://${registry.host}${path}`, {
    ...init,
    headers: { Authorization: `Basic ${auth}`, ...(init.headers as Record<string, string> | undefined) },
  });
}

/** DOCKER_AUTH_CONFIG for the test registry, as a CI variable would carry it (optionally with another password). */
export function dockerAuthConfigFor(registry: TestRegistry, password = registry.password): string {
  const auth = Buffer.from(`${registry.username}:${password}`).toString("base64");
  return JSON.stringify({ auths: { [registry.host]: { auth } } });
}
