import { readdir, readFile } from "node:fs/promises";
import { rootCertificates } from "node:tls";
import { join } from "node:path";
import type { Dispatcher } from "undici";
import { configError } from "../common/errors.js";

/** `fetch` as the registry client calls it: what registryTransport makes. */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** The Docker daemon's per-registry certificate folders (Linux). */
export const DOCKER_CERTS_DIR = "/etc/docker/certs.d";

export interface RegistryTransportOptions {
  /** HTTP_PROXY, HTTPS_PROXY and NO_PROXY (either case) are read from here. */
  env: NodeJS.ProcessEnv;
  /** Default /etc/docker/certs.d: `<dir>/<host[:port]>/` holds ca.crt, client.cert, client.key. */
  certsDir?: string;
}

/** TLS material for one registry host, read by the daemon's rule. */
export interface RegistryTls {
  ca?: string[];
  cert?: string;
  key?: string;
}

/**
 * The daemon's rule for `certs.d/<host>/`: every `*.crt` is a CA added to the system roots,
 * every `*.cert` is a client certificate whose key is the `*.key` of the same name (a
 * certificate without its key, or a key without its certificate, is an error there too).
 * An absent folder means no extra TLS material.
 */
export async function readRegistryTls(certsDir: string, host: string): Promise<RegistryTls> {
  const dir = join(certsDir, host);
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return {};
    throw configError(`cannot read the registry certificates folder ${dir} (${code ?? String(error)})`, { hint: "make it readable by this user" });
  }
  const tls: RegistryTls = {};
  const cas = await Promise.all(names.filter((n) => n.endsWith(".crt")).map((n) => readFile(join(dir, n), "utf8")));
  if (cas.length > 0) tls.ca = [...rootCertificates, ...cas];
  const certs = names.filter((n) => n.endsWith(".cert"));
  const keys = names.filter((n) => n.endsWith(".key"));
  for (const key of keys) {
    if (!certs.includes(key.replace(/\.key$/, ".cert"))) throw unpaired(join(dir, key), ".cert");
  }
  const first = certs[0];
  if (first !== undefined) {
    const key = first.replace(/\.cert$/, ".key");
    if (!keys.includes(key)) throw unpaired(join(dir, first), ".key");
    tls.cert = await readFile(join(dir, first), "utf8");
    tls.key = await readFile(join(dir, key), "utf8");
  }
  return tls;
}

function unpaired(file: string, missing: string) {
  return configError(`${file} has no matching ${missing} file of the same name`, {
    hint: "a client certificate needs its key beside it (client.cert with client.key), as the Docker daemon requires",
  });
}

function proxyEnv(env: NodeJS.ProcessEnv, name: string): string {
  return env[name.toLowerCase()] ?? env[name] ?? "";
}

/**
 * A fetch for runner-kit's own registry calls that honours what the daemon honours:
 * `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` (undici's EnvHttpProxyAgent, from `env` only) and
 * the CA and client certificates in `certs.d/<host>/`. undici is loaded on the first call;
 * one dispatcher per registry host is kept for the command's lifetime.
 */
export function registryTransport(options: RegistryTransportOptions): FetchLike {
  const certsDir = options.certsDir ?? DOCKER_CERTS_DIR;
  const dispatchers = new Map<string, Promise<Dispatcher>>();
  const undici = () => import("undici");

  const dispatcherFor = (host: string) => {
    let found = dispatchers.get(host);
    if (!found) {
      found = Promise.all([undici(), readRegistryTls(certsDir, host)]).then(([{ EnvHttpProxyAgent }, tls]) =>
        quietly(
          () =>
            new EnvHttpProxyAgent({
              httpProxy: proxyEnv(options.env, "HTTP_PROXY"),
              httpsProxy: proxyEnv(options.env, "HTTPS_PROXY"),
              noProxy: proxyEnv(options.env, "NO_PROXY"),
              // `connect` for direct connections, `requestTls` for the TLS inside a proxy's CONNECT tunnel.
              connect: tls,
              requestTls: tls,
            } as ConstructorParameters<typeof EnvHttpProxyAgent>[0]),
        ),
      );
      dispatchers.set(host, found);
    }
    return found;
  };

  return async (url, init) => {
    const [{ fetch }, dispatcher] = await Promise.all([undici(), dispatcherFor(new URL(url).host)]);
    const response = await fetch(url, { ...(init as Parameters<typeof fetch>[1]), dispatcher });
    return response as unknown as Response;
  };
}

/**
 * undici announces EnvHttpProxyAgent as experimental with a process warning on first use; the
 * dependency is pinned to 6.x, so for a user that line is noise in the middle of a build.
 */
function quietly<T>(make: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = (() => undefined) as typeof process.emitWarning;
  try {
    return make();
  } finally {
    process.emitWarning = emitWarning;
  }
}
